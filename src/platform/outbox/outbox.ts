// The transactional outbox (PRODUCT.md I): a notification is a row written in
// the caller's own transaction, so it exists exactly when the change it
// announces was committed, and a restart loses nothing. A background worker
// (worker.ts) delivers rows at least once, retrying with exponential backoff.
import type { Insertable } from 'kysely';
import type { DbHandle } from '../db/db.ts';
import type { OutboxChannel, OutboxMessagesTable } from '../db/tables/outbox.ts';
import { newId } from '../crypto.ts';
import { carries, kindOf, type Channels, type NotificationKind } from './policy.ts';

export type { OutboxChannel };

export interface OutboxMessage {
  channel: OutboxChannel;
  userId: string;
  /** What the message is about, e.g. "request.new". */
  kind: string;
  /** For e-mail, `subject` and `text` are required; in-app payloads are shown by the web app. */
  payload: Record<string, unknown>;
}

/** E-mail payloads carry their own text, so every capability writes its own wording. */
export interface EmailPayload {
  subject: string;
  text: string;
  [k: string]: unknown;
}

export const OUTBOX = {
  /** Attempts before a message is given up (dead), about 2 days of backoff in all. */
  maxAttempts: 12,
  /** First retry after 30 s, doubling, capped at 6 h. */
  baseDelayMs: 30_000,
  maxDelayMs: 6 * 3_600_000,
  /** How long a worker holds a claimed row; a worker that dies frees it after this. */
  leaseMs: 120_000,
  /** Rows per claim, and rows inserted per statement (well under both engines' parameter limits). */
  batch: 200,
  insertChunk: 500,
} as const;

/** Delay before attempt `attempts + 1`, after `attempts` failures (1-based). */
export function backoffMs(attempts: number): number {
  const exp = OUTBOX.baseDelayMs * 2 ** Math.max(0, attempts - 1);
  return Math.min(exp, OUTBOX.maxDelayMs);
}

function checkMessage(m: OutboxMessage): void {
  if (m.channel === 'email') {
    const p = m.payload as Partial<EmailPayload>;
    // A programming error, not user input: fail the caller's transaction loudly.
    if (typeof p.subject !== 'string' || typeof p.text !== 'string') throw new Error(`e-mail outbox message "${m.kind}" needs payload.subject and payload.text`);
  }
}

function toRow(m: OutboxMessage, now: number): Insertable<OutboxMessagesTable> {
  checkMessage(m);
  return {
    id: newId(),
    channel: m.channel,
    user_id: m.userId,
    kind: m.kind,
    payload: JSON.stringify(m.payload),
    created_at: now,
    attempts: 0,
    // Due at once whatever the caller's clock says; backoff sets later times.
    next_attempt_at: 0,
    locked_until: null,
    delivered_at: null,
    dead_at: null,
    last_error: null,
  };
}

/**
 * Writes one message in the caller's transaction; returns its id. Pass the app
 * clock's `now` for created_at. Only for messages no owner setting governs:
 * the others go through enqueueMany, which applies the owner's channels.
 */
export async function enqueue(tx: DbHandle, message: OutboxMessage, now: number = Date.now()): Promise<string> {
  if (kindOf(message.kind) !== null) throw new Error(`outbox message "${message.kind}" follows the owner's channels: use enqueueMany`);
  const row = toRow(message, now);
  await tx.insertInto('outbox_messages').values(row).execute();
  return row.id;
}

/**
 * The owners' saved channels for the kinds these messages fall under, read in
 * the caller's transaction (issue 14 §4): a message on a channel its owner
 * switched off is never written.
 */
async function chosen(tx: DbHandle, messages: readonly OutboxMessage[]): Promise<OutboxMessage[]> {
  const governed = messages.filter((m) => kindOf(m.kind) !== null);
  if (governed.length === 0) return [...messages];
  const users = [...new Set(governed.map((m) => m.userId))];
  const saved = new Map<string, Channels>();
  for (let i = 0; i < users.length; i += OUTBOX.insertChunk) {
    const rows = await tx.selectFrom('notification_settings').selectAll().where('user_id', 'in', users.slice(i, i + OUTBOX.insertChunk)).execute();
    for (const r of rows) saved.set(`${r.user_id}\n${r.kind}`, { inapp: r.inapp === 1, email: r.email === 1, push: r.push === 1 });
  }
  return messages.filter((m) => {
    const kind: NotificationKind | null = kindOf(m.kind);
    return kind === null || carries(kind, saved.get(`${m.userId}\n${kind}`), m.channel);
  });
}

/**
 * Writes many messages in the caller's transaction, in multi-row inserts
 * (fan-out to thousands of owners), on the channels each owner chose.
 * Returns how many were written.
 */
export async function enqueueMany(tx: DbHandle, messages: readonly OutboxMessage[], now: number = Date.now()): Promise<number> {
  const rows = (await chosen(tx, messages)).map((m) => toRow(m, now));
  for (let i = 0; i < rows.length; i += OUTBOX.insertChunk) {
    await tx.insertInto('outbox_messages').values(rows.slice(i, i + OUTBOX.insertChunk)).execute();
  }
  return rows.length;
}
