// Spatial index over camera locations, for targeting community requests
// (issue 5 §3): an R*Tree on SQLite, PostGIS with a GiST index on PostgreSQL.
// Both are kept in sync with `cameras` by triggers, so the cameras capability
// writes its table as before and never sees the index.
import { sql } from 'kysely';
import type { EngineMigration } from './kit.ts';

/** Cameras one grid cell can hold (2^16) before its keys would run into the next cell's; keys stay below 2^53, so JavaScript reads them exactly. */
const CELL_SLOTS = 65_536;
/** The first key of a point's 0.001° grid cell (row-major), as SQL over two column expressions. */
const CELL_KEY = (lat: string, lon: string) => `((cast((${lat} + 90) * 1000 as integer) * 360001 + cast((${lon} + 180) * 1000 as integer)) * ${CELL_SLOTS})`;

/** The owner's blocked-types mask, as SQL over an owner id expression. */
const MASK_OF = (owner: string) => `coalesce((select blocked_mask from owner_request_policies where user_id = ${owner}), 0)`;

export const m0005b_camera_geo: EngineMigration = {
  async up(db, engine) {
    if (engine === 'sqlite') {
      // The R*Tree carries what targeting reads as auxiliary columns (exact
      // lat/lon, owner, opt-in, the owner's blocked agency types as a bit mask),
      // so a query touches the R*Tree alone: no join, no subquery per camera. Its
      // integer ids are spatial keys: the ~110 m × 80 m grid cell of the camera
      // (0.001°, row-major) times 2^16, plus a counter within the cell. Cameras
      // near each other then sit on the same pages of the R*Tree's row table,
      // which halves a cold query (a random id scatters ~1,000 reads over 1M rows).
      // camera_geo_ids maps cameras to their current key (rowids of `cameras`
      // itself are not stable: VACUUM may renumber them).
      await sql`create table camera_geo_ids (rid integer primary key, camera_id text not null unique)`.execute(db);
      await sql`create virtual table camera_rtree using rtree(rid, min_lat, max_lat, min_lon, max_lon, +camera_id, +owner_id, +lat, +lon, +community_requests, +blocked)`.execute(db);
      await sql`insert into camera_geo_ids(rid, camera_id)
        select ${sql.raw(CELL_KEY('lat', 'lon'))} + row_number() over (partition by ${sql.raw(CELL_KEY('lat', 'lon'))} order by id) - 1, id from cameras`.execute(db);
      await sql`insert into camera_rtree select g.rid, c.lat, c.lat, c.lon, c.lon, c.id, c.owner_id, c.lat, c.lon, c.community_requests, ${sql.raw(MASK_OF('c.owner_id'))}
        from camera_geo_ids g join cameras c on c.id = g.camera_id`.execute(db);
      const place = sql.raw(`
        insert into camera_geo_ids(rid, camera_id)
          select coalesce((select max(g.rid) + 1 from camera_geo_ids g where g.rid >= k.base and g.rid < k.base + ${CELL_SLOTS}), k.base), new.id
          from (select ${CELL_KEY('new.lat', 'new.lon')} as base) k;
        insert into camera_rtree select rid, new.lat, new.lat, new.lon, new.lon, new.id, new.owner_id, new.lat, new.lon, new.community_requests, ${MASK_OF('new.owner_id')}
          from camera_geo_ids where camera_id = new.id;`);
      const unplace = (ref: 'old' | 'new') => sql.raw(`
        delete from camera_rtree where rid = (select rid from camera_geo_ids where camera_id = ${ref}.id);
        delete from camera_geo_ids where camera_id = ${ref}.id;`);
      await sql`create trigger cameras_geo_insert after insert on cameras begin ${place} end`.execute(db);
      // A move changes the cell, so the camera gets a new key.
      await sql`create trigger cameras_geo_move after update of lat, lon on cameras begin ${unplace('old')} ${place} end`.execute(db);
      await sql`create trigger cameras_geo_update after update of owner_id, community_requests on cameras begin
        update camera_rtree set owner_id = new.owner_id, community_requests = new.community_requests, blocked = ${sql.raw(MASK_OF('new.owner_id'))}
          where rid = (select rid from camera_geo_ids where camera_id = new.id);
      end`.execute(db);
      // An owner's policy change reaches each of their cameras in the index.
      const spread = (ref: 'old' | 'new', mask: string) => sql.raw(`
        update camera_rtree set blocked = ${mask}
          where rid in (select g.rid from cameras c join camera_geo_ids g on g.camera_id = c.id where c.owner_id = ${ref}.user_id);`);
      await sql`create trigger owner_policy_insert after insert on owner_request_policies begin ${spread('new', 'new.blocked_mask')} end`.execute(db);
      await sql`create trigger owner_policy_update after update of blocked_mask on owner_request_policies begin ${spread('new', 'new.blocked_mask')} end`.execute(db);
      await sql`create trigger owner_policy_delete after delete on owner_request_policies begin ${spread('old', '0')} end`.execute(db);
      await sql`create trigger cameras_geo_delete after delete on cameras begin ${unplace('old')} end`.execute(db);
      return;
    }
    // PostgreSQL: PostGIS when the server has it (CI installs postgresql-15-postgis-3);
    // without it targeting falls back to the (lat, lon) b-tree and an exact check.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_available_extensions where name = 'postgis'`.execute(db);
    if (!rows[0] || rows[0].n === 0) return;
    await sql`create extension if not exists postgis`.execute(db);
    // Owner and opt-in ride along (as in the R*Tree), so targeting reads this table alone.
    await sql`create table camera_points (
      camera_id text primary key references cameras(id) on delete cascade,
      owner_id text not null,
      community_requests integer not null,
      geom geometry(Point, 4326) not null
    )`.execute(db);
    await sql`create index camera_points_geom on camera_points using gist (geom)`.execute(db);
    await sql`insert into camera_points select id, owner_id, community_requests, ST_SetSRID(ST_MakePoint(lon, lat), 4326) from cameras`.execute(db);
    await sql`create function cameras_geo_sync() returns trigger language plpgsql as $$
      begin
        insert into camera_points(camera_id, owner_id, community_requests, geom)
          values (new.id, new.owner_id, new.community_requests, ST_SetSRID(ST_MakePoint(new.lon, new.lat), 4326))
          on conflict (camera_id) do update set owner_id = excluded.owner_id, community_requests = excluded.community_requests, geom = excluded.geom;
        return null;
      end $$`.execute(db);
    await sql`create trigger cameras_geo_sync after insert or update of lat, lon, owner_id, community_requests on cameras for each row execute function cameras_geo_sync()`.execute(db);
  },
};
