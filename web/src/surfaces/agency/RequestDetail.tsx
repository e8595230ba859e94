// One request's status and, once residents share, the evidence locker: clips
// grouped by pseudonym ("Neighbor 1"), a player, the manifest, and the evidence
// ZIP. The agency never sees who declined or who did not answer. An end-to-end
// clip plays only in a member's browser that holds the agency's key.
import { Anchor, Badge, Button, Card, Code, Container, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Link, useParams } from 'react-router';
import { ClipPlayer } from '../../components/ClipPlayer';
import { SealedClipPlayer, type SealedClip } from '../../components/SealedClipPlayer';
import { MapView } from '../../components/MapView';
import { Empty, QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { fromPolygon } from '../../lib/area';
import { formatTime } from '../../lib/format';
import { useAgencyId, useAgencyRequest, useEvidence, type EvidenceItem } from './agencyApi';

export function RequestDetailPage() {
  const { rid = '' } = useParams();
  const agencyId = useAgencyId();
  const req = useAgencyRequest(agencyId, rid);
  const approved = !!req.data && !['pending', 'rejected'].includes(req.data.status);
  const evidence = useEvidence(agencyId, rid, approved);
  const [playing, setPlaying] = useState<{ src: string; title: string; sealedKeyUrl: string | null } | null>(null);
  // Memoised: the player decrypts again whenever this object changes.
  const sealed = useMemo<SealedClip | null>(() => (playing?.sealedKeyUrl && agencyId
    ? { videoUrl: playing.src, sealedKeyUrl: playing.sealedKeyUrl, fileName: `${playing.title}.mp4`, subject: `agency:${agencyId}` }
    : null), [playing, agencyId]);
  const qc = useQueryClient();
  // Closing ends the request for residents; "resolved" also marks the public post resolved. Neither deletes it.
  const close = useMutation({
    mutationFn: (resolved: boolean) => unwrap(api.POST('/api/v1/agencies/{id}/requests/{rid}/close', { params: { path: { id: agencyId!, rid } }, body: { resolved } })),
    onSuccess: (r) => {
      qc.setQueryData(['agency-requests', agencyId, rid], r);
      void qc.invalidateQueries({ queryKey: ['agency-requests', agencyId], exact: true });
    },
  });
  const base = `/api/v1/agencies/${agencyId}/requests/${rid}`;
  return (
    <Container size="lg">
      <Anchor component={Link} to="/agency" size="sm">← Requests</Anchor>
      <QueryState q={req}>
        {(r) => (
          <Stack mt="sm">
            <Group justify="space-between">
              <Title order={1}>Case {r.caseNumber}</Title>
              <StatusBadge status={r.status} />
            </Group>
            {r.review && (
              <Paper withBorder p="sm" data-testid="review-outcome">
                <Text fw={600}>Review: {r.review.decision}, {formatTime(r.review.at)}</Text>
                {(r.review.reason || r.review.note) && <Text size="sm">Reason: {[(r.review.reason ?? '').replace(/_/g, ' '), r.review.note].filter(Boolean).join(': ')}</Text>}
              </Paper>
            )}
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <MapView label={`Map of the area of case ${r.caseNumber}`} height={280} polygons={[{ id: r.id, ring: fromPolygon(r.area)[0], label: 'Request area' }]} />
              <Stack gap={4}>
                <Text>Incident: {r.incidentType.replace(/_/g, ' ')}</Text>
                <Text>Window: {formatTime(r.window.start)} – {formatTime(r.window.end)}</Text>
                <Text>Submitted: {formatTime(r.createdAt)}</Text>
                {r.description && <Text size="sm">{r.description}</Text>}
              </Stack>
            </SimpleGrid>
            <Group justify="space-between" mt="md">
              <Title order={2} size="h3">Evidence locker</Title>
              <Group gap="xs">
                {r.status === 'open' && (
                  <>
                    <Button variant="default" onClick={() => close.mutate(false)} loading={close.isPending}>Close request</Button>
                    <Button variant="default" onClick={() => close.mutate(true)} loading={close.isPending}>Mark resolved</Button>
                  </>
                )}
                {approved && <Button component="a" href={`${base}/evidence.zip`} download variant="default">Download evidence ZIP</Button>}
              </Group>
            </Group>
            {!approved ? (
              <Empty title="No evidence yet">Residents are asked only after a reviewer approves the request.</Empty>
            ) : (
              <QueryState q={evidence} empty={(g) => (g.length ? null : <Empty title="No clips shared yet">Shared clips appear here, grouped by neighbour pseudonym.</Empty>)}>
                {(groups) => (
                  <Stack>
                    {groups.map((g) => (
                      <Paper key={g.pseudonym} withBorder p="md" data-testid="evidence-group">
                        <Title order={3} size="h4" mb="sm">{g.pseudonym}</Title>
                        {g.contact && (
                          <Text size="sm" mb="sm" data-testid="neighbor-contact">
                            Contact shared by this neighbour: {[g.contact.name, g.contact.phone, g.contact.email].filter(Boolean).join(' · ')}
                          </Text>
                        )}
                        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
                          {g.items.map((c) => <EvidenceCard key={c.id} item={c} onPlay={setPlaying} pseudonym={g.pseudonym} />)}
                        </SimpleGrid>
                      </Paper>
                    ))}
                  </Stack>
                )}
              </QueryState>
            )}
          </Stack>
        )}
      </QueryState>
      <ClipPlayer src={playing && !playing.sealedKeyUrl ? playing.src : null} title={playing?.title ?? ''} onClose={() => setPlaying(null)} />
      <SealedClipPlayer clip={sealed} title={playing?.title ?? ''} onClose={() => setPlaying(null)} />
    </Container>
  );
}

const CONTENT_LABEL: Record<string, string> = { derived: 'privacy zones applied', sealed: 'end-to-end encrypted' };

function EvidenceCard({ item, onPlay, pseudonym }: { item: EvidenceItem; pseudonym: string; onPlay: (p: { src: string; title: string; sealedKeyUrl: string | null }) => void }) {
  const m = item.manifest;
  const title = `${pseudonym}, ${formatTime(m.cameraReported.startedAt)}`;
  return (
    <Card withBorder data-testid="evidence-clip">
      <Text fw={600}>{formatTime(m.cameraReported.startedAt)}</Text>
      <Text size="sm">until {formatTime(m.cameraReported.endedAt)} · {m.cameraReported.kind.replace(/_/g, ' ')}</Text>
      <Group gap={6} mt={4}>
        {m.device.signed ? <Badge color="teal" variant="filled">device-signed</Badge> : <Badge color="gray" variant="filled">unsigned</Badge>}
        <Badge color={m.content === 'sealed' ? 'grape' : 'gray'} variant="filled">{CONTENT_LABEL[m.content] ?? 'as recorded'}</Badge>
        {m.log.index !== null && <Badge color="indigo" variant="filled">log entry #{m.log.index}</Badge>}
      </Group>
      <Text size="xs" mt={6}>SHA-256 (original)</Text>
      <Code className="mono" fz="xs">{m.sha256.original}</Code>
      {item.available
        ? <Button mt="sm" size="xs" onClick={() => onPlay({ src: item.videoUrl, title, sealedKeyUrl: m.content === 'sealed' ? item.videoUrl.replace(/\/video$/, '/sealed-key') : null })} aria-label={`Play ${title}`}>Play</Button>
        : <Text size="sm" mt="sm" data-testid="evidence-gone">The clip is gone: its owner deleted it, or its retention ran out. This record of what was shared, and its log entry, remain.</Text>}
    </Card>
  );
}
