// Camera, enrolment-code and device-token queries. Kysely only; every function
// takes a DbHandle (the database or a transaction the service opened).
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbHandle } from '../platform/db/db.ts';
import type { CamerasTable, DeviceEnrolmentsTable, DeviceTokensTable } from '../platform/db/tables/cameras.ts';

export type CameraRow = Selectable<CamerasTable>;
export type EnrolmentRow = Selectable<DeviceEnrolmentsTable>;

/**
 * A live camera by id, whoever owns it; callers decide who may see it. A
 * removed camera is absent here, so nothing new (a clip, a token) attaches to it.
 */
export async function findCamera(db: DbHandle, id: string): Promise<CameraRow | undefined> {
  return db.selectFrom('cameras').selectAll().where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
}

/** Any camera by id, removed ones included: for what clips already recorded (keys, zones, places). */
export async function findCameraIncludingRemoved(db: DbHandle, id: string): Promise<CameraRow | undefined> {
  return db.selectFrom('cameras').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A live camera only when `ownerId` owns it, so another owner's (or a removed) camera looks absent. */
export async function findOwnedCamera(db: DbHandle, ownerId: string, id: string): Promise<CameraRow | undefined> {
  return db.selectFrom('cameras').selectAll().where('id', '=', id).where('owner_id', '=', ownerId).where('removed_at', 'is', null).executeTakeFirst();
}

export async function listCamerasByOwner(db: DbHandle, ownerId: string): Promise<CameraRow[]> {
  return db.selectFrom('cameras').selectAll().where('owner_id', '=', ownerId).where('removed_at', 'is', null).orderBy('created_at').orderBy('id').execute();
}

export async function insertCamera(db: DbHandle, row: Insertable<CamerasTable>): Promise<CameraRow> {
  return db.insertInto('cameras').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateCamera(db: DbHandle, id: string, patch: Updateable<CamerasTable>): Promise<CameraRow | undefined> {
  if (Object.keys(patch).length === 0) return findCamera(db, id);
  return db.updateTable('cameras').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function markCameraRemoved(db: DbHandle, id: string, now: number): Promise<void> {
  await db.updateTable('cameras').set({ removed_at: now }).where('id', '=', id).where('removed_at', 'is', null).execute();
}

/** Deletes a removed camera's row; the database refuses while clips name it (foreign key). */
export async function deleteRemovedCamera(db: DbHandle, id: string): Promise<void> {
  await db.deleteFrom('cameras').where('id', '=', id).where('removed_at', 'is not', null).execute();
}

// Enrolment codes

export async function insertEnrolment(db: DbHandle, row: Insertable<DeviceEnrolmentsTable>): Promise<void> {
  await db.insertInto('device_enrolments').values(row).execute();
}

/** Ends every unused code of a camera, so only the newest code an owner made works. */
export async function closeOpenEnrolments(db: DbHandle, cameraId: string, now: number): Promise<void> {
  await db
    .updateTable('device_enrolments')
    .set({ used_at: now })
    .where('camera_id', '=', cameraId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
}

/**
 * Marks a code used and returns its camera, in one conditional UPDATE: of two
 * devices racing with the same code, exactly one gets the row back.
 */
export async function redeemEnrolment(db: DbHandle, codeHash: string, now: number): Promise<string | undefined> {
  const row = await db
    .updateTable('device_enrolments')
    .set({ used_at: now })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('camera_id')
    .executeTakeFirst();
  return row?.camera_id;
}

export async function findEnrolmentByHash(db: DbHandle, codeHash: string): Promise<EnrolmentRow | undefined> {
  return db.selectFrom('device_enrolments').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
}

// Device tokens

export async function insertDeviceToken(db: DbHandle, row: Insertable<DeviceTokensTable>): Promise<void> {
  await db.insertInto('device_tokens').values(row).execute();
}

/** Revokes every live token of a camera; returns how many were live. */
export async function revokeDeviceTokens(db: DbHandle, cameraId: string, now: number): Promise<number> {
  const res = await db
    .updateTable('device_tokens')
    .set({ revoked_at: now })
    .where('camera_id', '=', cameraId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Revokes one token if it is live; returns 1 when it was, 0 otherwise. */
export async function revokeDeviceToken(db: DbHandle, tokenId: string, now: number): Promise<number> {
  const res = await db.updateTable('device_tokens').set({ revoked_at: now }).where('id', '=', tokenId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** A live token with its camera's owner, by the token's hash. */
export async function findLiveDeviceToken(db: DbHandle, tokenHash: string) {
  return db
    .selectFrom('device_tokens')
    .innerJoin('cameras', 'cameras.id', 'device_tokens.camera_id')
    .select(['device_tokens.id as tokenId', 'device_tokens.camera_id as cameraId', 'cameras.owner_id as ownerId'])
    .where('device_tokens.token_hash', '=', tokenHash)
    .where('device_tokens.revoked_at', 'is', null)
    .where('cameras.removed_at', 'is', null)
    .executeTakeFirst();
}
