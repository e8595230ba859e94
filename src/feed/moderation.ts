// The reviewers' side of the feed (issue 12 §5): the queue of reported posts
// and comments, and the decision on each: remove (a tombstone "removed by a
// reviewer: reason" stays, a removed post's clips are withdrawn) or keep. Every
// decision is audited in its own transaction (platform/audit.ts), and resolves
// every open report on the item.
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { recordAudit } from '../platform/audit.ts';
import { conflict, notFound } from '../platform/http/errors.ts';
import { enqueueMany } from '../platform/outbox/outbox.ts';
import { OUTBOX_WORKER } from '../platform/outbox/service.ts';
import type { PublicDisclosures } from '../disclosure/public.ts';
import { tombstoneOf, type ReportReason } from './policy.ts';
import * as repo from './repository.ts';

export interface ReportedItem {
  kind: 'post' | 'comment';
  id: string;
  postId: string;
  title: string;
  text: string;
  author: { id: string; name: string };
  reports: number;
  reasons: { reason: string; count: number }[];
  notes: string[];
  firstReportedAt: string;
  ageMs: number;
}

export interface Decision {
  decision: 'remove' | 'keep';
  reason: ReportReason;
  note?: string;
}

export class FeedModeration {
  readonly #ctx: AppContext;
  readonly #door: PublicDisclosures;

  constructor(ctx: AppContext, deps: { publicDoor: PublicDisclosures }) {
    this.#ctx = ctx;
    this.#door = deps.publicDoor;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** Open reports grouped by item, oldest first. */
  async queue(): Promise<ReportedItem[]> {
    const reports = await repo.openReports(this.#db, 2000);
    const groups = new Map<string, repo.ReportRow[]>();
    for (const r of reports) groups.set(`${r.subject_kind}:${r.subject_id}`, [...(groups.get(`${r.subject_kind}:${r.subject_id}`) ?? []), r]);
    const now = this.#ctx.clock.now();
    const out: ReportedItem[] = [];
    for (const rs of groups.values()) {
      const first = rs[0];
      const post = await repo.findPost(this.#db, first.post_id);
      const comment = first.subject_kind === 'comment' ? await repo.findComment(this.#db, first.subject_id) : undefined;
      const authorId = comment?.author_id ?? post?.author_id ?? '';
      const names = await repo.displayNames(this.#db, [authorId]);
      const counts = new Map<string, number>();
      for (const r of rs) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
      out.push({
        kind: first.subject_kind, id: first.subject_id, postId: first.post_id, title: post?.title ?? '', text: comment?.body ?? post?.body ?? '',
        author: { id: authorId, name: names.get(authorId) ?? '' }, reports: rs.length,
        reasons: [...counts].map(([reason, count]) => ({ reason, count })), notes: rs.flatMap((r) => (r.note ? [r.note] : [])),
        firstReportedAt: new Date(Number(first.created_at)).toISOString(), ageMs: Math.max(0, now - Number(first.created_at)),
      });
    }
    return out;
  }

  /** For the review console's queue list (same shape as the other queues' items). */
  async queueItems() {
    return (await this.queue()).map((i) => ({
      kind: 'feed_report', id: i.id, agencyId: '', summary: `${i.kind} "${(i.title || i.text).slice(0, 60)}": ${i.reports} report(s)`, createdAt: i.firstReportedAt, ageMs: i.ageMs,
    }));
  }

  async decide(actor: UserActor, kind: 'post' | 'comment', id: string, d: Decision): Promise<{ kind: 'post' | 'comment'; id: string; removed: boolean; tombstone: string | null }> {
    const now = this.#ctx.clock.now();
    const reason = [d.reason, d.note?.trim()].filter(Boolean).join(': ');
    const after = await this.#db.transaction().execute(async (tx) => {
      const post = kind === 'post' ? await repo.findPost(tx, id) : undefined;
      const comment = kind === 'comment' ? await repo.findComment(tx, id) : undefined;
      const item = post ?? comment;
      if (!item || item.deleted_at !== null) throw notFound(`no such ${kind}`);
      if (item.removed_at !== null) throw conflict(`this ${kind} was already removed`);
      await recordAudit(tx, { actorId: actor.userId, action: d.decision === 'remove' ? 'feed.remove' : 'feed.keep', subjectKind: `feed_${kind}`, subjectId: id, reason }, now);
      const reporters = await repo.resolveReports(tx, kind, id, actor.userId, d.decision === 'remove' ? 'removed' : 'kept', now);
      const postId = post?.id ?? comment!.post_id;
      // Whoever reported it hears the outcome (live, so an open feed shows the tombstone at once).
      await enqueueMany(tx, reporters.map((userId) => ({ channel: 'inapp' as const, userId, kind: 'feed.report_resolved', payload: { kind, id, postId, removed: d.decision === 'remove' } })), now);
      if (d.decision === 'keep') return async () => {};
      const patch = { removed_at: now, removed_by: actor.userId, removed_reason: d.reason };
      // The author hears why; the public text of the tombstone names only the reason from the list.
      await enqueueMany(tx, [{ channel: 'inapp', userId: item.author_id, kind: 'feed.removed', payload: { kind, id, postId, tombstone: tombstoneOf(d.reason) } }], now);
      if (comment) {
        await repo.updateComment(tx, id, patch);
        return async () => {};
      }
      await repo.updatePost(tx, id, patch);
      await repo.withdrawAttachments(tx, id, now);
      return this.#door.withdraw(tx, id);
    });
    await after();
    this.#ctx.workers.kick(OUTBOX_WORKER);
    return { kind, id, removed: d.decision === 'remove', tombstone: d.decision === 'remove' ? tombstoneOf(d.reason) : null };
  }
}
