// Community requests, PostgreSQL: the owner's blocked-agency-types mask rides along in
// camera_points (as it does in the SQLite R*Tree since 0005b), so targeting
// needs no subquery per camera. Kept in sync by triggers on cameras and on
// owner_request_policies. SQLite: nothing to do.
import { sql } from 'kysely';
import type { EngineMigration } from './kit.ts';

const MASK_OF = (owner: string) => `coalesce((select blocked_mask from owner_request_policies where user_id = ${owner}), 0)`;

export const m0007b_camera_points_blocked: EngineMigration = {
  async up(db, engine) {
    if (engine !== 'postgres') return;
    const { rows } = await sql<{ ok: boolean }>`select to_regclass('camera_points') is not null as ok`.execute(db);
    if (!rows[0]?.ok) return; // no PostGIS on this server: targeting uses the cameras table and the policy table directly
    await sql`alter table camera_points add column blocked integer not null default 0`.execute(db);
    await sql`create index camera_points_owner on camera_points (owner_id)`.execute(db);
    await sql`update camera_points p set blocked = o.blocked_mask from owner_request_policies o where o.user_id = p.owner_id`.execute(db);
    await sql`create or replace function cameras_geo_sync() returns trigger language plpgsql as $$
      begin
        insert into camera_points(camera_id, owner_id, community_requests, blocked, geom)
          values (new.id, new.owner_id, new.community_requests, ${sql.raw(MASK_OF('new.owner_id'))}, ST_SetSRID(ST_MakePoint(new.lon, new.lat), 4326))
          on conflict (camera_id) do update set owner_id = excluded.owner_id, community_requests = excluded.community_requests,
            blocked = excluded.blocked, geom = excluded.geom;
        return null;
      end $$`.execute(db);
    await sql`create function owner_policy_sync() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          update camera_points set blocked = 0 where owner_id = old.user_id;
        else
          update camera_points set blocked = new.blocked_mask where owner_id = new.user_id;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger owner_policy_sync after insert or update of blocked_mask or delete on owner_request_policies for each row execute function owner_policy_sync()`.execute(db);
  },
};
