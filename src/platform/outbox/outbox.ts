// The transactional outbox (PRODUCT.md I): a notification is a row written in
// the caller's own transaction, so it exists exactly when the change it
// announces was committed, and a restart loses nothing. A background worker
// (worker.ts) delivers rows at least once, retrying with exponential backoff.
import type { Insertable } from 'kysely';
import type { DbHandle } from '../db/db.ts';
import type { OutboxChannel, OutboxMessagesTable } from '../db/tables/outbox.ts';
import { newId } from '../crypto.ts';

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

/** Writes one message in the caller's transaction; returns its id. Pass the app clock's `now` for created_at. */
export async function enqueue(tx: DbHandle, message: OutboxMessage, now: number = Date.now()): Promise<string> {
  const row = toRow(message, now);
  await tx.insertInto('outbox_messages').values(row).execute();
  return row.id;
}

/** Writes many messages in the caller's transaction, in multi-row inserts (fan-out to thousands of owners). */
export async function enqueueMany(tx: DbHandle, messages: readonly OutboxMessage[], now: number = Date.now()): Promise<number> {
  const rows = messages.map((m) => toRow(m, now));
  for (let i = 0; i < rows.length; i += OUTBOX.insertChunk) {
    await tx.insertInto('outbox_messages').values(rows.slice(i, i + OUTBOX.insertChunk)).execute();
  }
  return rows.length;
}
