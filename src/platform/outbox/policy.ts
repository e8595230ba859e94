// Which channels carry which kind of notification (issue 14 §4): pure rules,
// no I/O. The owner picks in-app, e-mail and web push per kind; a kind with
// no saved choice keeps the channels it had before the setting existed.
// Notices of legal process and of disclosures of the owner's clips cannot be
// silenced: the owner has a right to learn of them (PRODUCT.md, notices).
import type { OutboxChannel } from '../db/tables/outbox.ts';

export const NOTIFICATION_KINDS = ['requests', 'notices', 'feed_replies', 'feed_posts'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type Channels = Record<OutboxChannel, boolean>;

export const KIND_LABELS: Readonly<Record<NotificationKind, string>> = {
  requests: 'requests for footage',
  notices: 'legal notices and disclosures of your clips',
  feed_replies: 'replies to your feed posts',
  feed_posts: 'feed posts near you',
};

/** Kinds that must keep at least one channel. */
export const MANDATORY: ReadonlySet<NotificationKind> = new Set(['notices']);

/**
 * Today's channels, the default. Feed push also needs the feed's own switch
 * and a subscribed browser, and request push a subscribed browser: those
 * checks stay with the capabilities that write the messages.
 */
export const DEFAULT_CHANNELS: Readonly<Record<NotificationKind, Channels>> = {
  requests: { inapp: true, email: true, push: true },
  notices: { inapp: true, email: true, push: false },
  feed_replies: { inapp: true, email: false, push: true },
  feed_posts: { inapp: true, email: false, push: true },
};

/** The setting an outbox message kind falls under; null for messages no owner setting governs (invitations, moderation). */
export function kindOf(messageKind: string): NotificationKind | null {
  if (messageKind === 'request.new' || messageKind === 'request.reminder') return 'requests';
  if (messageKind.startsWith('notice.')) return 'notices';
  if (messageKind === 'feed.reply') return 'feed_replies';
  if (messageKind === 'feed.post') return 'feed_posts';
  return null;
}

/** Whether a message goes out on a channel, given the owner's saved choice (undefined: the default). */
export function carries(kind: NotificationKind, saved: Channels | undefined, channel: OutboxChannel): boolean {
  return (saved ?? DEFAULT_CHANNELS[kind])[channel];
}

/** The problem with a setting the owner asked for, or null: a mandatory kind with every channel off. */
export function settingProblem(kind: NotificationKind, c: Channels): string | null {
  if (MANDATORY.has(kind) && !c.inapp && !c.email && !c.push) return `${kind}: ${KIND_LABELS[kind]} cannot be switched off entirely; keep at least one channel`;
  return null;
}
