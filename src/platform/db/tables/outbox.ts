// The transactional outbox and the in-app inbox (PRODUCT.md I).
export type OutboxChannel = 'inapp' | 'email' | 'push';

export interface OutboxMessagesTable {
  id: string;
  channel: OutboxChannel;
  /** Recipient; the address is looked up at delivery, so the outbox holds no e-mail addresses. */
  user_id: string;
  /** What the message is about ("request.new", "request.reminder", …): templates and the web app key on it. */
  kind: string;
  /** JSON. For e-mail: { subject, text }; for in-app: anything the web app shows. */
  payload: string;
  created_at: number;
  attempts: number;
  /** Earliest time of the next delivery attempt (exponential backoff after failures). */
  next_attempt_at: number;
  /** A worker holding the row until this time; a crashed worker's lease simply runs out. */
  locked_until: number | null;
  delivered_at: number | null;
  /** Set when the message gave up after the last attempt, or cannot be delivered at all. */
  dead_at: number | null;
  last_error: string | null;
}

export interface NotificationsTable {
  /** The outbox message id, so a redelivered in-app message is stored once. */
  id: string;
  user_id: string;
  kind: string;
  payload: string;
  created_at: number;
  read_at: number | null;
}

/** A browser's Push API subscription (W3C Push API; RFC 8030 endpoint, RFC 8291 keys). */
export interface PushSubscriptionsTable {
  id: string;
  user_id: string;
  endpoint: string;
  /** Base64url P-256 public key of the browser (RFC 8291 §3.1). */
  p256dh: string;
  /** Base64url 16-byte authentication secret. */
  auth: string;
  created_at: number;
}

/** An owner's channels for one kind of notification (issue 14 §4). No row: the kind's default. */
export interface NotificationSettingsTable {
  user_id: string;
  /** A NotificationKind of platform/outbox/policy.ts. */
  kind: string;
  inapp: number;
  email: number;
  push: number;
  updated_at: number;
}

export interface OutboxTables {
  outbox_messages: OutboxMessagesTable;
  notifications: NotificationsTable;
  push_subscriptions: PushSubscriptionsTable;
  notification_settings: NotificationSettingsTable;
}
