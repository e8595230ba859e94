// The neighbourhood feed (issue 12; PRODUCT.md B): posts with their public
// (fuzzed) point and the author's exact one, comments, reports, the clips a
// post attaches (each a public disclosure, src/disclosure/public.ts) and each
// reader's feed settings.
//
// The feed page is "the newest posts within r of my home". A spatial index
// (R*Tree, GiST) answers "which posts are near", not "which are newest", so a
// page would read every post in a 10-mile circle to sort them. Instead each
// post carries a grid cell (feed/policy.ts cellOf) and one b-tree over
// (cell, created_at, id, …) serves both engines with the same SQL: per cell
// the newest rows come off the index in order, a bounded read (bench/feed.ts).
import type { EngineMigration } from './kit.ts';

export const m0013_feed: EngineMigration = {
  async up(db) {
    await db.schema
      .createTable('feed_posts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
      // Set for an agency alert: the agency the author posted for.
      .addColumn('agency_id', 'text')
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      // The author's point: never sent to anyone else (feed/views.ts).
      .addColumn('exact_lat', 'double precision', (c) => c.notNull())
      .addColumn('exact_lon', 'double precision', (c) => c.notNull())
      // The public point, fuzzed once when the post is made and kept.
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('cell', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('edited_at', 'bigint')
      .addColumn('deleted_at', 'bigint')
      .addColumn('removed_at', 'bigint')
      .addColumn('removed_by', 'text')
      .addColumn('removed_reason', 'text')
      .execute();
    // The feed page's index: the filter columns ride along, so a page reads the index alone.
    await db.schema.createIndex('feed_posts_page').on('feed_posts').columns(['cell', 'created_at', 'id', 'lat', 'lon', 'category', 'deleted_at']).execute();
    await db.schema.createIndex('feed_posts_author').on('feed_posts').columns(['author_id', 'created_at']).execute();

    await db.schema
      .createTable('feed_comments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('post_id', 'text', (c) => c.notNull().references('feed_posts.id'))
      .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .addColumn('removed_at', 'bigint')
      .addColumn('removed_by', 'text')
      .addColumn('removed_reason', 'text')
      .execute();
    await db.schema.createIndex('feed_comments_post').on('feed_comments').columns(['post_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('feed_comments_author').on('feed_comments').columns(['author_id', 'created_at']).execute();

    await db.schema
      .createTable('feed_reports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('subject_kind', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('post_id', 'text', (c) => c.notNull().references('feed_posts.id'))
      .addColumn('reporter_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('resolved_at', 'bigint')
      .addColumn('resolved_by', 'text')
      .addColumn('resolution', 'text')
      .execute();
    // One report per reader and item: reporting twice does not push an item up the queue.
    await db.schema.createIndex('feed_reports_once').on('feed_reports').columns(['subject_kind', 'subject_id', 'reporter_id']).unique().execute();
    await db.schema.createIndex('feed_reports_open').on('feed_reports').columns(['resolved_at', 'created_at']).execute();

    await db.schema
      .createTable('feed_attachments')
      .addColumn('post_id', 'text', (c) => c.notNull().references('feed_posts.id'))
      .addColumn('disclosure_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('withdrawn_at', 'bigint')
      .addPrimaryKeyConstraint('feed_attachments_pk', ['post_id', 'disclosure_id'])
      .execute();

    await db.schema
      .createTable('feed_settings')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
      .addColumn('radius_mi', 'double precision', (c) => c.notNull())
      .addColumn('push_posts', 'integer', (c) => c.notNull())
      .addColumn('push_replies', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // Fan-out of a new post looks up the homes around it.
    await db.schema.createIndex('users_home').on('users').columns(['home_lat', 'home_lon']).execute();
  },
};
