// Legal-demand queries, and the scope lookups legal and emergency share:
// which cameras and clips a scope reaches. Kysely only; takes a DbHandle.
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbHandle } from '../platform/db/db.ts';
import type { LegalDemandsTable } from '../platform/db/tables/legal.ts';
import { distanceM, type Scope } from '../disclosure/policy.ts';
import { overlapsRanges } from './policy.ts';

export type DemandRow = Selectable<LegalDemandsTable>;

export async function insertDemand(db: DbHandle, row: Insertable<LegalDemandsTable>): Promise<void> {
  await db.insertInto('legal_demands').values(row).execute();
}

export async function findDemand(db: DbHandle, id: string): Promise<DemandRow | undefined> {
  return db.selectFrom('legal_demands').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Updates a demand only while it is still in `status` (a second reviewer racing the first changes nothing). */
export async function updateDemandIf(db: DbHandle, id: string, status: DemandRow['status'], set: Updateable<LegalDemandsTable>): Promise<boolean> {
  const res = await db.updateTable('legal_demands').set(set).where('id', '=', id).where('status', '=', status).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function updateDemand(db: DbHandle, id: string, set: Updateable<LegalDemandsTable>): Promise<void> {
  await db.updateTable('legal_demands').set(set).where('id', '=', id).execute();
}

/** Who created and who verified an agency. */
export async function agencyParties(db: DbHandle, agencyId: string): Promise<{ created_by: string; verified_by: string | null } | undefined> {
  return db.selectFrom('agencies').select(['created_by', 'verified_by']).where('id', '=', agencyId).executeTakeFirst();
}

export async function listDemandsOfAgency(db: DbHandle, agencyId: string, limit: number): Promise<DemandRow[]> {
  return db.selectFrom('legal_demands').selectAll().where('agency_id', '=', agencyId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function listDemandsByStatus(db: DbHandle, status: DemandRow['status'], limit: number): Promise<DemandRow[]> {
  return db.selectFrom('legal_demands').selectAll().where('status', '=', status).orderBy('created_at').orderBy('id').limit(limit).execute();
}

export interface ScopeCamera {
  id: string;
  owner_id: string;
  name: string;
  lat: number;
  lon: number;
  e2ee: number;
}

// One degree of latitude is at least 110.5 km; a longitude degree shrinks with cos(lat).
const M_PER_DEG_LAT = 110_500;

/** Cameras the scope reaches: named ones, and those within the circle (bounding box, then exact distance). */
export async function camerasInScope(db: DbHandle, scope: Scope): Promise<ScopeCamera[]> {
  const out = new Map<string, ScopeCamera>();
  const cols = ['id', 'owner_id', 'name', 'lat', 'lon', 'e2ee'] as const;
  if (scope.cameraIds.length) {
    for (const c of await db.selectFrom('cameras').select(cols).where('id', 'in', [...scope.cameraIds]).execute()) out.set(c.id, c);
  }
  if (scope.area) {
    const { lat, lon, radiusM } = scope.area;
    const dLat = radiusM / M_PER_DEG_LAT;
    const dLon = radiusM / (M_PER_DEG_LAT * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
    const near = await db.selectFrom('cameras').select(cols)
      .where('lat', '>=', lat - dLat).where('lat', '<=', lat + dLat).where('lon', '>=', lon - dLon).where('lon', '<=', lon + dLon).execute();
    for (const c of near) if (distanceM(scope.area, c) <= radiusM) out.set(c.id, c);
  }
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export interface ScopeClip {
  id: string;
  owner_id: string;
  camera_id: string;
  sha256: string;
  size: number;
  started_at: number;
  ended_at: number;
  kind: string;
  signed: number;
  e2ee: number;
}

/**
 * Live clips of the scope's cameras in its time ranges. `contain`: the whole
 * clip lies in a range (what may be released, as the disclosure rule reads it);
 * `overlap`: any part does (what a hold must keep).
 */
export async function clipsInScope(db: DbHandle, scope: Scope, mode: 'contain' | 'overlap'): Promise<ScopeClip[]> {
  const cameras = await camerasInScope(db, scope);
  if (cameras.length === 0 || scope.ranges.length === 0) return [];
  const lo = Math.min(...scope.ranges.map((r) => r.from));
  const hi = Math.max(...scope.ranges.map((r) => r.to));
  const rows = await db.selectFrom('clips')
    .select(['id', 'owner_id', 'camera_id', 'sha256', 'size', 'started_at', 'ended_at', 'kind', 'signed', 'e2ee'])
    .where('camera_id', 'in', cameras.map((c) => c.id))
    .where('deleted_at', 'is', null)
    .where('ended_at', '>=', lo)
    .where('started_at', '<=', hi)
    .orderBy('started_at').orderBy('id')
    .execute();
  return rows.filter((c) => {
    const s = Number(c.started_at);
    const e = Number(c.ended_at);
    return mode === 'overlap' ? overlapsRanges(scope.ranges, s, e) : scope.ranges.some((r) => s >= r.from && e <= r.to);
  });
}

/** The live clips held under one hold tag (a preservation demand's, for its one 90-day extension). */
export async function heldClips(db: DbHandle, tag: string): Promise<ScopeClip[]> {
  return db.selectFrom('holds').innerJoin('clips', 'clips.id', 'holds.clip_id')
    .select(['clips.id', 'clips.owner_id', 'clips.camera_id', 'clips.sha256', 'clips.size', 'clips.started_at', 'clips.ended_at', 'clips.kind', 'clips.signed', 'clips.e2ee'])
    .where('holds.created_by', '=', tag).where('clips.deleted_at', 'is', null).distinct().execute();
}

export async function usersByIds(db: DbHandle, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('users').select(['id', 'display_name', 'email', 'agency_id']).where('id', 'in', [...ids]).execute();
}

export async function userAgency(db: DbHandle, userId: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('agency_id').where('id', '=', userId).executeTakeFirst();
  return row?.agency_id ?? null;
}

/** Every stored legal document still referenced: demands' PDFs and emergencies' court orders (the sweep keeps these). */
export async function documentKeysInUse(db: DbHandle): Promise<Set<string>> {
  const demands = await db.selectFrom('legal_demands').select('document_key').execute();
  const orders = await db.selectFrom('emergency_requests').select('notice_delay_order_key').where('notice_delay_order_key', 'is not', null).execute();
  return new Set<string>([...demands.map((d) => d.document_key), ...orders.map((o) => o.notice_delay_order_key!)]);
}

/** Extends a hold that has not been extended; false when another call got there first. */
export async function extendHoldOnce(db: DbHandle, id: string, until: number): Promise<boolean> {
  const res = await db.updateTable('legal_demands').set({ hold_until: until, hold_extended: 1 }).where('id', '=', id).where('hold_extended', '=', 0).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
