import { sql } from 'kysely';
import type { EngineMigration } from './kit.ts';

export const m0004_outbox: EngineMigration = {
  async up(db) {
    await db.schema
      .createTable('outbox_messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('channel', 'text', (c) => c.notNull())
      // No foreign key: a pending message must not block deleting an account; delivery drops it then.
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('locked_until', 'bigint')
      .addColumn('delivered_at', 'bigint')
      .addColumn('dead_at', 'bigint')
      .addColumn('last_error', 'text')
      .execute();
    // The worker's scan: only pending rows, by due time. Partial, so delivered history costs nothing.
    await db.schema
      .createIndex('outbox_pending')
      .on('outbox_messages')
      .column('next_attempt_at')
      .where(sql.ref('delivered_at'), 'is', null)
      .where(sql.ref('dead_at'), 'is', null)
      .execute();
    await db.schema.createIndex('outbox_user').on('outbox_messages').columns(['user_id', 'created_at']).execute();

    await db.schema
      .createTable('notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('read_at', 'bigint')
      .execute();
    await db.schema.createIndex('notifications_user').on('notifications').columns(['user_id', 'created_at']).execute();
  },
};
