// Clip, hold and access-log queries. Kysely only; every function takes a
// DbHandle (the database or a transaction the service opened).
import { sql, type ExpressionBuilder, type Insertable, type Selectable } from 'kysely';
import type { DbHandle } from '../platform/db/db.ts';
import type { Database } from '../platform/db/schema.ts';
import type { AccessLogTable, ClipsTable, HoldsTable } from '../platform/db/tables/clips.ts';

export type ClipRow = Selectable<ClipsTable>;
export type HoldRow = Selectable<HoldsTable>;
export type AccessLogRow = Selectable<AccessLogTable>;

export async function insertClip(db: DbHandle, row: Insertable<ClipsTable>): Promise<void> {
  await db.insertInto('clips').values(row).execute();
}

/** A live (not deleted) clip by id, whoever owns it; callers decide who may see it. */
export async function findClip(db: DbHandle, id: string): Promise<ClipRow | undefined> {
  return db.selectFrom('clips').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

/** A live clip only when `ownerId` owns it, so another owner's clip looks absent. */
export async function findOwnedClip(db: DbHandle, ownerId: string, id: string): Promise<ClipRow | undefined> {
  return db.selectFrom('clips').selectAll().where('id', '=', id).where('owner_id', '=', ownerId).where('deleted_at', 'is', null).executeTakeFirst();
}

/** Any clip, deleted ones included, made from the envelope with this id (replays of an end-to-end upload). */
export async function findByEnvelopeId(db: DbHandle, envelopeId: string): Promise<ClipRow | undefined> {
  return db.selectFrom('clips').selectAll().where('envelope_id', '=', envelopeId).executeTakeFirst();
}

/** A live, not end-to-end clip of this owner's camera with these plaintext bytes (clips_camera_sha256). */
export async function findLiveBySha256(db: DbHandle, ownerId: string, cameraId: string, sha256: string): Promise<ClipRow | undefined> {
  return db
    .selectFrom('clips')
    .selectAll()
    .where('camera_id', '=', cameraId)
    .where('sha256', '=', sha256)
    .where('owner_id', '=', ownerId)
    .where('e2ee', '=', 0)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/** The clip an earlier upload with the same idempotency key made (a deleted one too). */
export async function findByIdempotencyKey(db: DbHandle, ownerId: string, cameraId: string, key: string): Promise<ClipRow | undefined> {
  return db.selectFrom('clips').selectAll().where('owner_id', '=', ownerId).where('camera_id', '=', cameraId).where('idempotency_key', '=', key).executeTakeFirst();
}

export interface ListFilter {
  ownerId: string;
  cameraId?: string;
  from?: number;
  to?: number;
  /** Keyset cursor: rows strictly after (started_at, id) in descending order. */
  after?: { startedAt: number; id: string };
  limit: number;
}

/** Newest first; keyset pagination on (started_at, id). */
export async function listClips(db: DbHandle, f: ListFilter): Promise<ClipRow[]> {
  let q = db.selectFrom('clips').selectAll().where('owner_id', '=', f.ownerId).where('deleted_at', 'is', null);
  if (f.cameraId) q = q.where('camera_id', '=', f.cameraId);
  if (f.from !== undefined) q = q.where('ended_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('started_at', '<=', f.to);
  if (f.after) {
    const { startedAt, id } = f.after;
    q = q.where((eb) => eb.or([eb('started_at', '<', startedAt), eb.and([eb('started_at', '=', startedAt), eb('id', '<', id)])]));
  }
  return q.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

export async function setThumbnail(db: DbHandle, id: string, key: string): Promise<boolean> {
  const res = await db.updateTable('clips').set({ thumbnail_key: key }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Every blob key a live row points at (for the start-up orphan sweep). */
export async function referencedBlobKeys(db: DbHandle): Promise<Set<string>> {
  const rows = await db.selectFrom('clips').select(['blob_key', 'thumbnail_key']).where('deleted_at', 'is', null).execute();
  const keys = new Set<string>();
  for (const r of rows) {
    if (r.blob_key) keys.add(r.blob_key);
    if (r.thumbnail_key) keys.add(r.thumbnail_key);
  }
  return keys;
}

// Holds

export async function insertHold(db: DbHandle, row: Insertable<HoldsTable>): Promise<void> {
  await db.insertInto('holds').values(row).execute();
}

export async function releaseHold(db: DbHandle, id: string, by: string, now: number): Promise<boolean> {
  const res = await db.updateTable('holds').set({ released_at: now, released_by: by }).where('id', '=', id).where('released_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function activeHolds(db: DbHandle, clipId: string, now: number): Promise<HoldRow[]> {
  return db
    .selectFrom('holds')
    .selectAll()
    .where('clip_id', '=', clipId)
    .where('released_at', 'is', null)
    .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', now)]))
    .execute();
}

/**
 * The one test of "a hold keeps this clip" (a preservation hold, or one placed
 * for a warrant): placed, not released, and not past its end. Deletion,
 * the retention sweep and the retention preview all ask it here.
 */
export function heldAt<TB extends 'clips'>(eb: ExpressionBuilder<Database, TB>, now: number) {
  const e = eb as unknown as ExpressionBuilder<Database, 'clips'>;
  return e.exists(
    e.selectFrom('holds')
      .select('holds.id')
      .whereRef('holds.clip_id', '=', 'clips.id')
      .where('holds.released_at', 'is', null)
      .where((h) => h.or([h('holds.until', 'is', null), h('holds.until', '>', now)])),
  );
}

/**
 * Live clips past their retention period that no active hold protects: the
 * camera's own days, else the owner's (policy.retentionEndsAt, in SQL so the
 * sweep scales). Oldest first, at most `limit`.
 */
export async function expiredClips(db: DbHandle, now: number, limit: number): Promise<ClipRow[]> {
  return db
    .selectFrom('clips')
    .innerJoin('users', 'users.id', 'clips.owner_id')
    .innerJoin('cameras', 'cameras.id', 'clips.camera_id')
    .selectAll('clips')
    .where('clips.deleted_at', 'is', null)
    .where(sql<boolean>`clips.started_at + coalesce(cameras.retention_days, users.retention_days) * cast(86400000 as bigint) < ${now}`)
    .where((eb) => eb.not(heldAt(eb, now)))
    .orderBy('clips.started_at')
    .limit(limit)
    .execute();
}

// Retention setting (a column of users, set from here).

export async function setRetentionDays(db: DbHandle, userId: string, days: number): Promise<void> {
  await db.updateTable('users').set({ retention_days: days }).where('id', '=', userId).execute();
}

/** A camera's own retention (a column of cameras, set from here); null: the owner's default. */
export async function setCameraRetentionDays(db: DbHandle, cameraId: string, days: number | null): Promise<void> {
  await db.updateTable('cameras').set({ retention_days: days }).where('id', '=', cameraId).execute();
}

export interface RetentionPreviewRow {
  id: string;
  started_at: number;
  held: boolean;
}

/** A camera's live clips, oldest (first to go) first, each with whether a hold keeps it now. */
export async function retentionPreview(db: DbHandle, cameraId: string, now: number, limit: number, after?: { startedAt: number; id: string }): Promise<RetentionPreviewRow[]> {
  let q = db
    .selectFrom('clips')
    .select((eb) => ['clips.id', 'clips.started_at', heldAt(eb, now).as('held')])
    .where('clips.camera_id', '=', cameraId)
    .where('clips.deleted_at', 'is', null);
  if (after) {
    const { startedAt, id } = after;
    q = q.where((eb) => eb.or([eb('clips.started_at', '>', startedAt), eb.and([eb('clips.started_at', '=', startedAt), eb('clips.id', '>', id)])]));
  }
  const rows = await q.orderBy('clips.started_at').orderBy('clips.id').limit(limit).execute();
  // SQLite answers exists() with 0/1, PostgreSQL with a boolean.
  return rows.map((r) => ({ id: r.id, started_at: Number(r.started_at), held: Boolean(Number(r.held)) }));
}

export async function retentionDays(db: DbHandle, userId: string): Promise<number> {
  const row = await db.selectFrom('users').select('retention_days').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.retention_days;
}

// Access log

export async function insertAccess(db: DbHandle, row: Insertable<AccessLogTable>): Promise<void> {
  await db.insertInto('access_log').values(row).execute();
}

export async function listAccess(db: DbHandle, ownerId: string, limit: number, before?: { at: number; id: string }): Promise<AccessLogRow[]> {
  let q = db.selectFrom('access_log').selectAll().where('owner_id', '=', ownerId);
  if (before) q = q.where((eb) => eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
  return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Crypto-shred unless an active hold protects the clip, in one conditional
 * UPDATE: the wrapped key and blob references go, the row stays as a tombstone.
 */
export async function markDeletedUnlessHeld(db: DbHandle, id: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('clips')
    .set({ wrapped_key: null, blob_key: null, thumbnail_key: null, deleted_at: now })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.not(heldAt(eb, now)))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Tombstones of a camera's deleted clips, for removing the camera itself (they reference it). */
export async function purgeTombstones(db: DbHandle, cameraId: string): Promise<void> {
  const dead = db.selectFrom('clips').select('id').where('camera_id', '=', cameraId).where('deleted_at', 'is not', null);
  await db.deleteFrom('holds').where('clip_id', 'in', dead).execute();
  await db.deleteFrom('clips').where('camera_id', '=', cameraId).where('deleted_at', 'is not', null).execute();
}
