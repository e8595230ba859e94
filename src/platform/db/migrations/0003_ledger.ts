import { sql } from 'kysely';
import { types, type EngineMigration } from './kit.ts';

export const m0003_ledger: EngineMigration = {
  async up(db, engine) {
    await db.schema
      .createTable('log_entries')
      .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('entry', types(engine).bytes, (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('idx', 'bigint')
      .execute();
    // Unique once assigned. Partial, so an append (idx still null) writes no page of it,
    // and the planner never walks the pending rows through it.
    await db.schema.createIndex('log_entries_idx').on('log_entries').column('idx').unique().where(sql.ref('idx'), 'is not', null).execute();
    // The integrator's scan: pending entries in sequence order. Partial, so the integrated history costs nothing.
    await db.schema.createIndex('log_entries_pending').on('log_entries').column('seq').where(sql.ref('idx'), 'is', null).execute();

    await db.schema
      .createTable('log_tiles')
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('idx', 'bigint', (c) => c.notNull())
      .addColumn('width', 'integer', (c) => c.notNull())
      .addColumn('data', types(engine).bytes, (c) => c.notNull())
      .addPrimaryKeyConstraint('log_tiles_pk', ['level', 'idx'])
      .execute();

    await db.schema
      .createTable('log_checkpoints')
      .addColumn('size', 'bigint', (c) => c.primaryKey())
      .addColumn('root', types(engine).bytes, (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    // Private: never served except as the owner's own receipts.
    await db.schema
      .createTable('log_subjects')
      .addColumn('seq', 'bigint', (c) => c.notNull().references('log_entries.seq'))
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('clip_id', 'text', (c) => c.notNull())
      .addColumn('clip_sha256', 'text', (c) => c.notNull())
      .addColumn('salt', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('log_subjects_owner').on('log_subjects').columns(['owner_id', 'seq']).execute();
  },
};
