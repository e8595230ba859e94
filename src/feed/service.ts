// The feed's post use cases (issue 12; PRODUCT.md B): posting (residents, and
// agencies' alerts), the page of posts near a reader's home, one post, the
// author's edit and delete, and reading an attached clip. Comments, reports
// and settings are in interactions.ts; the reviewers' side in moderation.ts.
import { createHmac, randomInt } from 'node:crypto';
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { newId } from '../platform/crypto.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { parseSignedCursor, signCursor } from '../platform/http/cursor.ts';
import { HttpError, conflict, notFound, orBadRequest } from '../platform/http/errors.ts';
import { enqueueMany } from '../platform/outbox/outbox.ts';
import { OUTBOX_WORKER } from '../platform/outbox/service.ts';
import { containsPoint, type Area } from '../agencies/geo.ts';
import { isMemberOf } from '../agencies/policy.ts';
import { findAgency } from '../agencies/repository.ts';
import type { DisclosureService } from '../disclosure/service.ts';
import { checkPublicDisclosure, type PublicDisclosures } from '../disclosure/public.ts';
import type { VideoAnswer } from '../clips/service.ts';
import {
  FEED_LIMITS, METRES_PER_MILE, cellOf, cellsCovering, checkCategories, checkPlace, checkPost, checkRadius, circleOf, distanceM,
  editCheck, fuzzPoint, rateCheck, type Point, type PostInput,
} from './policy.ts';
import { newPostMessages } from './notify.ts';
import * as repo from './repository.ts';
import { toPostView, type PostView } from './views.ts';

export interface NewPost extends PostInput {
  location?: Point;
  clipIds?: string[];
}

export interface PageQuery {
  radiusMi?: number;
  category?: string[];
  cursor?: string;
  limit?: number;
}

const uniform = () => randomInt(0, 2 ** 47) / 2 ** 47;

export class FeedService {
  readonly #ctx: AppContext;
  readonly #door: PublicDisclosures;
  readonly #disclosure: DisclosureService;
  readonly #cursorKey: Buffer;

  constructor(ctx: AppContext, deps: { publicDoor: PublicDisclosures; disclosure: DisclosureService }) {
    this.#ctx = ctx;
    this.#door = deps.publicDoor;
    this.#disclosure = deps.disclosure;
    // A key of its own for cursors, derived from the master key, so a cursor's tag reveals nothing of it.
    this.#cursorKey = createHmac('sha256', ctx.masterKey).update('porchlight feed cursor v1').digest();
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** The reader's home: the centre of their feed. Without one there is no neighbourhood to show. */
  /** What the resident wrote, as stored (their own exact points included: they are the author), for their data export. */
  async authoredBy(actor: UserActor) {
    const { posts, comments } = await repo.authoredBy(this.#db, actor.userId);
    const time = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
    return {
      posts: posts.map((p) => ({ id: p.id, category: p.category, title: p.title, body: p.body, location: { lat: Number(p.exact_lat), lon: Number(p.exact_lon) }, publicLocation: { lat: Number(p.lat), lon: Number(p.lon) }, createdAt: time(p.created_at), editedAt: time(p.edited_at), deletedAt: time(p.deleted_at), removedAt: time(p.removed_at), removedReason: p.removed_reason })),
      comments: comments.map((c) => ({ id: c.id, postId: c.post_id, body: c.body, createdAt: time(c.created_at), deletedAt: time(c.deleted_at), removedAt: time(c.removed_at), removedReason: c.removed_reason })),
    };
  }

  async home(actor: UserActor): Promise<Point> {
    const h = await repo.homeOf(this.#db, actor.userId);
    if (!h || h.home_lat === null || h.home_lon === null) throw conflict('set your home first: the feed shows posts around it');
    return { lat: Number(h.home_lat), lon: Number(h.home_lon) };
  }

  async #rateLimit(tx: DbHandle, table: 'feed_posts' | 'feed_comments', authorId: string, limit: number, what: string): Promise<void> {
    const now = this.#ctx.clock.now();
    const r = rateCheck(await repo.recentTimes(tx, table, authorId, now - FEED_LIMITS.rateWindowMs), limit, now);
    if (!r.ok) throw new HttpError(429, `at most ${limit} ${what} an hour; try again in ${Math.ceil(r.retryAfterS / 60)} minutes`, { headers: { 'retry-after': String(r.retryAfterS) } });
  }

  /** A resident's post, placed at their home unless they chose a point near it; clips go through the public door. */
  async create(actor: UserActor, input: NewPost): Promise<PostView> {
    const post = orBadRequest(checkPost(input));
    const home = await this.home(actor);
    const exact = input.location ? orBadRequest(checkPlace(input.location, home)) : home;
    const clipIds = input.clipIds ?? [];
    const row = this.#row(actor.userId, null, post, exact);
    const write = async (tx: DbHandle) => {
      await this.#rateLimit(tx, 'feed_posts', actor.userId, FEED_LIMITS.postsPerHour, 'posts');
      await repo.insertPost(tx, row);
      await enqueueMany(tx, await newPostMessages(tx, row, this.#ctx.config.PUBLIC_URL), row.created_at);
    };
    if (clipIds.length === 0) await this.#db.transaction().execute((tx) => write(tx));
    else {
      await this.#door.attach(actor, row.id, clipIds, async (tx, disclosureIds) => {
        await write(tx);
        for (const [i, d] of disclosureIds.entries()) await repo.insertAttachment(tx, { post_id: row.id, disclosure_id: d, position: i, withdrawn_at: null });
      });
    }
    // The post is committed: its neighbours hear of it now, not at the worker's next interval.
    this.#ctx.workers.kick(OUTBOX_WORKER);
    return this.get(actor, row.id);
  }

  /** An alert from a verified agency, at a point inside its jurisdiction, shown with the agency's profile. */
  async alert(actor: UserActor, agencyId: string, input: PostInput & { location: Point }): Promise<PostView> {
    const agency = isMemberOf(actor, agencyId) ? await findAgency(this.#db, agencyId) : undefined;
    if (!agency || agency.verified_at === null) throw notFound('no such agency');
    const post = orBadRequest(checkPost(input));
    if (!containsPoint(JSON.parse(agency.jurisdiction) as Area, input.location.lat, input.location.lon)) {
      orBadRequest({ ok: false, detail: 'body.location is outside the agency\'s jurisdiction', problems: [{ field: 'body.location', message: 'must lie inside the agency\'s jurisdiction' }] });
    }
    const row = this.#row(actor.userId, agencyId, post, input.location);
    await this.#db.transaction().execute(async (tx) => {
      await this.#rateLimit(tx, 'feed_posts', actor.userId, FEED_LIMITS.postsPerHour, 'posts');
      await repo.insertPost(tx, row);
      await enqueueMany(tx, await newPostMessages(tx, row, this.#ctx.config.PUBLIC_URL), row.created_at);
    });
    this.#ctx.workers.kick(OUTBOX_WORKER);
    return this.#view(actor, row, null);
  }

  #row(authorId: string, agencyId: string | null, post: { title: string; body: string; category: string }, exact: Point): repo.PostRow {
    // Drawn once, here, and stored (issue 12 §2).
    const pub = fuzzPoint(exact, uniform(), uniform());
    return {
      id: newId(), author_id: authorId, agency_id: agencyId, category: post.category, title: post.title, body: post.body,
      exact_lat: exact.lat, exact_lon: exact.lon, lat: pub.lat, lon: pub.lon, cell: cellOf(pub), created_at: this.#ctx.clock.now(),
      edited_at: null, deleted_at: null, removed_at: null, removed_by: null, removed_reason: null,
    };
  }

  async #views(actor: UserActor, rows: repo.PostRow[], from: Point | null): Promise<PostView[]> {
    const ids = rows.map((r) => r.id);
    const [names, agencies, counts, attachments] = await Promise.all([
      repo.displayNames(this.#db, rows.map((r) => r.author_id)),
      repo.agencyProfiles(this.#db, rows.flatMap((r) => (r.agency_id ? [r.agency_id] : []))),
      repo.commentCounts(this.#db, ids),
      repo.attachmentsOf(this.#db, ids),
    ]);
    const now = this.#ctx.clock.now();
    return rows.map((r) => toPostView(r, {
      viewerId: actor.userId, from, authorName: names.get(r.author_id) ?? 'A neighbour', agency: r.agency_id ? agencies.get(r.agency_id) ?? null : null,
      commentCount: counts.get(r.id) ?? 0, disclosureIds: attachments.filter((a) => a.post_id === r.id).map((a) => a.disclosure_id), now,
    }));
  }

  async #view(actor: UserActor, row: repo.PostRow, from: Point | null): Promise<PostView> {
    return (await this.#views(actor, [row], from))[0];
  }

  /** The newest posts within the radius of the reader's home, keyset-paged, optionally by category. */
  async page(actor: UserActor, q: PageQuery): Promise<{ items: PostView[]; nextCursor: string | null; radiusMi: number }> {
    const home = await this.home(actor);
    const saved = await repo.settingsOf(this.#db, actor.userId);
    const radiusMi = orBadRequest(checkRadius(q.radiusMi ?? saved?.radius_mi ?? FEED_LIMITS.defaultRadiusMi));
    const categories = orBadRequest(checkCategories(q.category ?? []));
    const limit = q.limit ?? FEED_LIMITS.pageSize;
    const scope = `${actor.userId}|${radiusMi}|${categories.join(',')}`;
    const before = q.cursor ? orBadRequest(parseSignedCursor(this.#cursorKey, scope, q.cursor)) : null;
    const circle = circleOf(home, radiusMi * METRES_PER_MILE);
    const hits = await repo.pageIds(this.#db, { circle, cells: cellsCovering(circle), categories, before, limit: limit + 1 });
    const page = hits.slice(0, limit);
    const byId = new Map((await repo.postsByIds(this.#db, page.map((h) => h.id))).map((r) => [r.id, r]));
    const items = await this.#views(actor, page.map((h) => byId.get(h.id)!).filter(Boolean), home);
    const last = page.at(-1);
    return { items, nextCursor: hits.length > limit && last ? signCursor(this.#cursorKey, scope, last.created_at, last.id) : null, radiusMi };
  }

  /**
   * A post the reader may see: not deleted, and (unless theirs) within the
   * widest radius of their home. Anything else is 404, so a reader far away
   * cannot learn that a post exists by its id.
   */
  async visiblePost(actor: UserActor, id: string): Promise<{ row: repo.PostRow; from: Point | null }> {
    const row = await repo.findPost(this.#db, id);
    if (!row || row.deleted_at !== null) throw notFound('no such post');
    if (row.author_id === actor.userId) return { row, from: null };
    const home = await this.home(actor);
    if (distanceM(home, { lat: Number(row.lat), lon: Number(row.lon) }) > FEED_LIMITS.maxRadiusMi * METRES_PER_MILE) throw notFound('no such post');
    return { row, from: home };
  }

  async get(actor: UserActor, id: string): Promise<PostView> {
    const { row, from } = await this.visiblePost(actor, id);
    return this.#view(actor, row, from);
  }

  async #own(actor: UserActor, id: string): Promise<repo.PostRow> {
    const row = await repo.findPost(this.#db, id);
    if (!row || row.deleted_at !== null || row.author_id !== actor.userId) throw notFound('no such post of yours');
    return row;
  }

  /** The author's edit, within 15 minutes of posting; the place and the clips stay as they were. */
  async edit(actor: UserActor, id: string, input: PostInput): Promise<PostView> {
    const row = await this.#own(actor, id);
    const now = this.#ctx.clock.now();
    const allowed = editCheck(row, now);
    if (!allowed.ok) throw conflict(allowed.detail);
    const post = orBadRequest(checkPost(input));
    await repo.updatePost(this.#db, id, { title: post.title, body: post.body, category: post.category, edited_at: now });
    return this.get(actor, id);
  }

  /** The author deletes the post at any time: it leaves every list, and its clips are withdrawn (their log entries stay). */
  async delete(actor: UserActor, id: string): Promise<void> {
    await this.#own(actor, id);
    const now = this.#ctx.clock.now();
    const after = await this.#db.transaction().execute(async (tx) => {
      await repo.updatePost(tx, id, { deleted_at: now, title: '', body: '' });
      await repo.withdrawAttachments(tx, id, now);
      return this.#door.withdraw(tx, id);
    });
    await after();
  }

  /** An attached clip's public copy, with byte ranges; the owner's access log records the read. */
  async clipVideo(actor: UserActor, postId: string, disclosureId: string, range: string | undefined): Promise<VideoAnswer> {
    const { row } = await this.visiblePost(actor, postId);
    if (row.removed_at !== null) throw new HttpError(410, 'a reviewer removed this post; its clips were withdrawn');
    await checkPublicDisclosure(this.#db, postId, disclosureId);
    return this.#disclosure.openDisclosedClip(actor, disclosureId, range);
  }
}
