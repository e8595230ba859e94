// The order of events an owner's notice tells of (issue 19): a warrant's notice
// and its release used to show one time with no word why. Owners are told in
// the transaction that releases, just before it, unless notice was delayed; the
// timeline shows that order, and a delay's kind and end in words. The server
// sends a count of reviewers, never names, and nothing of a sealed case.
import { Text, Timeline } from '@mantine/core';
import { formatTime } from '../lib/format';

export interface NoticeTimelineData {
  receivedAt: string;
  reviewedAt: string | null;
  reviewers: number;
  releasedAt: string | null;
  notifiedAt: string;
  delay: { kind: string; until: string } | null;
}

const DELAY: Record<string, string> = {
  nondisclosure_order: 'A court issued a nondisclosure order with the demand, which forbade telling you before it ended.',
  court_order: 'A court ordered notice delayed, and a reviewer outside the agency checked the order.',
  emergency_policy: 'In an emergency, owners are told when it is resolved, or at the latest 72 hours after the release.',
};

/** The timeline in a notice's payload, when it has one of the expected shape. */
export function noticeTimeline(p: Record<string, unknown>): NoticeTimelineData | null {
  const t = p.timeline as Partial<NoticeTimelineData> | undefined;
  return t && typeof t === 'object' && typeof t.receivedAt === 'string' && typeof t.notifiedAt === 'string' ? (t as NoticeTimelineData) : null;
}

export function NoticeTimeline({ timeline: t, received, released }: { timeline: NoticeTimelineData; received: string; released: string }) {
  const sameMoment = t.releasedAt !== null && t.releasedAt === t.notifiedAt;
  const steps: { title: string; at: string | null; text?: string }[] = [
    { title: received, at: t.receivedAt },
    { title: t.reviewers === 1 ? 'Reviewed and approved by 1 reviewer' : `Reviewed and approved by ${t.reviewers} reviewers`, at: t.reviewedAt },
    ...(sameMoment
      ? [{ title: `You were told, then ${released}`, at: t.notifiedAt, text: 'Both in the same moment: owners are told in the step that releases, just before anything leaves.' }]
      : [
        { title: released.charAt(0).toUpperCase() + released.slice(1), at: t.releasedAt },
        ...(t.delay ? [{ title: `Notice delayed until ${formatTime(t.delay.until)}`, at: null, text: DELAY[t.delay.kind] ?? 'Notice was delayed.' }] : []),
        { title: 'You were told', at: t.notifiedAt },
      ]),
  ];
  return (
    <Timeline active={steps.length - 1} bulletSize={14} lineWidth={2} mt="sm" data-testid="notice-timeline">
      {steps.map((s) => (
        <Timeline.Item key={s.title} title={s.title}>
          {s.at && <Text size="xs" c="dimmed">{formatTime(s.at)}</Text>}
          {s.text && <Text size="sm">{s.text}</Text>}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
