import { sql } from 'kysely';
import type { EngineMigration } from './kit.ts';

export const m0005_agencies_requests: EngineMigration = {
  async up(db) {
    await db.schema
      .createTable('agencies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('immigration_enforcement', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('jurisdiction', 'text', (c) => c.notNull())
      .addColumn('jurisdiction_area_m2', 'double precision', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('website', 'text')
      .addColumn('public_contact', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('verified_by', 'text')
      .addColumn('verified_at', 'bigint')
      .execute();

    await db.schema
      .createTable('community_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('case_number', 'text', (c) => c.notNull())
      .addColumn('incident_type', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('investigator_contact', 'text', (c) => c.notNull())
      .addColumn('area', 'text', (c) => c.notNull())
      .addColumn('area_m2', 'double precision', (c) => c.notNull())
      .addColumn('min_lat', 'double precision', (c) => c.notNull())
      .addColumn('max_lat', 'double precision', (c) => c.notNull())
      .addColumn('min_lon', 'double precision', (c) => c.notNull())
      .addColumn('max_lon', 'double precision', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('window_end', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reviewed_by', 'text')
      .addColumn('reviewed_at', 'bigint')
      .addColumn('review_reason', 'text')
      .addColumn('review_note', 'text')
      .addColumn('sent_at', 'bigint')
      .addColumn('expires_at', 'bigint')
      .addColumn('closed_at', 'bigint')
      .addColumn('resolved_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('community_requests_agency').on('community_requests').columns(['agency_id', 'created_at']).execute();
    await db.schema.createIndex('community_requests_status').on('community_requests').columns(['status', 'sent_at']).execute();

    await db.schema
      .createTable('request_recipients')
      .addColumn('request_id', 'text', (c) => c.notNull().references('community_requests.id'))
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('notified_at', 'bigint', (c) => c.notNull())
      .addColumn('reminded_24_at', 'bigint')
      .addColumn('reminded_72_at', 'bigint')
      .addColumn('answered_at', 'bigint')
      .addColumn('answer', 'text')
      .addColumn('neighbor_no', 'integer')
      .addPrimaryKeyConstraint('request_recipients_pk', ['request_id', 'owner_id'])
      .execute();
    await db.schema.createIndex('request_recipients_owner').on('request_recipients').columns(['owner_id', 'notified_at']).execute();
    // Two sharers can never get the same pseudonym in one request.
    await db.schema.createIndex('request_recipients_neighbor').on('request_recipients').columns(['request_id', 'neighbor_no']).unique()
      .where(sql.ref('neighbor_no'), 'is not', null).execute();

    await db.schema
      .createTable('owner_request_policies')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('blocked_agency_types', 'text', (c) => c.notNull().defaultTo('[]'))
      // The same as a bit mask (bit i = AGENCY_TYPES[i]), which the spatial index copies per camera.
      .addColumn('blocked_mask', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
