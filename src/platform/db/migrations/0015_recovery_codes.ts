// TOTP recovery codes (issue 14, item 5): ten one-time codes per account, kept
// only as keyed hashes so a copy of the database cannot sign anyone in. A code
// is spent by setting used_at, in one conditional UPDATE, so two concurrent
// sign-ins cannot both use it.
import type { EngineMigration } from './kit.ts';

export const m0015_recovery_codes: EngineMigration = {
  async up(db) {
    await db.schema
      .createTable('recovery_codes')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
      .execute();
  },
};
