// The owner's Control Center (issue 14): data exports, and account deletion
// that survives a crash. An export is a job whose ZIP is sealed into the blob
// store like a clip (never plaintext at rest), downloadable once. Deletion is
// marked first and completed by a job, so a kill -9 midway resumes.
import { sql } from 'kysely';
import { type EngineMigration, types } from './kit.ts';

export const m0012_control_center: EngineMigration = {
  async up(db, engine) {
    await db.schema
      .createTable('account_exports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('done', 'integer', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('size', 'bigint')
      .addColumn('wrapped_key', types(engine).bytes)
      .addColumn('blob_key', 'text')
      .addColumn('error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('ready_at', 'bigint')
      .addColumn('expires_at', 'bigint')
      .addColumn('downloaded_at', 'bigint')
      .execute();
    await db.schema.createIndex('account_exports_owner').on('account_exports').columns(['owner_id', 'created_at']).execute();
    // One running export per owner: two requests at once make one job (the second gets the first's).
    await db.schema.createIndex('account_exports_one_running').on('account_exports').column('owner_id').unique().where(sql.ref('status'), '=', 'running').execute();
    await db.schema.alterTable('users').addColumn('deletion_requested_at', 'bigint').execute();
    await db.schema.alterTable('users').addColumn('deleted_at', 'bigint').execute();
  },
};
