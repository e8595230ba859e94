// Which cameras lie inside a request's area (issue 5 §3, "Targeting").
// SQLite: R*Tree candidates by bounding box, then an exact point-in-polygon.
// PostgreSQL: PostGIS ST_Covers on a GiST-indexed point column (exact, planar
// in longitude/latitude like turf's test); without PostGIS, the (lat, lon)
// b-tree and the same exact test. Only cameras that take part in community
// requests, of owners who have not blocked the agency's type, are kept (the
// owner's blocked types as a bit mask, copied by triggers into the R*Tree
// and into camera_points, so no per-camera subquery runs).
import { sql } from 'kysely';
import type { Polygon } from 'geojson';
import type { Db, DbHandle } from '../platform/db/db.ts';
import { bboxOf, pointTester } from '../agencies/geo.ts';
import { typeMask } from '../agencies/policy.ts';

export interface TargetCamera {
  id: string;
  owner_id: string;
  lat: number;
  lon: number;
}

const postgis = new WeakMap<Db, Promise<boolean>>();

/** Whether this PostgreSQL database has the PostGIS point table (migration 0005b). */
export function hasPostgis(db: Db): Promise<boolean> {
  if (db.engine !== 'postgres') return Promise.resolve(false);
  let p = postgis.get(db);
  if (!p) {
    p = sql<{ ok: boolean }>`select to_regclass('camera_points') is not null as ok`.execute(db.kysely).then((r) => r.rows[0]?.ok === true);
    postgis.set(db, p);
  }
  return p;
}

/**
 * The PostGIS query, on its own so that the benchmark can EXPLAIN exactly what
 * runs. ST_Covers on the geometry column itself (no cast to geography, no
 * function of `geom`), so the planner turns it into a GiST condition (`geom @
 * area`, the area's bounding box) and runs the exact test on those candidates.
 */
export function postgisTargeting(area: Polygon, agencyType: string) {
  return sql<TargetCamera>`
    select p.camera_id as id, p.owner_id, ST_Y(p.geom) as lat, ST_X(p.geom) as lon from camera_points p
    where ST_Covers(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(area)}), 4326), p.geom)
      and p.community_requests = 1 and (p.blocked & ${typeMask([agencyType])}) = 0`;
}

/**
 * Cameras inside the polygon that take part in community requests and whose
 * owner has not blocked `agencyType`. `handle` may be a transaction.
 */
export async function targetCameras(db: Db, handle: DbHandle, area: Polygon, agencyType: string): Promise<TargetCamera[]> {
  const bit = typeMask([agencyType]);
  if (await hasPostgis(db)) return (await postgisTargeting(area, agencyType).execute(handle)).rows;
  const b = bboxOf(area);
  let rows: TargetCamera[];
  if (db.engine === 'sqlite') {
    // Overlap, not containment: the R*Tree stores 32-bit floats rounded outward.
    // The exact lat/lon come from its auxiliary columns (64-bit), for the exact test below.
    ({ rows } = await sql<TargetCamera>`
      select r.camera_id as id, r.owner_id, r.lat, r.lon from camera_rtree r
      where r.max_lat >= ${b.minLat} and r.min_lat <= ${b.maxLat} and r.max_lon >= ${b.minLon} and r.min_lon <= ${b.maxLon}
        and r.community_requests = 1 and (r.blocked & ${bit}) = 0`.execute(handle));
  } else {
    ({ rows } = await sql<TargetCamera>`
      select c.id, c.owner_id, c.lat, c.lon from cameras c
      where c.lat between ${b.minLat} and ${b.maxLat} and c.lon between ${b.minLon} and ${b.maxLon}
        and c.community_requests = 1
        and not exists (select 1 from owner_request_policies o where o.user_id = c.owner_id and (o.blocked_mask & ${bit}) <> 0)`.execute(handle));
  }
  const inside = pointTester(area);
  return rows.filter((c) => inside(Number(c.lat), Number(c.lon)));
}

/** Distinct owners of the targeted cameras: one inbox item per owner, not per camera. */
export async function targetOwners(db: Db, handle: DbHandle, area: Polygon, agencyType: string): Promise<string[]> {
  return [...new Set((await targetCameras(db, handle, area, agencyType)).map((c) => c.owner_id))];
}
