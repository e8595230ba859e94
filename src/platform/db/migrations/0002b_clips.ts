import { types, type EngineMigration } from './kit.ts';

export const m0002b_clips: EngineMigration = {
  async up(db, engine) {
    // Deleting a clip nulls its wrapped data key (crypto-shredding) and removes its
    // blobs; the row stays as a tombstone so holds and disclosures keep their reference.
    await db.schema
      .createTable('clips')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('camera_id', 'text', (c) => c.notNull().references('cameras.id'))
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('signed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('device_signature', 'text')
      // The key that made the signature: re-enrolling a camera replaces its key, and old clips must still verify.
      .addColumn('device_public_key', 'text')
      .addColumn('e2ee', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('duration_ms', 'bigint')
      .addColumn('wrapped_key', types(engine).bytes)
      .addColumn('blob_key', 'text')
      .addColumn('thumbnail_key', 'text')
      .addColumn('idempotency_key', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .execute();
    // A retried upload finds its clip; NULL keys (no header) never collide on either engine.
    await db.schema.createIndex('clips_idempotency').unique().on('clips').columns(['owner_id', 'camera_id', 'idempotency_key']).execute();
    await db.schema.createIndex('clips_owner_started').on('clips').columns(['owner_id', 'started_at', 'id']).execute();
    await db.schema.createIndex('clips_camera_started').on('clips').columns(['camera_id', 'started_at']).execute();

    await db.schema
      .createTable('holds')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clip_id', 'text', (c) => c.notNull().references('clips.id'))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('until', 'bigint')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('released_at', 'bigint')
      .addColumn('released_by', 'text')
      .execute();
    await db.schema.createIndex('holds_clip').on('holds').column('clip_id').execute();

    await db.schema
      .createTable('access_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clip_id', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('access_log_owner_at').on('access_log').columns(['owner_id', 'at', 'id']).execute();
  },
};
