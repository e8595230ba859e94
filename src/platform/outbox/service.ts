// The outbox as the app sees it: the event hub, the mailer, the delivery worker
// registered as a background job, and the owner-facing reads (inbox, events).
import type { AppContext } from '../context.ts';
import { notFound } from '../http/errors.ts';
import { EventHub, findNotification, listNotifications, markRead, toEvent, type InboxEvent } from './inapp.ts';
import { mailerFor, type Mailer } from './mail.ts';
import { OutboxWorker } from './worker.ts';
import { LocalFanout, PgFanout, type EventFanout } from './fanout.ts';
import { parseOrigins, pushEndpointProblem, webPushSender, type PushSender } from './push.ts';
import { newId } from '../crypto.ts';
import { badRequest } from '../http/errors.ts';

export const OUTBOX_WORKER = 'outbox';

export class OutboxService {
  readonly hub = new EventHub();
  readonly worker: OutboxWorker;
  /** Live events to every node's streams (LISTEN/NOTIFY on PostgreSQL). */
  readonly fanout: EventFanout;
  readonly mailer: Mailer;
  readonly push: PushSender;
  readonly #ctx: AppContext;
  readonly #pushOrigins: string[];

  constructor(ctx: AppContext, opts: { mailer?: Mailer } = {}) {
    this.#ctx = ctx;
    this.mailer = opts.mailer ?? mailerFor(ctx.config, ctx.log);
    this.push = webPushSender(ctx.config);
    this.#pushOrigins = parseOrigins(ctx.config.WEB_PUSH_ORIGINS);
    const domain = ctx.config.PUBLIC_URL ? new URL(ctx.config.PUBLIC_URL).hostname : 'porchlight.invalid';
    this.fanout = ctx.db.engine === 'postgres'
      ? new PgFanout(ctx.db, this.hub, async (userId, id) => {
        const row = await findNotification(ctx.db.kysely, userId, id);
        return row && toEvent(row);
      }, ctx.log)
      : new LocalFanout(this.hub);
    this.worker = new OutboxWorker({ db: ctx.db, clock: ctx.clock, log: ctx.log, mailer: this.mailer, fanout: this.fanout, push: this.push, messageIdDomain: domain });
    ctx.workers.add({ name: OUTBOX_WORKER, intervalMs: 1000, run: async () => void (await this.worker.run()) });
  }

  async close(): Promise<void> {
    this.mailer.close();
    await this.fanout.close();
  }

  async list(userId: string, limit = 50): Promise<(InboxEvent & { read: boolean })[]> {
    const rows = await listNotifications(this.#ctx.db.kysely, userId, { limit });
    return rows.map((r) => ({ ...toEvent(r), read: r.read_at !== null }));
  }

  async markRead(userId: string, id: string): Promise<void> {
    const db = this.#ctx.db.kysely;
    if (!(await findNotification(db, userId, id))) throw notFound('no such notification');
    await markRead(db, userId, id, this.#ctx.clock.now());
  }

  async subscribe(userId: string, sub: { endpoint: string; keys: { p256dh: string; auth: string } }): Promise<{ id: string }> {
    const problem = pushEndpointProblem(sub.endpoint, this.#pushOrigins);
    if (problem) throw badRequest(`endpoint ${problem}`, [{ field: 'body.endpoint', message: problem }]);
    const row = { id: newId(), user_id: userId, endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth, created_at: this.#ctx.clock.now() };
    await this.#ctx.db.kysely.insertInto('push_subscriptions').values(row)
      .onConflict((oc) => oc.column('endpoint').doUpdateSet({ user_id: row.user_id, p256dh: row.p256dh, auth: row.auth, created_at: row.created_at })).execute();
    const stored = await this.#ctx.db.kysely.selectFrom('push_subscriptions').select('id').where('endpoint', '=', sub.endpoint).executeTakeFirstOrThrow();
    return { id: stored.id };
  }

  async unsubscribe(userId: string, id: string): Promise<void> {
    const r = await this.#ctx.db.kysely.deleteFrom('push_subscriptions').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw notFound('no such subscription');
  }

  /** Notifications after the one with id `lastEventId` (SSE reconnect, WHATWG HTML §9.2 Last-Event-ID). */
  async replayAfter(userId: string, lastEventId: string): Promise<InboxEvent[]> {
    const db = this.#ctx.db.kysely;
    const last = await findNotification(db, userId, lastEventId);
    if (!last) return [];
    const rows = await listNotifications(db, userId, { after: { createdAt: last.created_at, id: last.id }, limit: 500 });
    return rows.map(toEvent);
  }
}
