// The outbox as the app sees it: the event hub, the mailer, the delivery worker
// registered as a background job, and the owner-facing reads (inbox, events).
import type { AppContext } from '../context.ts';
import { notFound } from '../http/errors.ts';
import { EventHub, findNotification, listNotifications, markRead, toEvent, type InboxEvent } from './inapp.ts';
import { mailerFor, type Mailer } from './mail.ts';
import { OutboxWorker } from './worker.ts';

export const OUTBOX_WORKER = 'outbox';

export class OutboxService {
  readonly hub = new EventHub();
  readonly worker: OutboxWorker;
  readonly mailer: Mailer;
  readonly #ctx: AppContext;

  constructor(ctx: AppContext, opts: { mailer?: Mailer } = {}) {
    this.#ctx = ctx;
    this.mailer = opts.mailer ?? mailerFor(ctx.config, ctx.log);
    const domain = ctx.config.PUBLIC_URL ? new URL(ctx.config.PUBLIC_URL).hostname : 'porchlight.invalid';
    this.worker = new OutboxWorker({ db: ctx.db, clock: ctx.clock, log: ctx.log, mailer: this.mailer, hub: this.hub, messageIdDomain: domain });
    ctx.workers.add({ name: OUTBOX_WORKER, intervalMs: 1000, run: async () => void (await this.worker.run()) });
  }

  close(): void {
    this.mailer.close();
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

  /** Notifications after the one with id `lastEventId` (SSE reconnect, WHATWG HTML §9.2 Last-Event-ID). */
  async replayAfter(userId: string, lastEventId: string): Promise<InboxEvent[]> {
    const db = this.#ctx.db.kysely;
    const last = await findNotification(db, userId, lastEventId);
    if (!last) return [];
    const rows = await listNotifications(db, userId, { after: { createdAt: last.created_at, id: last.id }, limit: 500 });
    return rows.map(toEvent);
  }
}
