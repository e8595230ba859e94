// In-app notifications: requests reaching a resident, reviews reaching an
// agency, and owner notices (legal demands, emergencies: "you are told").
// Payloads differ by kind; unknown kinds still show, as their kind and time.
import { Anchor, Badge, Button, Card, Container, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { formatTime } from '../lib/format';
import { Empty, QueryState } from './States';
import { NoticeTimeline, noticeTimeline } from './NoticeTimeline';

const list = () => unwrap(api.GET('/api/v1/me/notifications', { params: { query: { limit: 100 } } }));
type Note = Awaited<ReturnType<typeof list>>[number];

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** What a notice says was released, from the demand's type (emergencies release clips). */
const RELEASED: Record<string, string> = {
  search_warrant: 'clips released to the agency', subpoena: 'records released to the agency', court_order: 'records released to the agency',
  preservation: 'clips held from deletion',
};

function describe(n: Note): { title: string; text: string | null; link: { to: string; label: string } | null; timeline?: React.ReactNode } {
  const p = (n.payload && typeof n.payload === 'object' ? n.payload : {}) as Record<string, unknown>;
  const requestId = str(p.requestId);
  if (n.kind === 'request.new' || n.kind === 'request.reminder') {
    return {
      title: `${n.kind === 'request.reminder' ? 'Reminder: ' : ''}${str(p.agencyName) ?? 'An agency'} asks for footage of a ${(str(p.incidentType) ?? 'incident').replace(/_/g, ' ')}`,
      text: 'You may share some of your clips, all of them, or none. The agency never learns who declined.',
      link: requestId ? { to: `/home/requests/${requestId}`, label: 'Open the request' } : null,
    };
  }
  if (n.kind === 'request.reviewed') {
    return {
      title: `Your request was ${str(p.decision) ?? 'reviewed'}`,
      text: str(p.reason) ? `Reason: ${str(p.reason)!.replace(/_/g, ' ')}` : null,
      link: requestId ? { to: `/agency/requests/${requestId}`, label: 'Open the request' } : null,
    };
  }
  const postId = str(p.postId);
  if (n.kind.startsWith('feed.') && postId) {
    const titles: Record<string, string> = {
      'feed.post': `New nearby: ${str(p.title) ?? 'a post'}`, 'feed.reply': `A reply to your post "${str(p.title) ?? ''}"`,
      'feed.removed': 'A reviewer removed something you posted', 'feed.report_resolved': p.removed === true ? 'A reviewer removed what you reported' : 'A reviewer kept what you reported',
    };
    return { title: titles[n.kind] ?? n.kind, text: str(p.tombstone), link: { to: `/home/feed?post=${encodeURIComponent(postId)}`, label: 'Open the feed' } };
  }
  // A notice of a disclosure or hold: its receipts are where the owner checks and downloads the log entries.
  const link = n.kind.startsWith('notice.') ? { to: '/home/receipts', label: 'Your receipts' } : null;
  const tl = n.kind.startsWith('notice.') ? noticeTimeline(p) : null;
  const timeline = tl ? <NoticeTimeline timeline={tl} received={n.kind === 'notice.emergency' ? 'Emergency request received' : 'Demand received'} released={RELEASED[str(p.type) ?? ''] ?? 'clips released to the agency'} /> : undefined;
  return { title: str(p.title) ?? n.kind.replace(/[._]/g, ' '), text: str(p.text), link, timeline };
}

export function NotificationsPage() {
  const qc = useQueryClient();
  // New ones arrive on the live event stream (lib/live.ts), which refreshes this query: no polling.
  const notes = useQuery({ queryKey: ['notifications'], queryFn: list });
  const read = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/me/notifications/{id}/read', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  return (
    <Container size="md">
      <Title order={1} mb="md">Notifications</Title>
      <QueryState q={notes} empty={(l) => (l.length ? null : <Empty title="No notifications" />)}>
        {(items) => (
          <Stack>
            {items.map((n) => {
              const d = describe(n);
              return (
                <Card key={n.id} withBorder data-testid="notification">
                  <Group justify="space-between" align="flex-start" wrap="nowrap">
                    <Text fw={n.read ? 400 : 700}>{d.title}</Text>
                    {!n.read && <Badge color="indigo" variant="filled">new</Badge>}
                  </Group>
                  <Text size="sm">{formatTime(n.createdAt)}</Text>
                  {d.text && <Text size="sm" mt="xs" style={{ whiteSpace: 'pre-line' }}>{d.text}</Text>}
                  {d.timeline}
                  <Group mt="xs" gap="sm">
                    {d.link && <Anchor component={Link} to={d.link.to} onClick={() => !n.read && read.mutate(n.id)}>{d.link.label}</Anchor>}
                    {!n.read && <Button size="compact-xs" variant="default" onClick={() => read.mutate(n.id)}>Mark read</Button>}
                  </Group>
                </Card>
              );
            })}
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}
