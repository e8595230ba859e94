// Administrators suspend accounts (issue 14, item 7). A suspended account
// keeps its row and its data; it cannot sign in, and its sessions were ended
// when it was suspended. Why, and by whom, is in review_audit, written in the
// same transaction.
import type { EngineMigration } from './kit.ts';

export const m0019_suspension: EngineMigration = {
  async up(db) {
    await db.schema.alterTable('users').addColumn('suspended_at', 'bigint').execute();
  },
};
