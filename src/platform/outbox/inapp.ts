// In-app delivery: the notification is stored in the user's inbox table and
// pushed to their open server-sent-event streams (GET /api/v1/me/events).
//
// The hub holds this process's open streams. Across nodes, fanout.ts carries
// each delivered notification to every node's hub (PostgreSQL LISTEN/NOTIFY);
// a stream that may have missed one is interrupted, and its client resumes
// with Last-Event-ID from the table, on any node.
import type { DbHandle } from '../db/db.ts';

export interface InboxEvent {
  id: string;
  kind: string;
  payload: unknown;
  createdAt: string;
}

interface Listener {
  event: (e: InboxEvent) => void;
  /** Events may have been missed (the fan-out connection dropped): the stream should end so its client resumes. */
  interrupted: () => void;
}

export class EventHub {
  readonly #listeners = new Map<string, Set<Listener>>();

  subscribe(userId: string, event: Listener['event'], interrupted: Listener['interrupted']): () => void {
    let set = this.#listeners.get(userId);
    if (!set) this.#listeners.set(userId, (set = new Set()));
    const l = { event, interrupted };
    set.add(l);
    return () => {
      set.delete(l);
      if (set.size === 0) this.#listeners.delete(userId);
    };
  }

  publish(userId: string, e: InboxEvent): void {
    for (const l of this.#listeners.get(userId) ?? []) l.event(e);
  }

  has(userId: string): boolean {
    return this.#listeners.has(userId);
  }

  /** Tells every open stream that events may have been missed. */
  interruptAll(): void {
    for (const set of [...this.#listeners.values()]) for (const l of [...set]) l.interrupted();
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
