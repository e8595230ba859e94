// The demo's community requests and footage (issue 19): the seeded requests
// were posted more than 24 hours ago, so a newcomer trying the agency surface
// finds the agency's whole daily quota; and every footage camera still gets
// its two clips, each with its own bytes (not collapsed as duplicate uploads).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { DEMO_PASSWORD, DEMO_STAFF, seedDemo } from '../../src/demo/seed.ts';
import { totpCode } from '../../src/accounts/totp.ts';
import { DAY } from '../../src/platform/clock.ts';
import type { DemoState } from '../../src/demo/state.ts';

forEachEngine('demo requests and footage', (getDb) => {
  let t: TestApp;
  let state: DemoState;
  before(async () => {
    t = await buildTestApp(getDb());
    state = await seedDemo(t);
  });
  after(async () => t.app.close());

  test('after seeding, the demo agency has its full daily quota of requests left, and its four requests', async () => {
    const agencyId = state.extra.agencyId as string;
    // The seeding signed the officer in with this time step's codes; a later step's code is unused.
    t.clock.advance(5 * 60_000);
    const officer = DEMO_STAFF.find((s) => s.key === 'officer')!;
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: officer.email, password: DEMO_PASSWORD, totp: totpCode(officer.totp, t.clock.now()) } });
    assert.equal(login.statusCode, 200, login.body);
    const auth = { authorization: `Bearer ${login.json().token}` };
    const quota = await t.app.inject({ method: 'GET', url: `/api/v1/agencies/${agencyId}/request-quota`, headers: auth });
    assert.equal(quota.statusCode, 200, quota.body);
    const limit = t.config.REQUESTS_PER_DAY;
    assert.deepEqual(quota.json(), { limit, used: 0, left: limit });
    const listed = await t.app.inject({ method: 'GET', url: `/api/v1/agencies/${agencyId}/requests`, headers: auth });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.equal(listed.json().length, 4);
    // Posted after the footage they ask about, and before the 24-hour window.
    const rows = await getDb().kysely.selectFrom('community_requests').select(['created_at', 'window_end']).where('agency_id', '=', agencyId).execute();
    for (const r of rows) {
      assert.ok(Number(r.created_at) > Number(r.window_end), 'posted after the window it asks about');
      assert.ok(Number(r.created_at) <= t.clock.now() - DAY, 'posted more than 24 hours ago');
    }
  });

  test('every camera with footage has two clips with bytes of their own', async () => {
    const rows = await getDb().kysely.selectFrom('clips').select(['camera_id', 'sha256']).where('deleted_at', 'is', null).execute();
    const byCamera = new Map<string, Set<string>>();
    for (const r of rows) byCamera.set(r.camera_id, (byCamera.get(r.camera_id) ?? new Set()).add(r.sha256));
    assert.equal(byCamera.size, 24);
    for (const [camera, hashes] of byCamera) assert.equal(hashes.size, 2, `camera ${camera}`);
    assert.equal(rows.length, 48);
  });
});
