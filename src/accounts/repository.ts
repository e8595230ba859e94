// Kysely queries for users and sessions. Takes a db handle or a transaction.
import type { DbHandle } from '../platform/db/db.ts';
import { hotQuery } from '../platform/db/hot.ts';
import type { Role, UsersTable } from '../platform/db/tables/accounts.ts';
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';

export type UserRow = Selectable<UsersTable>;
/** The columns GET /api/v1/me shows. */
export type PublicUserRow = Pick<UserRow, 'id' | 'email' | 'display_name' | 'role' | 'agency_id' | 'home_lat' | 'home_lon' | 'totp_enabled' | 'retention_days'>;

export const findUserByEmail = (db: DbHandle, email: string) =>
  db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

export const findUserById = async (db: DbHandle, id: string): Promise<UserRow | undefined> =>
  (await hotQuery(db, 'users.byId', (d) => d.selectFrom('users').selectAll().where('id', '=', '?'), [id]))[0];

export async function insertUser(db: DbHandle, user: Insertable<UsersTable>): Promise<void> {
  await db.insertInto('users').values(user).execute();
}

export async function updateUser(db: DbHandle, id: string, patch: Updateable<UsersTable>): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
}

export async function insertSession(
  db: DbHandle,
  s: { id: string; token_hash: string; user_id: string; created_at: number; expires_at: number; user_agent: string | null; ip: string | null; second_factor: number },
): Promise<void> {
  await db.insertInto('sessions').values({ ...s, last_seen_at: s.created_at }).execute();
}

/** The session and its user in one query (with what /me shows); the hot path of every authenticated request. */
export const findSessionByTokenHash = (db: DbHandle, tokenHash: string) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id as session_id',
      'sessions.expires_at',
      'sessions.last_seen_at',
      'users.id as user_id',
      'users.role',
      'users.agency_id',
      'sessions.second_factor',
      'users.email',
      'users.display_name',
      'users.home_lat',
      'users.home_lon',
      'users.totp_enabled',
      'users.retention_days',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();

export async function markSecondFactor(db: DbHandle, sessionId: string): Promise<void> {
  await db.updateTable('sessions').set({ second_factor: 1 }).where('id', '=', sessionId).execute();
}

export async function touchSession(db: DbHandle, id: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

export const listSessions = (db: DbHandle, userId: string) =>
  db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();

export async function deleteSession(db: DbHandle, userId: string, id: string): Promise<boolean> {
  const res = await db.deleteFrom('sessions').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function deleteOtherSessions(db: DbHandle, userId: string, keepId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('id', '!=', keepId).execute();
}

export const countUsersByRole = async (db: DbHandle, role: Role) =>
  Number((await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).where('role', '=', role).executeTakeFirstOrThrow()).n);

// Sign-in throttling (policy.ts THROTTLE): one row per key, reset when older than the window.
export async function failuresOf(db: DbHandle, keys: string[]): Promise<Map<string, { count: number; lastAt: number }>> {
  const rows = await db.selectFrom('login_failures').select(['key', 'count', 'last_at']).where('key', 'in', keys).execute();
  return new Map(rows.map((r) => [r.key, { count: Number(r.count), lastAt: Number(r.last_at) }]));
}

export async function recordFailures(db: DbHandle, keys: string[], now: number, windowMs: number): Promise<void> {
  await db.insertInto('login_failures').values(keys.map((key) => ({ key, count: 1, last_at: now })))
    .onConflict((oc) => oc.column('key').doUpdateSet({
      count: sql<number>`case when login_failures.last_at < ${now - windowMs} then 1 else login_failures.count + 1 end`,
      last_at: now,
    }))
    .execute();
}

export async function clearFailures(db: DbHandle, keys: string[]): Promise<void> {
  await db.deleteFrom('login_failures').where('key', 'in', keys).execute();
}

/** Rows past the window count as nothing; dropping them keeps an attacker's addresses from piling up. */
export async function pruneFailures(db: DbHandle, before: number): Promise<void> {
  await db.deleteFrom('login_failures').where('last_at', '<', before).execute();
}

export async function isKnownAddress(db: DbHandle, userId: string, address: string): Promise<boolean> {
  return !!(await db.selectFrom('known_addresses').select('seen_at').where('user_id', '=', userId).where('address', '=', address).executeTakeFirst());
}

export async function rememberAddress(db: DbHandle, userId: string, address: string, now: number): Promise<void> {
  await db.insertInto('known_addresses').values({ user_id: userId, address, seen_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'address']).doUpdateSet({ seen_at: now })).execute();
}

// TOTP recovery codes (recovery-codes.ts): stored as keyed hashes only.
/** Replaces every code of the user: old ones, used or not, stop working. */
export async function replaceRecoveryCodes(db: DbHandle, userId: string, hashes: string[], now: number): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db.insertInto('recovery_codes').values(hashes.map((code_hash) => ({ user_id: userId, code_hash, created_at: now, used_at: null }))).execute();
}

/** Spends an unused code in one conditional UPDATE, so two concurrent sign-ins cannot both spend it. */
export async function spendRecoveryCode(db: DbHandle, userId: string, hash: string, now: number): Promise<boolean> {
  const res = await db.updateTable('recovery_codes').set({ used_at: now })
    .where('user_id', '=', userId).where('code_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
