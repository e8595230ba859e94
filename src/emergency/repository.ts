// Emergency-request queries. Kysely only; takes a DbHandle.
import type { Insertable, Selectable, Updateable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { DbHandle } from '../platform/db/db.ts';
import type { Database } from '../platform/db/schema.ts';
import type { EmergencyDeterminationsTable, EmergencyRequestsTable } from '../platform/db/tables/legal.ts';
import type { RequestParties } from '../disclosure/conflict.ts';

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

/** Determinations in the order recorded, with each reviewer's agency (staff normally have none). */
export async function determinationsOf(db: DbHandle, emergencyId: string): Promise<DeterminationRow[]> {
  return db.selectFrom('emergency_determinations')
    .innerJoin('users', 'users.id', 'emergency_determinations.reviewer_id')
    .selectAll('emergency_determinations')
    .select('users.agency_id as reviewer_agency_id')
    .where('emergency_id', '=', emergencyId)
    .orderBy('emergency_determinations.created_at').orderBy('emergency_determinations.id')
    .execute();
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

export async function listPending(db: DbHandle, limit: number): Promise<EmergencyRow[]> {
  return db.selectFrom('emergency_requests').selectAll().where('status', '=', 'pending').orderBy('created_at').orderBy('id').limit(limit).execute();
}

/** Disclosed on or before `disclosedBefore`, with no follow-up linked and not yet flagged. */
export async function overdueFollowUps(db: DbHandle, disclosedBefore: number, limit: number): Promise<EmergencyRow[]> {
  return db.selectFrom('emergency_requests').selectAll()
    .where('disclosed_at', 'is not', null).where('disclosed_at', '<=', disclosedBefore)
    .where('follow_up_demand_id', 'is', null).where('no_follow_up_at', 'is', null)
    .orderBy('disclosed_at').limit(limit).execute();
}
