// Retention per camera (issue 14, item 6): a doorbell may keep a week while a
// garden camera keeps a month. Null means the owner's default
// (users.retention_days), so existing cameras keep behaving as before.
import type { EngineMigration } from './kit.ts';

export const m0018_camera_retention: EngineMigration = {
  async up(db) {
    await db.schema.alterTable('cameras').addColumn('retention_days', 'integer').execute();
  },
};
