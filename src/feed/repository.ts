// Feed queries. Kysely only; every function takes a DbHandle (the database or
// the service's transaction).
import { sql, type Insertable, type RawBuilder, type Selectable } from 'kysely';
import type { DbHandle } from '../platform/db/db.ts';
import type { FeedAttachmentsTable, FeedCommentsTable, FeedPostsTable, FeedReportsTable } from '../platform/db/tables/feed.ts';
import type { Category, Circle, CoveredCell } from './policy.ts';

export type PostRow = Selectable<FeedPostsTable>;
export type CommentRow = Selectable<FeedCommentsTable>;
export type ReportRow = Selectable<FeedReportsTable>;

export async function insertPost(db: DbHandle, row: Insertable<FeedPostsTable>): Promise<void> {
  await db.insertInto('feed_posts').values(row).execute();
}

export function findPost(db: DbHandle, id: string): Promise<PostRow | undefined> {
  return db.selectFrom('feed_posts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updatePost(db: DbHandle, id: string, patch: Partial<Omit<PostRow, 'id'>>): Promise<void> {
  await db.updateTable('feed_posts').set(patch).where('id', '=', id).execute();
}

export interface PageQuery {
  circle: Circle;
  cells: readonly CoveredCell[];
  categories: readonly Category[];
  before: { t: number; id: string } | null;
  limit: number;
}

/**
 * One feed page: the newest posts whose public point lies in the circle. Per
 * grid cell, a subquery takes the newest `limit` matching rows off the
 * (cell, created_at, id, …) index in order; the union of those is sorted and
 * cut. The SQL is the same on SQLite and PostgreSQL: only arithmetic and
 * comparisons.
 *
 * Two steps, so that no cell is read further than the page needs. First the
 * cells wholly inside the circle (no distance test). Then the cells on its
 * edge, where the distance test drops rows and a sliver of a cell could
 * otherwise be read to its end: only rows at least as new as the first step's
 * last row can still make the page, so that time bounds their reads.
 */
export async function pageIds(db: DbHandle, q: PageQuery): Promise<{ id: string; created_at: number }[]> {
  if (q.cells.length === 0) return [];
  const inside = q.cells.filter((c) => c.inside);
  const edge = q.cells.filter((c) => !c.inside);
  if (inside.length === 0 || edge.length === 0) return run(db, sql`select id, created_at from (${union(q, q.cells, null)}) u order by created_at desc, id desc limit ${q.limit}`);
  // One statement, one plan, one round trip: the inside cells' page, its last
  // time when it is full (0, no bound, when not), then the edge cells from that time on.
  return run(db, sql`with inside as (select id, created_at from (${union(q, inside, null)}) u order by created_at desc, id desc limit ${q.limit}),
    bound as (select case when count(*) >= ${q.limit} then min(created_at) else 0 end as t from inside)
    select id, created_at from (select id, created_at from inside union all ${union(q, edge, sql`(select t from bound)`)}) v
    order by created_at desc, id desc limit ${q.limit}`);
}

type PageRow = { id: string; created_at: number };

async function run(db: DbHandle, query: RawBuilder<unknown>): Promise<PageRow[]> {
  const { rows } = await (query as RawBuilder<PageRow>).execute(db);
  return rows.map((r) => ({ id: r.id, created_at: Number(r.created_at) }));
}

/** Per cell, its newest `limit` matching rows off the index, in order; edge cells only from `since` on. */
function union(q: PageQuery, cells: readonly CoveredCell[], since: RawBuilder<unknown> | null) {
  const { centre, kx, r2 } = q.circle;
  const cats = q.categories.length ? sql` and p.category in (${sql.join(q.categories)})` : sql``;
  const before = q.before ? sql` and (p.created_at < ${q.before.t} or (p.created_at = ${q.before.t} and p.id < ${q.before.id}))` : sql``;
  const parts = cells.map(({ cell, inside }) => {
    const newer = since === null || inside ? sql`` : sql` and p.created_at >= ${since}`;
    const near = inside ? sql`` : sql` and ((p.lat - ${centre.lat}) * (p.lat - ${centre.lat}) + (p.lon - ${centre.lon}) * ${kx} * (p.lon - ${centre.lon}) * ${kx}) <= ${r2}`;
    return sql`select * from (select p.id, p.created_at from feed_posts p where p.cell = ${cell} and p.deleted_at is null${near}${cats}${before}${newer}
      order by p.created_at desc, p.id desc limit ${q.limit}) c${sql.raw(String(cell))}`;
  });
  return sql.join(parts, sql` union all `);
}

/** The same page by reading every post (the benchmark's baseline, and a test's oracle). */
export async function pageIdsByScan(db: DbHandle, q: Omit<PageQuery, 'cells'>): Promise<{ id: string; created_at: number }[]> {
  const { centre, kx, r2 } = q.circle;
  let sel = db.selectFrom('feed_posts as p').select(['p.id', 'p.created_at']).where('p.deleted_at', 'is', null)
    .where(sql<boolean>`((p.lat - ${centre.lat}) * (p.lat - ${centre.lat}) + (p.lon - ${centre.lon}) * ${kx} * (p.lon - ${centre.lon}) * ${kx}) <= ${r2}`);
  if (q.categories.length) sel = sel.where('p.category', 'in', q.categories);
  const b = q.before;
  if (b) sel = sel.where((eb) => eb.or([eb('p.created_at', '<', b.t), eb.and([eb('p.created_at', '=', b.t), eb('p.id', '<', b.id)])]));
  const rows = await sel.orderBy('p.created_at', 'desc').orderBy('p.id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({ id: r.id, created_at: Number(r.created_at) }));
}

export async function postsByIds(db: DbHandle, ids: readonly string[]): Promise<PostRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('feed_posts').selectAll().where('id', 'in', ids).execute();
}

export async function commentCounts(db: DbHandle, postIds: readonly string[]): Promise<Map<string, number>> {
  if (postIds.length === 0) return new Map();
  const rows = await db.selectFrom('feed_comments').select(['post_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('post_id', 'in', postIds).where('deleted_at', 'is', null).groupBy('post_id').execute();
  return new Map(rows.map((r) => [r.post_id, Number(r.n)]));
}

/** Creation times of the author's posts (or comments) within the rate window, for the limit. */
export async function recentTimes(db: DbHandle, table: 'feed_posts' | 'feed_comments', authorId: string, since: number): Promise<number[]> {
  const rows = await db.selectFrom(table).select('created_at').where('author_id', '=', authorId).where('created_at', '>', since).execute();
  return rows.map((r) => Number(r.created_at));
}

export async function insertComment(db: DbHandle, row: Insertable<FeedCommentsTable>): Promise<void> {
  await db.insertInto('feed_comments').values(row).execute();
}

export function findComment(db: DbHandle, id: string): Promise<CommentRow | undefined> {
  return db.selectFrom('feed_comments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateComment(db: DbHandle, id: string, patch: Partial<Omit<CommentRow, 'id'>>): Promise<void> {
  await db.updateTable('feed_comments').set(patch).where('id', '=', id).execute();
}

/** A post's comments, oldest first (a conversation reads top down), keyset after a position. */
export function commentsOf(db: DbHandle, postId: string, after: { t: number; id: string } | null, limit: number): Promise<CommentRow[]> {
  let q = db.selectFrom('feed_comments').selectAll().where('post_id', '=', postId).where('deleted_at', 'is', null);
  if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after.t), eb.and([eb('created_at', '=', after.t), eb('id', '>', after.id)])]));
  return q.orderBy('created_at').orderBy('id').limit(limit).execute();
}

export async function displayNames(db: DbHandle, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

export function homeOf(db: DbHandle, userId: string) {
  return db.selectFrom('users').select(['home_lat', 'home_lon']).where('id', '=', userId).executeTakeFirst();
}

export async function agencyProfiles(db: DbHandle, ids: readonly string[]): Promise<Map<string, { id: string; name: string; type: string; verified: boolean }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('agencies').select(['id', 'name', 'type', 'verified_at']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, type: r.type, verified: r.verified_at !== null }]));
}

export async function insertReport(db: DbHandle, row: Insertable<FeedReportsTable>): Promise<boolean> {
  const res = await db.insertInto('feed_reports').values(row).onConflict((oc) => oc.columns(['subject_kind', 'subject_id', 'reporter_id']).doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export function openReports(db: DbHandle, limit: number): Promise<ReportRow[]> {
  return db.selectFrom('feed_reports').selectAll().where('resolved_at', 'is', null).orderBy('created_at').orderBy('id').limit(limit).execute();
}

/** Resolves the item's open reports; returns who had reported it. */
export async function resolveReports(db: DbHandle, kind: 'post' | 'comment', subjectId: string, by: string, resolution: 'removed' | 'kept', now: number): Promise<string[]> {
  const open = db.selectFrom('feed_reports').select('reporter_id').where('subject_kind', '=', kind).where('subject_id', '=', subjectId).where('resolved_at', 'is', null);
  const reporters = (await open.execute()).map((r) => r.reporter_id);
  await db.updateTable('feed_reports').set({ resolved_at: now, resolved_by: by, resolution })
    .where('subject_kind', '=', kind).where('subject_id', '=', subjectId).where('resolved_at', 'is', null).execute();
  return reporters;
}

export function settingsOf(db: DbHandle, userId: string) {
  return db.selectFrom('feed_settings').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function saveSettings(db: DbHandle, row: { user_id: string; radius_mi: number; push_posts: number; push_replies: number; updated_at: number }): Promise<void> {
  const { radius_mi, push_posts, push_replies, updated_at } = row;
  await db.insertInto('feed_settings').values(row).onConflict((oc) => oc.column('user_id').doUpdateSet({ radius_mi, push_posts, push_replies, updated_at })).execute();
}

/** Residents whose home lies in the box, with their feed settings (null when never saved). */
export function homesIn(db: DbHandle, box: { minLat: number; maxLat: number; minLon: number; maxLon: number }) {
  return db.selectFrom('users as u').leftJoin('feed_settings as s', 's.user_id', 'u.id')
    .select(['u.id', 'u.home_lat', 'u.home_lon', 's.radius_mi', 's.push_posts'])
    .where('u.role', '=', 'resident').where('u.home_lat', '>=', box.minLat).where('u.home_lat', '<=', box.maxLat)
    .where('u.home_lon', '>=', box.minLon).where('u.home_lon', '<=', box.maxLon).execute();
}

export async function withPushSubscriptions(db: DbHandle, userIds: readonly string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db.selectFrom('push_subscriptions').select('user_id').distinct().where('user_id', 'in', [...userIds]).execute();
  return new Set(rows.map((r) => r.user_id));
}

export function attachmentsOf(db: DbHandle, postIds: readonly string[]) {
  if (postIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('feed_attachments').selectAll().where('post_id', 'in', [...postIds]).where('withdrawn_at', 'is', null).orderBy('position').execute();
}

export async function insertAttachment(db: DbHandle, row: Insertable<FeedAttachmentsTable>): Promise<void> {
  await db.insertInto('feed_attachments').values(row).execute();
}

export async function withdrawAttachments(db: DbHandle, postId: string, now: number): Promise<void> {
  await db.updateTable('feed_attachments').set({ withdrawn_at: now }).where('post_id', '=', postId).where('withdrawn_at', 'is', null).execute();
}

/** Everything one resident wrote, deleted and removed items included (their data export). */
export async function authoredBy(db: DbHandle, authorId: string): Promise<{ posts: PostRow[]; comments: CommentRow[] }> {
  const posts = await db.selectFrom('feed_posts').selectAll().where('author_id', '=', authorId).orderBy('created_at').execute();
  const comments = await db.selectFrom('feed_comments').selectAll().where('author_id', '=', authorId).orderBy('created_at').execute();
  return { posts, comments };
}
