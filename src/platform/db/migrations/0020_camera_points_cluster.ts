// Request targeting on PostGIS reads ~2,300 GiST candidates for a 0.5 sq mi
// area over 1,000,000 cameras. In insertion order each candidate sat on its own
// heap page (EXPLAIN: "Heap Blocks: exact=2132", ~1,350 of them read from disk
// cold); in the index's order they share ~60 pages. So camera_points is marked
// to cluster on its GiST index, and sorted once now. PostgreSQL does not keep a
// table in that order as rows arrive: after a bulk import, or once many cameras
// have been added, an operator runs `CLUSTER camera_points` (it takes the index
// marked here; docs/scale-out.md, "Targeting"). SQLite needs nothing: the
// R*Tree's row ids are spatial keys (0005b), so its rows are already in order.
import { sql } from 'kysely';
import type { EngineMigration } from './kit.ts';

export const m0020_camera_points_cluster: EngineMigration = {
  async up(db, engine) {
    if (engine !== 'postgres') return;
    const { rows } = await sql<{ ok: boolean }>`select to_regclass('camera_points') is not null as ok`.execute(db);
    if (!rows[0]?.ok) return; // no PostGIS on this server: nothing to cluster
    await sql`alter table camera_points cluster on camera_points_geom`.execute(db);
    // CLUSTER with a table name may run in the migration's transaction (only the bare form may not).
    await sql`cluster camera_points`.execute(db);
    await sql`analyze camera_points`.execute(db);
  },
};
