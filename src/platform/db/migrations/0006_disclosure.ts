import { types, type EngineMigration } from './kit.ts';

export const m0006_disclosure: EngineMigration = {
  async up(db, engine) {
    await db.schema
      .createTable('consents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('clip_id', 'text', (c) => c.notNull().references('clips.id'))
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('given_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    // One consent per clip, recipient and request: answering again is idempotent.
    await db.schema.createIndex('consents_unique').unique().on('consents').columns(['clip_id', 'recipient', 'ref']).execute();

    await db.schema
      .createTable('disclosures')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('clip_id', 'text', (c) => c.notNull().references('clips.id'))
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('basis_kind', 'text', (c) => c.notNull())
      .addColumn('basis_ref', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('copy_blob_key', 'text')
      .addColumn('copy_wrapped_key', types(engine).bytes)
      .addColumn('copy_sha256', 'text', (c) => c.notNull())
      .addColumn('copy_size', 'bigint', (c) => c.notNull())
      .addColumn('original_sha256', 'text', (c) => c.notNull())
      .addColumn('log_seq', 'bigint', (c) => c.notNull())
      .addColumn('salt', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // A clip leaves once per basis and recipient: a retried release returns the first record.
    await db.schema.createIndex('disclosures_unique').unique().on('disclosures').columns(['clip_id', 'recipient', 'basis_kind', 'basis_ref']).execute();
    await db.schema.createIndex('disclosures_recipient').on('disclosures').columns(['recipient', 'created_at']).execute();
    await db.schema.createIndex('disclosures_owner').on('disclosures').columns(['owner_id', 'created_at']).execute();
    await db.schema.createIndex('disclosures_basis').on('disclosures').columns(['basis_kind', 'basis_ref']).execute();
  },
};
