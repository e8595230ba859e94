// In-app delivery: the notification is stored in the user's inbox table and
// pushed to their open server-sent-event streams (GET /api/v1/me/events).
//
// The hub is in-process: with several server processes, a user connected to
// another process sees the notification on reconnect (Last-Event-ID replay
// from the table) rather than live.
import type { DbHandle } from '../db/db.ts';

export interface InboxEvent {
  id: string;
  kind: string;
  payload: unknown;
  createdAt: string;
}

type Listener = (e: InboxEvent) => void;

export class EventHub {
  readonly #listeners = new Map<string, Set<Listener>>();

  subscribe(userId: string, fn: Listener): () => void {
    let set = this.#listeners.get(userId);
    if (!set) this.#listeners.set(userId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.#listeners.delete(userId);
    };
  }

  publish(userId: string, e: InboxEvent): void {
    for (const fn of this.#listeners.get(userId) ?? []) fn(e);
  }

  get connections(): number {
    let n = 0;
    for (const s of this.#listeners.values()) n += s.size;
    return n;
  }
}

export function toEvent(row: { id: string; kind: string; payload: string; created_at: number }): InboxEvent {
  return { id: row.id, kind: row.kind, payload: JSON.parse(row.payload) as unknown, createdAt: new Date(row.created_at).toISOString() };
}

/** Stores the notification; a redelivery of the same outbox row stores nothing new. */
export async function storeNotification(db: DbHandle, row: { id: string; user_id: string; kind: string; payload: string; created_at: number }): Promise<void> {
  const { id, user_id, kind, payload, created_at } = row;
  await db.insertInto('notifications').values({ id, user_id, kind, payload, created_at, read_at: null }).onConflict((oc) => oc.column('id').doNothing()).execute();
}

export async function listNotifications(db: DbHandle, userId: string, opts: { after?: { createdAt: number; id: string }; limit: number }) {
  let q = db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
  if (opts.after) {
    const a = opts.after;
    q = q.where((eb) => eb.or([eb('created_at', '>', a.createdAt), eb.and([eb('created_at', '=', a.createdAt), eb('id', '>', a.id)])]));
    return q.orderBy('created_at').orderBy('id').limit(opts.limit).execute();
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
}

export async function findNotification(db: DbHandle, userId: string, id: string) {
  return db.selectFrom('notifications').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
}

export async function markRead(db: DbHandle, userId: string, id: string, now: number): Promise<boolean> {
  const r = await db.updateTable('notifications').set({ read_at: now }).where('user_id', '=', userId).where('id', '=', id).where('read_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
