// End-to-end encryption (issue 15): the public keys of owners and agencies,
// and each end-to-end clip's secret sealed to each recipient's key. Private
// keys are never stored here; a sealed key opens only with one of them.
import { types, type EngineMigration } from './kit.ts';

export const m0009_e2ee: EngineMigration = {
  async up(db, engine) {
    await db.schema
      .createTable('e2ee_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('retired_at', 'bigint')
      .execute();
    await db.schema.createIndex('e2ee_keys_subject').on('e2ee_keys').columns(['subject', 'retired_at']).execute();

    await db.schema
      .createTable('clip_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clip_id', 'text', (c) => c.notNull().references('clips.id'))
      .addColumn('key_id', 'text', (c) => c.notNull().references('e2ee_keys.id'))
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('sealed_key', types(engine).bytes, (c) => c.notNull())
      .addColumn('disclosure_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('clip_keys_clip').on('clip_keys').columns(['clip_id', 'recipient']).execute();
    // One re-wrapped key per disclosure (the owner's own has none).
    await db.schema.createIndex('clip_keys_disclosure').unique().on('clip_keys').columns(['disclosure_id']).execute();

    await db.schema.alterTable('clips').addColumn('envelope_id', 'text').execute();
    await db.schema.alterTable('clips').addColumn('envelope_header', types(engine).bytes).execute();
    // An envelope uploaded twice (a replayed upload) is refused, not stored twice.
    await db.schema.createIndex('clips_envelope').unique().on('clips').columns(['envelope_id']).execute();
  },
};
