// Notices owed to owners (PRODUCT.md D "Notice to owners", E "Notice"). A
// notice is a row with a due time, written in the transaction that creates the
// obligation; a job sends every due notice through the transactional outbox and
// marks it sent in the same transaction. Because the obligation is a row, a
// nondisclosure order ending while the server is down is honoured at the next
// run, and a notice is sent once however often the job runs.
import type { AppContext } from '../platform/context.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { newId } from '../platform/crypto.ts';
import { enqueueMany } from '../platform/outbox/outbox.ts';
import { requirePorts } from '../platform/ports.ts';
import type { LogWriter } from './log.ts';
import * as repo from './repository.ts';

export type NoticeSubject = 'legal_demand' | 'emergency';

/**
 * The order of events a notice tells of (issue 19), so that an owner whose
 * notice and release carry the same time sees why: owners are told in the
 * transaction that releases, just before it, unless notice was delayed. Times
 * are ISO 8601; reviewers is a count, never names; a delay says only its kind
 * and end, never the sealed order or the case behind it.
 */
export interface NoticeTimeline {
  receivedAt: string;
  reviewedAt: string | null;
  reviewers: number;
  releasedAt: string | null;
  /** 'nondisclosure_order': the demand's own order; 'court_order': a reviewed order delaying emergency notice; 'emergency_policy': told at resolution or 72 h after release. */
  delay: { kind: 'nondisclosure_order' | 'court_order' | 'emergency_policy'; until: string } | null;
}

/** Words of a notice, written by the capability the notice is about. */
export type Describe = (db: DbHandle, subjectId: string, ownerId: string) => Promise<{ subject: string; text: string; payload: Record<string, unknown>; timeline: NoticeTimeline }>;

export const NOTICE_BATCH = 200;

export class Notices {
  readonly #ctx: AppContext;
  readonly #describe: Readonly<Record<NoticeSubject, Describe>>;
  readonly #log: LogWriter;

  /**
   * `describe`: the words for each kind of subject, one per kind (the type makes it complete);
   * `log`: where the count of owners told goes (an `owners_notified` entry, issue 13).
   */
  constructor(ctx: AppContext, deps: { describe: Record<NoticeSubject, Describe>; log: LogWriter }) {
    requirePorts('Notices', deps, ['describe', 'log']);
    this.#ctx = ctx;
    this.#describe = { ...deps.describe };
    this.#log = deps.log;
    // Every 5 minutes in production; tests drive it with workers.runAll('owner-notices').
    ctx.workers.add({ name: 'owner-notices', intervalMs: 5 * 60_000, run: async () => void (await this.sendDue()) });
  }

  /** Owes each owner one notice about the subject, due at `dueAt` (an existing one is kept). */
  async schedule(tx: DbHandle, kind: NoticeSubject, subjectId: string, ownerIds: Iterable<string>, dueAt: number): Promise<void> {
    const now = this.#ctx.clock.now();
    for (const ownerId of new Set(ownerIds)) {
      await repo.insertNotice(tx, { id: newId(), owner_id: ownerId, subject_kind: kind, subject_id: subjectId, due_at: dueAt, sent_at: null, created_at: now });
    }
  }

  /** Moves the due time of the subject's unsent notices. */
  async reschedule(tx: DbHandle, kind: NoticeSubject, subjectId: string, dueAt: number): Promise<void> {
    await repo.rescheduleNotices(tx, kind, subjectId, dueAt);
  }

  /** Sends every notice due now. Returns how many were sent. */
  async sendDue(): Promise<number> {
    const db = this.#ctx.db.kysely;
    let sent = 0;
    for (;;) {
      const now = this.#ctx.clock.now();
      const due = await repo.dueNotices(db, now, NOTICE_BATCH);
      // One transaction and one log entry per subject: the entry's count is the owners told in it.
      const bySubject = Map.groupBy(due, (n) => `${n.subject_kind}\n${n.subject_id}`);
      for (const group of bySubject.values()) sent += await db.transaction().execute((tx) => this.#sendAll(tx, group, now));
      if (due.length < NOTICE_BATCH) return sent;
    }
  }

  /** Sends, in the caller's transaction, the subject's notices that are due now (told before anything is released). */
  async sendDueFor(tx: DbHandle, kind: NoticeSubject, subjectId: string): Promise<number> {
    const now = this.#ctx.clock.now();
    return this.#sendAll(tx, await repo.dueNotices(tx, now, undefined, { kind, subjectId }), now);
  }

  /** Sends notices about one subject and logs how many owners were told (no entry when none was). */
  async #sendAll(tx: DbHandle, due: readonly repo.NoticeRow[], now: number): Promise<number> {
    let sent = 0;
    let agency: string | null = null;
    for (const n of due) {
      const words = await this.#send(tx, n, now);
      if (!words) continue;
      sent++;
      agency = typeof words.payload.agencyId === 'string' ? words.payload.agencyId : null;
    }
    if (sent > 0) await this.#log.event(tx, { basis: 'owners_notified', agency, ref: due[0].subject_id, reviewers: [], count: sent });
    return sent;
  }

  async #send(tx: DbHandle, n: repo.NoticeRow, now: number): Promise<{ payload: Record<string, unknown> } | null> {
    // A kind no capability describes is a wiring error: fail before marking the notice sent.
    const describe = this.#describe[n.subject_kind as NoticeSubject];
    if (!describe) throw new Error(`no words for notices about ${n.subject_kind}`);
    // The guard makes a concurrent run (another node) send nothing twice.
    if (!(await repo.markNoticeSent(tx, n.id, now))) return null;
    const words = await describe(tx, n.subject_id, n.owner_id);
    const timeline = { ...words.timeline, notifiedAt: new Date(now).toISOString() };
    const payload = { ...words.payload, noticeId: n.id, subject: n.subject_kind, subjectId: n.subject_id, timeline };
    const kind = `notice.${n.subject_kind}`;
    // Every channel is worded; the outbox keeps those the owner chose (at least one always stays for notices).
    await enqueueMany(tx, [
      { channel: 'inapp', userId: n.owner_id, kind, payload: { ...payload, title: words.subject, text: words.text } },
      { channel: 'email', userId: n.owner_id, kind, payload: { ...payload, subject: words.subject, text: words.text } },
      { channel: 'push', userId: n.owner_id, kind, payload: { ...payload, title: words.subject, body: words.text.split('\n')[0], url: `${this.#ctx.config.PUBLIC_URL}/home` } },
    ], now);
    return words;
  }

  async list(db: DbHandle, kind: NoticeSubject, subjectId: string) {
    return repo.noticesOf(db, kind, subjectId);
  }
}
