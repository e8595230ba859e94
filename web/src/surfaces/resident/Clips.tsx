// My clips, newest first, with thumbnails and a player; filter by camera.
import { Badge, Button, Card, Container, Group, Image, Select, SimpleGrid, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ClipPlayer } from '../../components/ClipPlayer';
import { SealedClipPlayer, type SealedClip } from '../../components/SealedClipPlayer';
import { Empty, QueryState } from '../../components/States';
import { bytes, duration, formatTime } from '../../lib/format';
import { useCameras } from './cameraApi';
import { UploadClip } from './UploadClip';
import { useMe } from '../../lib/session';

const listClips = (cameraId: string | null, cursor: string | undefined) =>
  unwrap(api.GET('/api/v1/clips', { params: { query: { limit: 24, ...(cameraId ? { cameraId } : {}), ...(cursor ? { cursor } : {}) } } }));
type ClipItem = Awaited<ReturnType<typeof listClips>>['items'][number];

const KIND_LABEL: Record<string, string> = { motion: 'Motion', doorbell: 'Doorbell press', glass_break: 'Glass break', manual: 'Manual' };

// Shown where a thumbnail would be; also part of the button's name, so the name holds the visible text.
const placeholder = (e2ee: boolean) => (e2ee ? 'Encrypted clip' : 'No thumbnail');

export function ClipsPage() {
  const cameras = useCameras();
  const [cameraId, setCameraId] = useState<string | null>(null);
  const [playing, setPlaying] = useState<{ clip: ClipItem; title: string } | null>(null);
  const me = useMe().data;
  const clips = useInfiniteQuery({
    queryKey: ['clips', 'list', cameraId],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => listClips(cameraId, pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const cameraName = (id: string) => cameras.data?.find((c) => c.id === id)?.name ?? 'Camera';
  const items = clips.data?.pages.flatMap((p) => p.items) ?? [];
  // Memoised: the player decrypts again whenever this object changes.
  const sealed = useMemo<SealedClip | null>(() => {
    const c = playing?.clip;
    if (!c?.e2ee || !me) return null;
    return {
      videoUrl: `/api/v1/clips/${c.id}/video`, sealedKeyUrl: `/api/v1/clips/${c.id}/sealed-key`, fileName: `clip-${c.id}.mp4`, subject: `user:${me.id}`,
      signed: { cameraId: c.cameraId, startedAt: c.startedAt, endedAt: c.endedAt, kind: c.kind, devicePublicKey: c.devicePublicKey },
    };
  }, [playing, me]);

  return (
    <Container size="lg">
      <Group justify="space-between" mb="md" align="flex-end">
        <Title order={1}>My clips</Title>
        <Select
          label="Camera"
          placeholder="All cameras"
          clearable
          data={(cameras.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          value={cameraId}
          onChange={setCameraId}
          w={220}
        />
      </Group>
      {cameras.data && <UploadClip cameras={cameras.data} />}
      <QueryState q={{ ...clips, data: items }} empty={(list) => (list.length ? null : <Empty title="No clips yet">Clips appear here once an enrolled camera uploads them{cameras.data?.some((c) => !c.e2ee) ? ', or once you upload one above' : ''}.</Empty>)}>
        {(list) => (
          <Stack>
            <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
              {list.map((c) => {
                const title = `${cameraName(c.cameraId)}, ${formatTime(c.startedAt)}`;
                return (
                  <Card key={c.id} withBorder padding="sm" data-testid="clip-card">
                    <Card.Section>
                      <UnstyledButton onClick={() => setPlaying({ clip: c, title })} aria-label={`Play clip: ${title}${c.thumbnail ? '' : `. ${placeholder(c.e2ee)}`}`} style={{ display: 'block', width: '100%' }}>
                        {c.thumbnail ? (
                          <Image src={`/api/v1/clips/${c.id}/thumbnail`} alt="" h={160} fit="cover" />
                        ) : (
                          <div style={{ height: 160, background: '#343a40', color: '#fff', display: 'grid', placeItems: 'center' }}>{placeholder(c.e2ee)}</div>
                        )}
                      </UnstyledButton>
                    </Card.Section>
                    <Text fw={600} mt="xs">{title}</Text>
                    <Group gap={6} mt={4}>
                      <Badge variant="filled" color="gray">{KIND_LABEL[c.kind] ?? c.kind}</Badge>
                      {c.signed && <Badge variant="filled" color="teal">device-signed</Badge>}
                      {c.e2ee && <Badge variant="filled" color="grape">end-to-end encrypted</Badge>}
                    </Group>
                    <Text size="sm" mt={4}>
                      {c.durationMs !== null ? duration(c.durationMs) : 'length unknown'} · {bytes(c.size)}
                    </Text>
                  </Card>
                );
              })}
            </SimpleGrid>
            {clips.hasNextPage && (
              <Button variant="default" onClick={() => void clips.fetchNextPage()} loading={clips.isFetchingNextPage} w="fit-content">
                Show older clips
              </Button>
            )}
          </Stack>
        )}
      </QueryState>
      <ClipPlayer src={playing && !playing.clip.e2ee ? `/api/v1/clips/${playing.clip.id}/video` : null} title={playing?.title ?? ''} onClose={() => setPlaying(null)} />
      <SealedClipPlayer clip={sealed} title={playing?.title ?? ''} onClose={() => setPlaying(null)} />
    </Container>
  );
}
