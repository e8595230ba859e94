// Kysely queries for user administration. The list selects only the columns
// the admin page shows: no home, no settings, nothing about clips.
import { sql } from 'kysely';
import type { DbHandle } from '../platform/db/db.ts';
import type { Role } from '../platform/db/tables/accounts.ts';

export interface AdminUserRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  agency_id: string | null;
  suspended_at: number | null;
  totp_enabled: number;
  created_at: number;
  last_seen_at: number | null;
}

/** A LIKE prefix pattern for `q`, with its wildcards escaped (the ESCAPE clause below). */
const prefix = (q: string) => `${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Newest first; keyset on (created_at, id). Deleted accounts are gone for good and not listed. */
export async function listUsers(db: DbHandle, q: { q?: string; role?: Role; ids?: string[]; before?: { t: number; id: string }; limit: number }): Promise<AdminUserRow[]> {
  let sel = db.selectFrom('users')
    .select(['users.id', 'users.email', 'users.display_name', 'users.role', 'users.agency_id', 'users.suspended_at', 'users.totp_enabled', 'users.created_at'])
    .select((eb) => eb.selectFrom('sessions').whereRef('sessions.user_id', '=', 'users.id').select((e) => e.fn.max('sessions.last_seen_at').as('m')).as('last_seen_at'))
    .where('users.deleted_at', 'is', null);
  if (q.role) sel = sel.where('users.role', '=', q.role);
  if (q.ids) sel = sel.where('users.id', 'in', q.ids);
  if (q.q) {
    const p = prefix(q.q);
    sel = sel.where(sql<boolean>`(users.email like ${p} escape '\\' or lower(users.display_name) like ${p} escape '\\')`);
  }
  if (q.before) {
    const { t, id } = q.before;
    sel = sel.where((eb) => eb.or([eb('users.created_at', '<', t), eb.and([eb('users.created_at', '=', t), eb('users.id', '<', id)])]));
  }
  const rows = await sel.orderBy('users.created_at', 'desc').orderBy('users.id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at), suspended_at: r.suspended_at === null ? null : Number(r.suspended_at), last_seen_at: r.last_seen_at === null ? null : Number(r.last_seen_at), totp_enabled: Number(r.totp_enabled) }));
}

export const findTarget = (db: DbHandle, id: string) =>
  db.selectFrom('users').select(['id', 'email', 'role', 'suspended_at', 'totp_enabled']).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();

export const countActiveAdmins = async (db: DbHandle) =>
  Number((await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n'))
    .where('role', '=', 'admin').where('suspended_at', 'is', null).where('deleted_at', 'is', null).executeTakeFirstOrThrow()).n);

export async function setSuspended(db: DbHandle, id: string, at: number | null): Promise<void> {
  await db.updateTable('users').set({ suspended_at: at }).where('id', '=', id).execute();
}

export async function deleteAllSessions(db: DbHandle, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/** TOTP off and every recovery code gone: the next sign-in needs the password alone, and enrolment starts afresh. */
export async function clearTotp(db: DbHandle, userId: string): Promise<void> {
  await db.updateTable('users').set({ totp_secret: null, totp_enabled: 0, totp_last_step: null }).where('id', '=', userId).execute();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}

/** The agency's name, read straight from its table: accounts sits below agencies/ and must not import it. */
export const findAgencyName = async (db: DbHandle, id: string) =>
  (await db.selectFrom('agencies').select('name').where('id', '=', id).executeTakeFirst())?.name;
