// Request rate limits shared by every node (issue 16): one fixed-window
// counter per key (an account, a device, or an address), kept in PostgreSQL
// when no Redis is configured. SQLite is one node and counts in memory, but
// the table exists on both engines so that the schema stays the same.
import type { EngineMigration } from './kit.ts';

export const m0014_rate_limits: EngineMigration = {
  async up(db) {
    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('reset_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_limits_reset').on('rate_limits').column('reset_at').execute();
  },
};
