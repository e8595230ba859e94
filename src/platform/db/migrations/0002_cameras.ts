import type { EngineMigration } from './kit.ts';

export const m0002_cameras: EngineMigration = {
  async up(db) {
    await db.schema
      .createTable('cameras')
      .addColumn('id', 'text', (c) => c.primaryKey())
      // No cascade: removing an account must decide what happens to its cameras and clips.
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('heading', 'double precision')
      .addColumn('fov_degrees', 'double precision')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('community_requests', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('e2ee', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('privacy_zones', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('device_public_key', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      // Set when the owner removes a camera that clips (or their tombstones) still name.
      .addColumn('removed_at', 'bigint')
      .execute();
    await db.schema.createIndex('cameras_owner').on('cameras').column('owner_id').execute();
    // Plain columns with a composite index serve bounding-box queries until a
    // later migration adds an R*Tree (SQLite) or a PostGIS geography column.
    await db.schema.createIndex('cameras_lat_lon').on('cameras').columns(['lat', 'lon']).execute();

    await db.schema
      .createTable('device_enrolments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('camera_id', 'text', (c) => c.notNull().references('cameras.id').onDelete('cascade'))
      .addColumn('code_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema.createIndex('device_enrolments_camera').on('device_enrolments').column('camera_id').execute();

    await db.schema
      .createTable('device_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('camera_id', 'text', (c) => c.notNull().references('cameras.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('device_tokens_camera').on('device_tokens').column('camera_id').execute();
  },
};
