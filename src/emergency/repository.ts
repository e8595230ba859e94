// Emergency-request queries. Kysely only; takes a DbHandle.
import type { Insertable, Selectable, Updateable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { DbHandle } from '../platform/db/db.ts';
import type { Database } from '../platform/db/schema.ts';
import type { EmergencyDeterminationsTable, EmergencyRequestsTable } from '../platform/db/tables/legal.ts';
import type { RequestParties } from '../disclosure/conflict.ts';
import type { EmergencyRecord } from './states.ts';

export type EmergencyRow = Selectable<EmergencyRequestsTable>;
export type DeterminationRow = Selectable<EmergencyDeterminationsTable> & { reviewer_agency_id: string | null };

export async function insertEmergency(db: DbHandle, row: Insertable<EmergencyRequestsTable>): Promise<void> {
  await db.insertInto('emergency_requests').values(row).execute();
}

export async function findEmergency(db: DbHandle, id: string): Promise<EmergencyRow | undefined> {
  return db.selectFrom('emergency_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Who stands behind an emergency request (disclosure/conflict.ts): its agency, requester, and the agency's creator and verifier. */
export async function partiesOf(db: DbHandle, e: Pick<EmergencyRow, 'agency_id' | 'submitted_by'>): Promise<RequestParties> {
  const a = await db.selectFrom('agencies').select(['created_by', 'verified_by']).where('id', '=', e.agency_id).executeTakeFirst();
  return { agencyId: e.agency_id, submittedBy: e.submitted_by, agencyCreatedBy: a?.created_by ?? null, agencyVerifiedBy: a?.verified_by ?? null };
}

type Where = (q: UpdateQueryBuilder<Database, 'emergency_requests', 'emergency_requests', UpdateResult>) => UpdateQueryBuilder<Database, 'emergency_requests', 'emergency_requests', UpdateResult>;

/** Updates the row when `where` still holds (guards against a concurrent reviewer or job). */
export async function updateEmergencyIf(db: DbHandle, id: string, where: Where, set: Updateable<EmergencyRequestsTable>): Promise<boolean> {
  const res = await where(db.updateTable('emergency_requests').set(set).where('id', '=', id)).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** What the state table (states.ts) needs to decide a step on `e`. */
export async function recordOf(db: DbHandle, e: EmergencyRow): Promise<EmergencyRecord> {
  const dets = await determinationsOf(db, e.id);
  return {
    ...(await partiesOf(db, e)), state: e.state, callbackBy: e.callback_by,
    callbackConfirmed: e.callback_confirmed === null ? null : e.callback_confirmed === 1, determinedBy: dets.map((d) => d.reviewer_id),
  };
}

/** Determinations in the order recorded, with each reviewer's agency (staff normally have none). */
export async function determinationsOf(db: DbHandle, emergencyId: string): Promise<DeterminationRow[]> {
  return (await determinationsOfMany(db, [emergencyId])).get(emergencyId) ?? [];
}

/** The determinations of many requests in one query, by request id. */
export async function determinationsOfMany(db: DbHandle, emergencyIds: readonly string[]): Promise<Map<string, DeterminationRow[]>> {
  const out = new Map<string, DeterminationRow[]>(emergencyIds.map((id) => [id, []]));
  if (emergencyIds.length === 0) return out;
  const rows = await db.selectFrom('emergency_determinations')
    .innerJoin('users', 'users.id', 'emergency_determinations.reviewer_id')
    .selectAll('emergency_determinations')
    .select('users.agency_id as reviewer_agency_id')
    .where('emergency_id', 'in', emergencyIds)
    .orderBy('emergency_determinations.created_at').orderBy('emergency_determinations.id')
    .execute();
  for (const r of rows) out.get(r.emergency_id)?.push(r);
  return out;
}

/** The reviewers who approved an emergency. */
export async function approversOf(db: DbHandle, emergencyId: string): Promise<string[]> {
  return (await db.selectFrom('emergency_determinations').select('reviewer_id').where('emergency_id', '=', emergencyId).where('decision', '=', 'approve').execute()).map((r) => r.reviewer_id);
}

export async function insertDetermination(db: DbHandle, row: Insertable<EmergencyDeterminationsTable>): Promise<void> {
  await db.insertInto('emergency_determinations').values(row).execute();
}

export async function listOfAgency(db: DbHandle, agencyId: string, limit: number): Promise<EmergencyRow[]> {
  return db.selectFrom('emergency_requests').selectAll().where('agency_id', '=', agencyId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Requests still under review (any awaiting_* state), oldest first. */
export async function listUnderReview(db: DbHandle, limit: number): Promise<EmergencyRow[]> {
  return db.selectFrom('emergency_requests').selectAll()
    .where('state', 'in', ['awaiting_callback', 'awaiting_first_determination', 'awaiting_second_determination'])
    .orderBy('created_at').orderBy('id').limit(limit).execute();
}

/** Requests with a notice delay waiting for a reviewer, oldest request first. */
export async function listDelaysRequested(db: DbHandle, limit: number): Promise<EmergencyRow[]> {
  return db.selectFrom('emergency_requests').selectAll()
    .where('notice_delay_requested_until', 'is not', null).orderBy('notice_delay_requested_at').orderBy('id').limit(limit).execute();
}

/** Disclosed on or before `disclosedBefore`, with no follow-up linked and not yet flagged. */
export async function overdueFollowUps(db: DbHandle, disclosedBefore: number, limit: number): Promise<EmergencyRow[]> {
  return db.selectFrom('emergency_requests').selectAll()
    .where('disclosed_at', 'is not', null).where('disclosed_at', '<=', disclosedBefore)
    .where('follow_up_demand_id', 'is', null).where('no_follow_up_at', 'is', null)
    .orderBy('disclosed_at').limit(limit).execute();
}

/** What a log entry names of each clip: id, owner and SHA-256. */
export async function logFactsOfClips(db: DbHandle, clipIds: readonly string[]): Promise<{ clipId: string; ownerId: string; sha256: string }[]> {
  if (clipIds.length === 0) return [];
  const rows = await db.selectFrom('clips').select(['id', 'owner_id', 'sha256']).where('id', 'in', clipIds).execute();
  return rows.map((c) => ({ clipId: c.id, ownerId: c.owner_id, sha256: c.sha256 }));
}
