// Agency queries. Kysely only; every function takes a DbHandle.
import type { Insertable, Selectable } from 'kysely';
import type { DbHandle } from '../platform/db/db.ts';
import type { AgenciesTable } from '../platform/db/tables/requests.ts';
import type { Area } from './geo.ts';

export type AgencyRow = Selectable<AgenciesTable>;

export async function insertAgency(db: DbHandle, row: Insertable<AgenciesTable>): Promise<void> {
  await db.insertInto('agencies').values(row).execute();
}

export function findAgency(db: DbHandle, id: string): Promise<AgencyRow | undefined> {
  return db.selectFrom('agencies').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listAgencies(db: DbHandle, opts: { verifiedOnly: boolean }): Promise<AgencyRow[]> {
  let q = db.selectFrom('agencies').selectAll();
  if (opts.verifiedOnly) q = q.where('verified_at', 'is not', null);
  return q.orderBy('name').orderBy('id').execute();
}

/** For other capabilities (emergency scopes): the jurisdiction of a verified agency, or null. */
export async function jurisdictionOf(db: DbHandle, agencyId: string): Promise<Area | null> {
  const row = await db.selectFrom('agencies').select('jurisdiction').where('id', '=', agencyId).where('verified_at', 'is not', null).executeTakeFirst();
  return row ? (JSON.parse(row.jurisdiction) as Area) : null;
}

export function agencyMembers(db: DbHandle, agencyId: string) {
  return db.selectFrom('users').select(['id', 'email', 'display_name', 'totp_enabled', 'created_at']).where('agency_id', '=', agencyId).where('role', '=', 'agency').orderBy('created_at').execute();
}
