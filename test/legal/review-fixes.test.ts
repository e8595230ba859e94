// Legal demands on both engines, over HTTP: a reviewer on the demanding
// agency's side (its member, or the reviewer who created or verified the
// agency) cannot decide its demand; and a multipart scope of the wrong shape is
// a 400 naming the field, never a 500.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { insertAgency } from '../../src/agencies/repository.ts';
import { HOUR, box, range, scene, snapshot, submitDemand, type Scene } from './helpers.ts';

forEachEngine('legal review fixes', (getDb) => {
  let t: TestApp;
  let s: Scene;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
  });
  after(async () => t.app.close());

  const db = () => getDb().kysely;
  const scope = () => ({ cameraIds: [s.cams.a], ranges: [range(t.clock.now() - 4 * HOUR, t.clock.now() - HOUR)] });
  async function demand(user: TestUser, agencyId: string): Promise<string> {
    const res = await submitDemand(t, user, agencyId, { type: 'subpoena', issuingAuthority: 'Circuit Court', caseNumber: 'RF-1', scope: JSON.stringify(scope()) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id;
  }
  const decide = (user: TestUser, id: string) => as(t, user, { method: 'POST', url: `/api/v1/review/legal-demands/${id}/decision`, payload: { decision: 'approve', reason: 'Subpoena in order.' } });

  test('a reviewer whose account belongs to the demanding agency: 403, nothing changes', async () => {
    const id = await demand(s.officer, s.agencyId);
    // Accounts refuse to put a reviewer in an agency; a row that says so anyway must still be refused.
    const insider = await createStaff(t, 'reviewer');
    await db().updateTable('users').set({ agency_id: s.agencyId }).where('id', '=', insider.id).execute();
    t.services.accounts.forgetSessions({ userId: insider.id });
    const before = await snapshot(getDb());
    const res = await decide(insider, id);
    assert.equal(res.statusCode, 403, res.body);
    assert.match(res.json().detail, /member of the demanding agency/);
    assert.deepEqual(await snapshot(getDb()), before);
    assert.equal((await decide(s.reviewer1, id)).statusCode, 200);
  });

  test('the reviewer who created, or who verified, the demanding agency: 403; another reviewer decides', async () => {
    const creator = await createStaff(t, 'reviewer');
    const verifier = await createStaff(t, 'reviewer');
    const agencyId = `${s.agencyId}-vouched`;
    await insertAgency(db(), {
      id: agencyId, name: 'Vouched agency', type: 'law_enforcement', immigration_enforcement: 0, jurisdiction: JSON.stringify(box(45.4, 45.8, -122.8, -122.4)), jurisdiction_area_m2: 1e9,
      description: 'test agency', website: null, public_contact: null, created_by: creator.id, created_at: t.clock.now(), verified_by: verifier.id, verified_at: t.clock.now(),
    });
    const member = await createStaff(t, 'agency', { agencyId });
    const id = await demand(member, agencyId);
    const before = await snapshot(getDb());
    for (const who of [creator, verifier]) {
      const res = await decide(who, id);
      assert.equal(res.statusCode, 403, res.body);
      assert.match(res.json().detail, /created or verified the demanding agency/);
    }
    assert.deepEqual(await snapshot(getDb()), before);
    const ok = await decide(s.reviewer2, id);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().review.reviewerId, s.reviewer2.id);
  });

  test('a scope of the wrong shape is a 400 naming the field, and changes nothing', async () => {
    const r = scope().ranges;
    const cases: [string, unknown, RegExp][] = [
      ['ranges a number', { cameraIds: [s.cams.a], ranges: 5 }, /scope\.ranges must be array/],
      ['ranges array-like', { cameraIds: [s.cams.a], ranges: { length: 1 } }, /scope\.ranges must be array/],
      ['cameraIds a number', { cameraIds: 5, ranges: r }, /scope\.cameraIds must be array/],
      ['an unknown field', { a: 1 }, /scope\.a is not a known field/],
      ['numeric times', { cameraIds: [s.cams.a], ranges: [{ from: 1, to: 2 }] }, /scope\.ranges\.0\.from must be string/],
      ['loose time strings', { cameraIds: [s.cams.a], ranges: [{ from: '1', to: '2' }] }, /scope\.ranges\.0\.from must match format/],
      ['address of strings', { address: { lat: '45.5', lon: -122.6, radiusM: 10 }, ranges: r }, /scope\.address\.lat must be number/],
    ];
    for (const [name, bad, detail] of cases) {
      const before = await snapshot(getDb());
      const res = await submitDemand(t, s.officer, s.agencyId, { type: 'search_warrant', issuingAuthority: 'Circuit Court', caseNumber: 'RF-2', scope: JSON.stringify(bad) });
      assert.equal(res.statusCode, 400, `${name}: ${res.body}`);
      assert.match(res.json().detail, detail, name);
      assert.ok(res.json().errors.every((e: { field: string }) => e.field.startsWith('body.scope')), name);
      assert.deepEqual(await snapshot(getDb()), before, name);
    }
  });
});
