// What readers do with posts besides reading them: comments (plain text),
// reports (a reason from the list, to the reviewers' queue) and their feed
// settings (radius, and web push per kind). Visibility is the post service's:
// a post a reader may not see cannot be commented on or reported either.
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { newId } from '../platform/crypto.ts';
import { decodeCursor, encodeCursor } from '../platform/http/cursor.ts';
import { HttpError, conflict, notFound, orBadRequest } from '../platform/http/errors.ts';
import { enqueueMany } from '../platform/outbox/outbox.ts';
import { OUTBOX_WORKER } from '../platform/outbox/service.ts';
import { FEED_LIMITS, checkComment, checkRadius, rateCheck, type ReportReason } from './policy.ts';
import { replyMessages } from './notify.ts';
import * as repo from './repository.ts';
import type { FeedService } from './service.ts';
import { toCommentView, type CommentView } from './views.ts';

export interface FeedSettings {
  radiusMi: number;
  push: { posts: boolean; replies: boolean };
}

const COMMENTS_PAGE = 100;

export class FeedInteractions {
  readonly #ctx: AppContext;
  readonly #posts: FeedService;

  constructor(ctx: AppContext, deps: { posts: FeedService }) {
    this.#ctx = ctx;
    this.#posts = deps.posts;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** A post's comments, oldest first; removed ones as tombstones. */
  async comments(actor: UserActor, postId: string, cursor?: string): Promise<{ items: CommentView[]; nextCursor: string | null }> {
    await this.#posts.visiblePost(actor, postId);
    const rows = await repo.commentsOf(this.#db, postId, cursor ? decodeCursor(cursor) : null, COMMENTS_PAGE + 1);
    const page = rows.slice(0, COMMENTS_PAGE);
    const names = await repo.displayNames(this.#db, page.map((c) => c.author_id));
    const last = page.at(-1);
    return {
      items: page.map((c) => toCommentView(c, actor.userId, names.get(c.author_id) ?? 'A neighbour')),
      nextCursor: rows.length > COMMENTS_PAGE && last ? encodeCursor(Number(last.created_at), last.id) : null,
    };
  }

  async comment(actor: UserActor, postId: string, body: string): Promise<CommentView> {
    const text = orBadRequest(checkComment(body));
    const { row: post } = await this.#posts.visiblePost(actor, postId);
    if (post.removed_at !== null) throw conflict('a reviewer removed this post: it takes no more comments');
    const now = this.#ctx.clock.now();
    const row: repo.CommentRow = { id: newId(), post_id: postId, author_id: actor.userId, body: text, created_at: now, deleted_at: null, removed_at: null, removed_by: null, removed_reason: null };
    await this.#db.transaction().execute(async (tx) => {
      const limit = FEED_LIMITS.commentsPerHour;
      const r = rateCheck(await repo.recentTimes(tx, 'feed_comments', actor.userId, now - FEED_LIMITS.rateWindowMs), limit, now);
      if (!r.ok) throw new HttpError(429, `at most ${limit} comments an hour; try again in ${Math.ceil(r.retryAfterS / 60)} minutes`, { headers: { 'retry-after': String(r.retryAfterS) } });
      await repo.insertComment(tx, row);
      await enqueueMany(tx, await replyMessages(tx, post, row, this.#ctx.config.PUBLIC_URL), now);
    });
    this.#ctx.workers.kick(OUTBOX_WORKER);
    const names = await repo.displayNames(this.#db, [actor.userId]);
    return toCommentView(row, actor.userId, names.get(actor.userId) ?? 'A neighbour');
  }

  /** The comment's author deletes it. */
  async deleteComment(actor: UserActor, postId: string, commentId: string): Promise<void> {
    const c = await repo.findComment(this.#db, commentId);
    if (!c || c.post_id !== postId || c.author_id !== actor.userId || c.deleted_at !== null) throw notFound('no such comment of yours');
    await repo.updateComment(this.#db, commentId, { deleted_at: this.#ctx.clock.now(), body: '' });
  }

  /** Any reader reports a post or comment they can see, once each; it goes to the reviewers' queue. */
  async report(actor: UserActor, postId: string, input: { commentId?: string; reason: ReportReason; note?: string }): Promise<{ reported: true }> {
    const { row: post } = await this.#posts.visiblePost(actor, postId);
    let subject: { kind: 'post' | 'comment'; id: string; removed: boolean } = { kind: 'post', id: post.id, removed: post.removed_at !== null };
    if (input.commentId !== undefined) {
      const c = await repo.findComment(this.#db, input.commentId);
      if (!c || c.post_id !== postId || c.deleted_at !== null) throw notFound('no such comment on this post');
      subject = { kind: 'comment', id: c.id, removed: c.removed_at !== null };
    }
    if (subject.removed) throw conflict(`a reviewer already removed this ${subject.kind}`);
    const note = input.note?.trim() || null;
    await repo.insertReport(this.#db, {
      id: newId(), subject_kind: subject.kind, subject_id: subject.id, post_id: postId, reporter_id: actor.userId, reason: input.reason, note,
      created_at: this.#ctx.clock.now(), resolved_at: null, resolved_by: null, resolution: null,
    });
    return { reported: true };
  }

  async settings(actor: UserActor): Promise<FeedSettings> {
    const s = await repo.settingsOf(this.#db, actor.userId);
    return { radiusMi: Number(s?.radius_mi ?? FEED_LIMITS.defaultRadiusMi), push: { posts: s?.push_posts === 1, replies: s?.push_replies === 1 } };
  }

  async saveSettings(actor: UserActor, input: FeedSettings): Promise<FeedSettings> {
    const radiusMi = orBadRequest(checkRadius(input.radiusMi));
    await repo.saveSettings(this.#db, { user_id: actor.userId, radius_mi: radiusMi, push_posts: input.push.posts ? 1 : 0, push_replies: input.push.replies ? 1 : 0, updated_at: this.#ctx.clock.now() });
    return this.settings(actor);
  }
}
