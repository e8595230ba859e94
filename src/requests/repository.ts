// Community-request queries. Kysely only; every function takes a DbHandle.
import type { Insertable, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { DbHandle, Engine } from '../platform/db/db.ts';
import type { CommunityRequestsTable, RequestRecipientsTable } from '../platform/db/tables/requests.ts';

export type RequestRow = Selectable<CommunityRequestsTable>;
export type RecipientRow = Selectable<RequestRecipientsTable>;

const CHUNK = 500;

export async function insertRequest(db: DbHandle, row: Insertable<CommunityRequestsTable>): Promise<void> {
  await db.insertInto('community_requests').values(row).execute();
}

export function findRequest(db: DbHandle, id: string): Promise<RequestRow | undefined> {
  return db.selectFrom('community_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Serialises writers on one row: a no-op on SQLite, whose transactions already hold the only connection. */
export async function lockRow(db: DbHandle, engine: Engine, table: 'community_requests' | 'agencies', id: string): Promise<void> {
  if (engine === 'postgres') await sql`select id from ${sql.table(table)} where id = ${id} for update`.execute(db);
}

export function listByAgency(db: DbHandle, agencyId: string, limit = 200): Promise<RequestRow[]> {
  return db.selectFrom('community_requests').selectAll().where('agency_id', '=', agencyId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
}

export async function countCreatedSince(db: DbHandle, agencyId: string, since: number): Promise<number> {
  const r = await db.selectFrom('community_requests').select((eb) => eb.fn.countAll<number>().as('n')).where('agency_id', '=', agencyId).where('created_at', '>', since).executeTakeFirstOrThrow();
  return Number(r.n);
}

export function listByStatus(db: DbHandle, statuses: RequestRow['status'][], limit = 200): Promise<RequestRow[]> {
  return db.selectFrom('community_requests').selectAll().where('status', 'in', statuses).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
}

export async function updateRequest(db: DbHandle, id: string, patch: Updateable<CommunityRequestsTable>, whereStatus?: RequestRow['status']): Promise<boolean> {
  let q = db.updateTable('community_requests').set(patch).where('id', '=', id);
  if (whereStatus) q = q.where('status', '=', whereStatus);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertRecipients(db: DbHandle, requestId: string, ownerIds: readonly string[], now: number): Promise<void> {
  const rows = ownerIds.map((owner_id) => ({ request_id: requestId, owner_id, notified_at: now, reminded_24_at: null, reminded_72_at: null, answered_at: null, answer: null, neighbor_no: null }));
  for (let i = 0; i < rows.length; i += CHUNK) await db.insertInto('request_recipients').values(rows.slice(i, i + CHUNK)).execute();
}

export function findRecipient(db: DbHandle, requestId: string, ownerId: string): Promise<RecipientRow | undefined> {
  return db.selectFrom('request_recipients').selectAll().where('request_id', '=', requestId).where('owner_id', '=', ownerId).executeTakeFirst();
}

export async function updateRecipient(db: DbHandle, requestId: string, ownerId: string, patch: Updateable<RequestRecipientsTable>): Promise<void> {
  await db.updateTable('request_recipients').set(patch).where('request_id', '=', requestId).where('owner_id', '=', ownerId).execute();
}

export async function nextNeighborNo(db: DbHandle, requestId: string): Promise<number> {
  const r = await db.selectFrom('request_recipients').select((eb) => eb.fn.max('neighbor_no').as('m')).where('request_id', '=', requestId).executeTakeFirst();
  return Number(r?.m ?? 0) + 1;
}

/** Pseudonym numbers of this request's sharers, by owner. */
export async function neighborNumbers(db: DbHandle, requestId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('request_recipients').select(['owner_id', 'neighbor_no']).where('request_id', '=', requestId).where('neighbor_no', 'is not', null).execute();
  return new Map(rows.map((r) => [r.owner_id, Number(r.neighbor_no)]));
}

/** An owner's inbox: the requests they received, newest first, with the request columns. */
export function inboxOf(db: DbHandle, ownerId: string, limit = 200, requestId?: string) {
  let q = db.selectFrom('request_recipients as rr')
    .innerJoin('community_requests as r', 'r.id', 'rr.request_id')
    .innerJoin('agencies as a', 'a.id', 'r.agency_id')
    .selectAll('r')
    .select(['rr.notified_at', 'rr.answered_at', 'rr.answer', 'a.name as agency_name', 'a.type as agency_type'])
    .where('rr.owner_id', '=', ownerId);
  if (requestId) q = q.where('rr.request_id', '=', requestId);
  return q.orderBy('rr.notified_at', 'desc').orderBy('r.id').limit(limit).execute();
}

/** Recipients who have not answered an open request and are due a reminder. */
/**
 * Recipients due a reminder. With `claim` (PostgreSQL, inside the transaction
 * that records the reminders), their rows are locked FOR UPDATE SKIP LOCKED:
 * a run on another node skips them, and once this one commits they no longer
 * qualify, so each reminder is sent by exactly one node.
 */
export function remindable(db: DbHandle, now: number, firstAfterMs: number, limit: number, claim: boolean) {
  return db.selectFrom('request_recipients as rr')
    .innerJoin('community_requests as r', 'r.id', 'rr.request_id')
    .innerJoin('agencies as a', 'a.id', 'r.agency_id')
    .select(['rr.request_id', 'rr.owner_id', 'rr.reminded_24_at', 'rr.reminded_72_at', 'r.sent_at', 'r.incident_type', 'r.window_start', 'r.window_end', 'a.name as agency_name'])
    .where('r.status', '=', 'approved').where('r.closed_at', 'is', null).where('r.expires_at', '>', now)
    .where('r.sent_at', '<=', now - firstAfterMs)
    .where('rr.answered_at', 'is', null).where('rr.reminded_72_at', 'is', null)
    .limit(limit)
    .$if(claim, (q) => q.forUpdate('rr').skipLocked())
    .execute();
}

/** The owner's clips (metadata only, never bytes) whose time overlaps the window, with their camera's place. */
export function ownClipsInWindow(db: DbHandle, ownerId: string, from: number, to: number) {
  return db.selectFrom('clips').innerJoin('cameras', 'cameras.id', 'clips.camera_id')
    .select(['clips.id', 'clips.camera_id', 'clips.started_at', 'clips.ended_at', 'clips.kind', 'clips.e2ee', 'clips.thumbnail_key', 'cameras.name as camera_name', 'cameras.lat', 'cameras.lon'])
    .where('clips.owner_id', '=', ownerId).where('cameras.owner_id', '=', ownerId).where('clips.deleted_at', 'is', null)
    // Wholly inside the window, as for warrants: footage from outside it was not asked for.
    .where('clips.started_at', '>=', from).where('clips.ended_at', '<=', to)
    .orderBy('clips.started_at').orderBy('clips.id').execute();
}

export async function blockedTypesOf(db: DbHandle, userId: string): Promise<string[]> {
  const r = await db.selectFrom('owner_request_policies').select('blocked_agency_types').where('user_id', '=', userId).executeTakeFirst();
  if (!r) return [];
  try {
    const v: unknown = JSON.parse(r.blocked_agency_types);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Stores the list and its bit mask (`mask` from agencies/policy.ts typeMask). */
export async function setBlockedTypes(db: DbHandle, userId: string, types: readonly string[], mask: number, now: number): Promise<void> {
  const value = JSON.stringify([...new Set(types)].sort());
  await db.insertInto('owner_request_policies').values({ user_id: userId, blocked_agency_types: value, blocked_mask: mask, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ blocked_agency_types: value, blocked_mask: mask, updated_at: now })).execute();
}

/** Which of these users have at least one browser subscribed to web push. */
export async function withPushSubscriptions(db: DbHandle, userIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const rows = await db.selectFrom('push_subscriptions').select('user_id').distinct().where('user_id', 'in', userIds.slice(i, i + CHUNK)).execute();
    for (const r of rows) out.add(r.user_id);
  }
  return out;
}

/**
 * Records a share and gives the owner this request's next pseudonym number if
 * they have none: numbers follow sharing order, so they are stable within a
 * request and say nothing across requests. The request row lock serialises
 * concurrent first shares (PostgreSQL); SQLite transactions are serial anyway.
 */
/** Marks the owner's answer shared; true when this is the home's first share for the request. */
export async function recordShare(db: DbHandle, engine: Engine, requestId: string, ownerId: string, now: number): Promise<boolean> {
  await lockRow(db, engine, 'community_requests', requestId);
  const rec = await findRecipient(db, requestId, ownerId);
  if (!rec) return false;
  const patch: Updateable<RequestRecipientsTable> = { answer: 'shared', answered_at: rec.answer === 'shared' ? rec.answered_at : now };
  if (rec.neighbor_no === null) patch.neighbor_no = await nextNeighborNo(db, requestId);
  await updateRecipient(db, requestId, ownerId, patch);
  return rec.answer !== 'shared';
}
