// Sign-in throttling kept in the database (issue 17, defect 5), so it survives
// restarts and holds across nodes: failures per key (an account and address
// pair, an account, an address), and the addresses each account has signed in
// from, stored as keyed hashes, whose right password is never locked out by
// failures from elsewhere.
import type { EngineMigration } from './kit.ts';

export const m0011_login_throttle: EngineMigration = {
  async up(db) {
    await db.schema
      .createTable('login_failures')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('last_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('login_failures_last').on('login_failures').column('last_at').execute();
    await db.schema
      .createTable('known_addresses')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('known_addresses_pk', ['user_id', 'address'])
      .execute();
  },
};
