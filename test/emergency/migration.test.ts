// Migration 0008 over requests written before it: each one's state is what its
// old columns said, a pending notice delay keeps its date (from the audit row),
// and the old `status` column is gone. Both engines.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src/platform/db/db.ts';
import { migrateTo, migrateToLatest } from '../../src/platform/db/migrate.ts';
import { ENGINES, freshTarget } from '../helpers/db.ts';

const T0 = Date.parse('2026-06-01T10:00:00Z');

async function seed(db: Db) {
  const k = db.kysely;
  for (const id of ['officer', 'r1', 'r2']) {
    await sql`insert into users (id, email, password_hash, display_name, role, created_at) values (${id}, ${`${id}@example.test`}, 'x', ${id}, 'reviewer', ${T0})`.execute(k);
  }
  await sql`insert into agencies (id, name, type, jurisdiction, jurisdiction_area_m2, description, created_by, created_at) values ('A', 'Riverside Police', 'police', '{}', 1, '', 'r2', ${T0})`.execute(k);
  const row = async (id: string, status: string, callbackBy: string | null, resolvedAt: number | null, delay: { key: string; until: number | null } | null = null) =>
    sql`insert into emergency_requests (id, agency_id, submitted_by, officer_name, callback_phone, nature, imminent_danger, why_no_process, scope, status, created_at,
          callback_by, resolved_at, notice_delay_order_key, notice_delay_until)
        values (${id}, 'A', 'officer', 'O', '+15035550100', 'n', 'd', 'w', '{}', ${status}, ${T0}, ${callbackBy}, ${resolvedAt}, ${delay?.key ?? null}, ${delay?.until ?? null})`.execute(k);
  await row('e-callback', 'pending', null, null);
  await row('e-first', 'pending', 'r1', null, { key: 'doc-1', until: null });
  await row('e-second', 'pending', 'r1', null);
  await row('e-denied', 'denied', 'r1', null);
  await row('e-approved', 'approved', 'r1', null);
  await row('e-resolved', 'approved', 'r1', T0 + 5, { key: 'doc-2', until: T0 + 9 });
  await sql`insert into emergency_determinations (id, emergency_id, reviewer_id, decision, reasons, created_at) values ('d1', 'e-second', 'r1', 'approve', 'r', ${T0})`.execute(k);
  await sql`insert into review_audit (id, actor_id, action, subject_kind, subject_id, reason, details, created_at)
      values ('a1', 'officer', 'emergency.notice_delay_requested', 'emergency', 'e-first', 'r', ${JSON.stringify({ until: new Date(T0 + 86_400_000).toISOString() })}, ${T0 + 1})`.execute(k);
}

for (const engine of ENGINES) {
  describe(`migration 0008: emergency state [${engine}]`, () => {
    const drops: (() => Promise<void>)[] = [];
    after(async () => { for (const d of drops) await d(); });

    test('each request gets the state its old columns meant; a pending delay keeps its date', async () => {
      const fresh = await freshTarget(engine);
      drops.push(fresh.drop);
      const db = await openDatabase(fresh.target, { migrate: false });
      try {
        await migrateTo(db, '0007b_camera_points_blocked');
        await seed(db);
        await migrateToLatest(db);
        const rows = await db.kysely.selectFrom('emergency_requests').selectAll().orderBy('id').execute();
        assert.deepEqual(Object.fromEntries(rows.map((r) => [r.id, r.state])), {
          'e-approved': 'approved', 'e-callback': 'awaiting_callback', 'e-denied': 'denied', 'e-first': 'awaiting_first_determination',
          'e-resolved': 'resolved', 'e-second': 'awaiting_second_determination',
        });
        const first = rows.find((r) => r.id === 'e-first')!;
        assert.equal(Number(first.notice_delay_requested_until), T0 + 86_400_000);
        assert.equal(Number(first.notice_delay_requested_at), T0 + 1);
        const resolved = rows.find((r) => r.id === 'e-resolved')!;
        assert.equal(resolved.notice_delay_requested_until, null, 'a delay already in force is not a request');
        assert.ok(!('status' in first), 'the status column is gone');
      } finally {
        await db.close();
      }
    });
  });
}
