// Emergency requests keep their state explicitly (emergency/states.ts; issue 11
// §3) instead of inferring it from `status`, the callback columns and the count
// of determinations; and a requested notice delay keeps its date on the row
// instead of in the request's audit JSON. `status` goes: it is `statusOf(state)`.
import { sql } from 'kysely';
import type { EngineMigration } from './kit.ts';

export const m0008_emergency_state: EngineMigration = {
  async up(db) {
    await db.schema.alterTable('emergency_requests').addColumn('state', 'text').execute();
    await db.schema.alterTable('emergency_requests').addColumn('notice_delay_requested_until', 'bigint').execute();
    await db.schema.alterTable('emergency_requests').addColumn('notice_delay_requested_at', 'bigint').execute();
    await sql`update emergency_requests set state = case
        when status = 'denied' then 'denied'
        when status = 'approved' and resolved_at is not null then 'resolved'
        when status = 'approved' then 'approved'
        when callback_by is null then 'awaiting_callback'
        when (select count(*) from emergency_determinations d where d.emergency_id = emergency_requests.id) = 0 then 'awaiting_first_determination'
        else 'awaiting_second_determination' end`.execute(db);
    // A pending delay's date was in the latest "requested" audit row.
    const pending = await sql<{ id: string; details: string; created_at: number | string }>`
      select e.id, a.details, a.created_at from emergency_requests e
        join review_audit a on a.subject_kind = 'emergency' and a.subject_id = e.id and a.action = 'emergency.notice_delay_requested'
        where e.notice_delay_order_key is not null and e.notice_delay_until is null
        order by a.created_at, a.id`.execute(db);
    for (const row of pending.rows) {
      const until = Date.parse(String((JSON.parse(row.details) as { until?: unknown }).until));
      if (!Number.isFinite(until)) continue;
      await sql`update emergency_requests set notice_delay_requested_until = ${until}, notice_delay_requested_at = ${Number(row.created_at)} where id = ${row.id}`.execute(db);
    }
    await db.schema.dropIndex('emergency_requests_status').execute();
    await db.schema.alterTable('emergency_requests').dropColumn('status').execute();
    await db.schema.createIndex('emergency_requests_state').on('emergency_requests').columns(['state', 'created_at']).execute();
  },
};
