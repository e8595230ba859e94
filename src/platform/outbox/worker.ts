// Delivers outbox rows at least once. A run claims due rows with a lease (an
// UPDATE … RETURNING, so two workers never hold the same row; on PostgreSQL the
// candidates are picked FOR UPDATE SKIP LOCKED, so a worker on another node
// takes the next rows instead of waiting on these), delivers them
// concurrently, then marks each delivered or schedules its retry with
// exponential backoff. A worker that dies mid-run leaves leased rows, which
// become due again when the lease runs out: nothing is lost, some messages
// may be delivered twice (hence stable message ids for e-mail and the
// notification id = outbox id for in-app).
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/db.ts';
import type { OutboxMessagesTable } from '../db/tables/outbox.ts';
import type { ExpressionBuilder, Selectable } from 'kysely';
import type { Database } from '../db/schema.ts';
import { OUTBOX, backoffMs, type EmailPayload } from './outbox.ts';
import { storeNotification, toEvent } from './inapp.ts';
import type { EventFanout } from './fanout.ts';
import type { Mailer } from './mail.ts';
import type { PushSender } from './push.ts';

type Row = Selectable<OutboxMessagesTable>;

/** A failure that retrying cannot fix (no such user, channel not configured). */
class Undeliverable extends Error {}

export interface OutboxRunStats {
  delivered: number;
  failed: number;
  dead: number;
}

export class OutboxWorker {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: FastifyBaseLogger;
  readonly #mailer: Mailer;
  readonly #fanout: EventFanout;
  readonly #push: PushSender | null;
  readonly #messageIdDomain: string;

  constructor(deps: { db: Db; clock: Clock; log: FastifyBaseLogger; mailer: Mailer; fanout: EventFanout; push?: PushSender | null; messageIdDomain?: string }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#mailer = deps.mailer;
    this.#fanout = deps.fanout;
    this.#push = deps.push ?? null;
    this.#messageIdDomain = deps.messageIdDomain ?? 'porchlight.invalid';
  }

  get mailer(): Mailer {
    return this.#mailer;
  }

  async #claim(now: number): Promise<Row[]> {
    const k = this.#db.kysely;
    const free = (eb: ExpressionBuilder<Database, 'outbox_messages'>) =>
      eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]);
    return k
      .updateTable('outbox_messages')
      .set({ locked_until: now + OUTBOX.leaseMs })
      .where('id', 'in', (eb) =>
        eb.selectFrom('outbox_messages').select('id')
          .where('delivered_at', 'is', null).where('dead_at', 'is', null).where('next_attempt_at', '<=', now)
          .where(free).orderBy('next_attempt_at').limit(OUTBOX.batch)
          // PostgreSQL manual, SELECT, "The Locking Clause": SKIP LOCKED skips rows
          // another transaction has locked. SQLite has one writer: nothing to skip.
          .$if(this.#db.engine === 'postgres', (q) => q.forUpdate().skipLocked()))
      .where(free)
      .returningAll()
      .execute();
  }

  async #deliver(row: Row, emails: Map<string, string>): Promise<void> {
    switch (row.channel) {
      case 'inapp': {
        await storeNotification(this.#db.kysely, row);
        // Stored first, then announced: a stream that hears it can also find it on replay.
        await this.#fanout.announce(row.user_id, toEvent(row));
        return;
      }
      case 'email': {
        const to = emails.get(row.user_id);
        if (!to) throw new Undeliverable('the recipient has no account any more');
        const p = JSON.parse(row.payload) as EmailPayload;
        await this.#mailer.send({ to, subject: p.subject, text: p.text, messageId: `<${row.id}@${this.#messageIdDomain}>` });
        return;
      }
      case 'push': {
        if (!this.#push) throw new Undeliverable('web push is not configured on this instance');
        const subs = await this.#db.kysely.selectFrom('push_subscriptions').selectAll().where('user_id', '=', row.user_id).execute();
        // Every browser of the user; a retry resends to all of them (at least once).
        for (const s of subs) {
          if ((await this.#push.send(s, row.payload)) === 'gone') await this.#db.kysely.deleteFrom('push_subscriptions').where('id', '=', s.id).execute();
        }
        return;
      }
    }
  }

  /** One pass: claims and delivers due messages until none are left (or `maxBatches`). */
  async run(maxBatches = 50): Promise<OutboxRunStats> {
    const stats: OutboxRunStats = { delivered: 0, failed: 0, dead: 0 };
    for (let b = 0; b < maxBatches; b++) {
      const now = this.#clock.now();
      const rows = await this.#claim(now);
      if (rows.length === 0) break;
      const emailUsers = [...new Set(rows.filter((r) => r.channel === 'email').map((r) => r.user_id))];
      const emails = new Map<string, string>();
      if (emailUsers.length) {
        for (const u of await this.#db.kysely.selectFrom('users').select(['id', 'email']).where('id', 'in', emailUsers).execute()) emails.set(u.id, u.email);
      }
      const results = await Promise.allSettled(rows.map((r) => this.#deliver(r, emails)));
      const ok: string[] = [];
      for (const [i, res] of results.entries()) {
        if (res.status === 'fulfilled') ok.push(rows[i].id);
        else await this.#failed(rows[i], res.reason, stats);
      }
      if (ok.length) {
        const done = this.#clock.now();
        await this.#db.kysely.updateTable('outbox_messages')
          .set((eb) => ({ delivered_at: done, locked_until: null, last_error: null, attempts: eb('attempts', '+', 1) }))
          .where('id', 'in', ok).execute();
        stats.delivered += ok.length;
      }
      if (rows.length < OUTBOX.batch) break;
    }
    return stats;
  }

  async #failed(row: Row, err: unknown, stats: OutboxRunStats): Promise<void> {
    const now = this.#clock.now();
    const attempts = row.attempts + 1;
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    const dead = err instanceof Undeliverable || attempts >= OUTBOX.maxAttempts;
    await this.#db.kysely.updateTable('outbox_messages').set({
      attempts,
      locked_until: null,
      last_error: message,
      next_attempt_at: now + backoffMs(attempts),
      dead_at: dead ? now : null,
    }).where('id', '=', row.id).execute();
    if (dead) stats.dead++;
    else stats.failed++;
    this.#log.warn({ outboxId: row.id, channel: row.channel, kind: row.kind, attempts, dead, err: message }, dead ? 'outbox message given up' : 'outbox delivery failed; will retry');
  }
}
