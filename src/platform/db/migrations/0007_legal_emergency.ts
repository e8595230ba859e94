import { types, type EngineMigration } from './kit.ts';

export const m0007_legal_emergency: EngineMigration = {
  async up(db, engine) {
    await db.schema
      .createTable('legal_demands')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('issuing_authority', 'text', (c) => c.notNull())
      .addColumn('case_number', 'text', (c) => c.notNull())
      .addColumn('nondisclosure_until', 'bigint')
      .addColumn('scope_requested', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('document_key', 'text', (c) => c.notNull())
      .addColumn('document_wrapped_key', types(engine).bytes, (c) => c.notNull())
      .addColumn('document_sha256', 'text', (c) => c.notNull())
      .addColumn('document_size', 'bigint', (c) => c.notNull())
      .addColumn('submitted_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('reviewed_by', 'text')
      .addColumn('reviewed_at', 'bigint')
      .addColumn('review_decision', 'text')
      .addColumn('review_reason', 'text')
      .addColumn('records', 'text')
      .addColumn('hold_until', 'bigint')
      .addColumn('hold_extended', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('refused_e2ee', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('legal_demands_agency').on('legal_demands').columns(['agency_id', 'created_at']).execute();
    await db.schema.createIndex('legal_demands_status').on('legal_demands').columns(['status', 'created_at']).execute();

    await db.schema
      .createTable('emergency_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
      .addColumn('submitted_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('officer_name', 'text', (c) => c.notNull())
      .addColumn('callback_phone', 'text', (c) => c.notNull())
      .addColumn('nature', 'text', (c) => c.notNull())
      .addColumn('imminent_danger', 'text', (c) => c.notNull())
      .addColumn('why_no_process', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('callback_by', 'text')
      .addColumn('callback_number', 'text')
      .addColumn('callback_at', 'bigint')
      .addColumn('callback_confirmed', 'integer')
      .addColumn('decided_at', 'bigint')
      .addColumn('disclosed_at', 'bigint')
      .addColumn('resolved_at', 'bigint')
      .addColumn('notice_delay_until', 'bigint')
      .addColumn('notice_delay_order_key', 'text')
      .addColumn('notice_delay_order_wrapped_key', types(engine).bytes)
      .addColumn('notice_delay_order_sha256', 'text')
      .addColumn('follow_up_demand_id', 'text')
      .addColumn('no_follow_up_at', 'bigint')
      .addColumn('refused_e2ee', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('emergency_requests_agency').on('emergency_requests').columns(['agency_id', 'created_at']).execute();
    await db.schema.createIndex('emergency_requests_status').on('emergency_requests').columns(['status', 'created_at']).execute();

    await db.schema
      .createTable('emergency_determinations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('emergency_id', 'text', (c) => c.notNull().references('emergency_requests.id'))
      .addColumn('reviewer_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // One determination per reviewer: the second attempt is a 409, and a race cannot make two.
    await db.schema.createIndex('emergency_determinations_once').unique().on('emergency_determinations').columns(['emergency_id', 'reviewer_id']).execute();

    await db.schema
      .createTable('review_audit')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject_kind', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('review_audit_time').on('review_audit').columns(['created_at', 'id']).execute();
    await db.schema.createIndex('review_audit_subject').on('review_audit').columns(['subject_kind', 'subject_id']).execute();

    await db.schema
      .createTable('owner_notices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('subject_kind', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('due_at', 'bigint', (c) => c.notNull())
      .addColumn('sent_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // One notice per owner and subject; the job finds due ones by time.
    await db.schema.createIndex('owner_notices_once').unique().on('owner_notices').columns(['subject_kind', 'subject_id', 'owner_id']).execute();
    await db.schema.createIndex('owner_notices_due').on('owner_notices').columns(['sent_at', 'due_at']).execute();
  },
};
