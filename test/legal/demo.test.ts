// The demo neighbourhood includes one completed warrant, one preservation hold
// and one resolved emergency (issue 6 "Done when"), seeded through the routes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedDemo } from '../../src/demo/seed.ts';

forEachEngine('legal demo step', (getDb) => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp(getDb());
  });
  after(async () => t.app.close());

  test('seeds a narrowed warrant, an approved preservation with its hold end, and a resolved emergency', async () => {
    const state = await seedDemo(t);
    const ids = state.extra.legal as { warrantId: string; preservationId: string; emergencyId: string };
    const db = getDb().kysely;
    const w = await db.selectFrom('legal_demands').selectAll().where('id', '=', ids.warrantId).executeTakeFirstOrThrow();
    assert.deepEqual([w.type, w.status, w.review_decision], ['search_warrant', 'approved', 'narrow']);
    const p = await db.selectFrom('legal_demands').selectAll().where('id', '=', ids.preservationId).executeTakeFirstOrThrow();
    assert.deepEqual([p.type, p.status], ['preservation', 'approved']);
    assert.ok(p.hold_until !== null);
    const e = await db.selectFrom('emergency_requests').selectAll().where('id', '=', ids.emergencyId).executeTakeFirstOrThrow();
    assert.equal(e.state, 'resolved');
    assert.ok(e.resolved_at !== null);
    const entries = (await db.selectFrom('log_entries').select('entry').execute()).map((r) => JSON.parse(Buffer.from(r.entry).toString('utf8')));
    assert.ok(entries.some((x) => x.basis === 'preservation' && x.ref === ids.preservationId));
    const audit = await db.selectFrom('review_audit').select('action').execute();
    assert.ok(audit.length >= 5);
  });
});
