// Contact sharing and notification channels (issue 14 §3, §4). Both are off
// or default until the owner saves a choice, so existing accounts need no rows.
import type { EngineMigration } from './kit.ts';

export const m0017_contact_and_channels: EngineMigration = {
  async up(db) {
    await db.schema
      .createTable('contact_sharing')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('phone', 'text')
      .addColumn('email', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('notification_settings')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('inapp', 'integer', (c) => c.notNull())
      .addColumn('email', 'integer', (c) => c.notNull())
      .addColumn('push', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('notification_settings_pk', ['user_id', 'kind'])
      .execute();
  },
};
