// The request inbox: each agency request that reached me, its area on a map,
// and a picker over my clips inside the area and window to share some, all or
// none. Sharing makes one consented disclosure per clip (privacy zones applied)
// and a log entry each; declining tells the agency nothing. An end-to-end clip
// is shared by re-wrapping: this browser opens its key and seals it to the
// agency's public key, so the server never holds anything that opens it.
import { Alert, Anchor, Badge, Button, Card, Checkbox, Container, Group, Image, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { TableScroll } from '../../components/TableScroll';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { KeyView } from '../../lib/e2ee/keys';
import { useMe } from '../../lib/session';
import { sealedKeysFor, useAgencyKeyCheck } from './sealedShare';
import { MapView } from '../../components/MapView';
import { Empty, QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { fromPolygon } from '../../lib/area';
import { formatTime } from '../../lib/format';

const inbox = () => unwrap(api.GET('/api/v1/me/requests'));
type InboxItem = Awaited<ReturnType<typeof inbox>>[number];

const agencyName = (r: InboxItem) => r.agency.name;

const answered = (r: InboxItem) => r.answer !== null;
// Closed, resolved or expired: it takes no answers any more (issue 19: it used to say "waiting for you").
const takesAnswers = (r: InboxItem) => r.status === 'open';
const shareable = (r: { clips: { id: string; e2ee: boolean }[]; agencyKey: KeyView | null }) => r.clips.filter((c) => !c.e2ee || r.agencyKey);

export function InboxPage() {
  const items = useQuery({ queryKey: ['inbox'], queryFn: inbox });
  return (
    <Container size="lg">
      <Title order={1}>Requests for footage</Title>
      <Text my="sm">Agencies ask residents near an incident for footage. You decide: share some clips, all of them, or none. The agency never learns who declined.</Text>
      <QueryState q={items} empty={(l) => (l.length ? null : <Empty title="No requests">When an approved request covers one of your cameras, it appears here.</Empty>)}>
        {(items) => (
          <TableScroll minWidth={640}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Request</Table.Th>
                  <Table.Th>Agency</Table.Th>
                  <Table.Th>Window</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Your answer</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td><Link to={`/home/requests/${r.id}`}>{r.incidentType.replace(/_/g, ' ')}</Link></Table.Td>
                    <Table.Td>{agencyName(r)}</Table.Td>
                    <Table.Td>{formatTime(r.window.start)} – {formatTime(r.window.end)}</Table.Td>
                    <Table.Td data-testid="inbox-status">
                      {/* A closed request reads as closed, whatever was answered, so nobody tries to share into it. */}
                      <Badge color={takesAnswers(r) ? 'teal' : 'gray'} variant={takesAnswers(r) ? 'filled' : 'outline'}>{takesAnswers(r) ? 'open' : r.status}</Badge>
                    </Table.Td>
                    <Table.Td data-testid="inbox-answer">
                      {answered(r) ? <Badge color="gray" variant="filled">{r.answer === 'shared' ? 'you shared footage' : 'you declined'}</Badge>
                        : takesAnswers(r) ? <Badge color="indigo" variant="filled">waiting for you</Badge>
                          : <Badge color="gray" variant="outline">not answered</Badge>}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </QueryState>
    </Container>
  );
}

export function InboxRequestPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const req = useQuery({ queryKey: ['inbox', id], queryFn: () => unwrap(api.GET('/api/v1/me/requests/{id}', { params: { path: { id } } })) });
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const me = useMe().data;
  const r0 = req.data;
  const keyCheck = useAgencyKeyCheck(r0?.agency.id ?? '', r0?.agency.name ?? '', r0?.agencyKey ?? null, !!r0?.clips.some((c) => c.e2ee));
  const respond = useMutation({
    mutationFn: async (body: { share: string[] } | { decline: true }) => {
      const r = req.data!;
      const sealed = 'share' in body ? r.clips.filter((c) => c.e2ee && body.share.includes(c.id)).map((c) => c.id) : [];
      if (sealed.length && !keyCheck.ready) throw new Error("check the agency's new key before sharing end-to-end clips with it");
      const full = sealed.length ? { ...body, sealedKeys: await sealedKeysFor(sealed, `user:${me!.id}`, r.agencyKey!) } : body;
      const answer = await unwrap(api.POST('/api/v1/me/requests/{id}/response', { params: { path: { id } }, body: full }));
      if (sealed.length) await keyCheck.remember();
      return answer;
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['inbox'] });
      await qc.invalidateQueries({ queryKey: ['receipts'] });
    },
  });
  const toggle = (clipId: string) => setPicked((s) => {
    const n = new Set(s);
    if (n.has(clipId)) n.delete(clipId);
    else n.add(clipId);
    return n;
  });
  return (
    <Container size="lg">
      <Anchor component={Link} to="/home/requests" size="sm">← Requests</Anchor>
      <QueryState q={req}>
        {(r) => (
          <Stack mt="sm">
            <Group justify="space-between">
              <Title order={1}>{agencyName(r)}: {r.incidentType.replace(/_/g, ' ')}</Title>
              {r.status && <StatusBadge status={r.status} />}
            </Group>
            <Text>{formatTime(r.window.start)} – {formatTime(r.window.end)} · case {r.caseNumber}</Text>
            {r.description && <Text>{r.description}</Text>}
            <MapView label="Map of the request area" height={280} polygons={[{ id: r.id, ring: fromPolygon(r.area)[0], label: 'Request area' }]} />
            <Title order={2} size="h3">Your clips in this area and window</Title>
            {respond.isSuccess && <Alert color="green" role="status">Your answer was sent. Shared clips get a receipt once they are on the public log.</Alert>}
            {respond.isError && <Alert color="red" role="alert">{respond.error.message}</Alert>}
            {answered(r) && !respond.isSuccess && <Alert color="gray" role="status">You answered this request ({r.answer}){r.clips.some((c) => c.shared) ? `: ${r.clips.filter((c) => c.shared).length} clip(s) shared, ticked below` : ''}.</Alert>}
            {!takesAnswers(r) && <Alert color="gray" role="status" data-testid="request-closed">This request is {r.status}: it no longer takes answers{answered(r) ? '' : ', and nothing of yours was shared'}.</Alert>}
            {r.clips.some((c) => c.e2ee) && (r.agencyKey
              ? keyCheck.notice
              : <Text size="sm">This agency has no end-to-end key yet, so your end-to-end encrypted clips cannot be shared with it.</Text>)}
            {r.clips.length === 0 ? (
              <Empty title="None of your clips matches">You can still decline, or leave the request unanswered.</Empty>
            ) : (
              <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
                {r.clips.map((c) => (
                  <Card key={c.id} withBorder padding="sm" data-testid="inbox-clip">
                    {c.thumbnailUrl && (
                      <Card.Section>
                        <Image src={c.thumbnailUrl} alt="" h={140} fit="cover" />
                      </Card.Section>
                    )}
                    <Checkbox
                      mt="sm"
                      label={`${c.cameraName}, ${formatTime(c.startedAt)}${c.e2ee ? ' (end-to-end encrypted)' : ''}`}
                      checked={picked.has(c.id) || c.shared}
                      disabled={answered(r) || !takesAnswers(r) || respond.isSuccess || (c.e2ee && !r.agencyKey)}
                      onChange={() => toggle(c.id)}
                    />
                  </Card>
                ))}
              </SimpleGrid>
            )}
            {!answered(r) && takesAnswers(r) && !respond.isSuccess && (
              <Group>
                <Button disabled={picked.size === 0} loading={respond.isPending} onClick={() => respond.mutate({ share: [...picked] })}>
                  Share {picked.size} selected clip{picked.size === 1 ? '' : 's'}
                </Button>
                {shareable(r).length > 0 && (
                  <Button variant="default" onClick={() => respond.mutate({ share: shareable(r).map((c) => c.id) })} loading={respond.isPending}>Share all {shareable(r).length}</Button>
                )}
                <Button variant="default" onClick={() => respond.mutate({ decline: true })} loading={respond.isPending}>Share none</Button>
              </Group>
            )}
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}
