import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { PASSWORD, as, buildTestApp, createResident, createStaff, login, type TestApp, type TestUser } from '../helpers/app.ts';
import { demoJurisdiction } from '../../src/demo/neighbourhood.ts';
import { square } from '../requests/helpers.ts';

const valid = { name: 'Riverside Fire', type: 'fire', jurisdiction: demoJurisdiction(), description: 'Fire and rescue', website: 'https://fire.riverside.example' };

forEachEngine('agencies over HTTP', (getDb) => {
  let t: TestApp;
  let reviewer: TestUser;
  let resident: TestUser;
  before(async () => {
    t = await buildTestApp(getDb());
    reviewer = await createStaff(t, 'reviewer');
    resident = await createResident(t);
  });
  after(async () => t.app.close());

  const create = (user: TestUser | null, payload: object) => as(t, user, { method: 'POST', url: '/api/v1/agencies', payload });
  const count = async () => (await as(t, reviewer, { method: 'GET', url: '/api/v1/agencies' })).json().length;

  test('a reviewer creates a verified agency; its public profile is readable by anyone', async () => {
    const res = await create(reviewer, valid);
    assert.equal(res.statusCode, 201, res.body);
    const a = res.json();
    assert.equal(a.type, 'fire');
    assert.equal(a.immigrationEnforcement, false);
    assert.ok(a.verifiedAt);
    assert.ok(a.jurisdictionAreaKm2 > 7 && a.jurisdictionAreaKm2 < 9);
    const pub = await t.app.inject({ method: 'GET', url: `/api/v1/public/agencies/${a.id}` });
    assert.equal(pub.statusCode, 200);
    assert.deepEqual(Object.keys(pub.json()).sort(), ['description', 'id', 'jurisdiction', 'name', 'publicContact', 'type', 'verifiedAt', 'website']);
    assert.ok((await t.app.inject({ method: 'GET', url: '/api/v1/public/agencies' })).json().some((x: { id: string }) => x.id === a.id));
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/public/agencies/nope' })).statusCode, 404);
  });

  test('401 without a session, 403 for residents and agency members, 403 before TOTP', async () => {
    assert.equal((await create(null, valid)).statusCode, 401);
    assert.equal((await create(resident, valid)).statusCode, 403);
    const member = await createStaff(t, 'agency', { agencyId: 'x' });
    assert.equal((await create(member, valid)).statusCode, 403);
    const fresh = await createStaff(t, 'reviewer', { enrolTotp: false });
    assert.equal((await create(fresh, valid)).statusCode, 403);
  });

  test('immigration enforcement is refused while the instance policy forbids it, allowed when it permits', async () => {
    const before = await count();
    const res = await create(reviewer, { ...valid, name: 'Border unit', type: 'law_enforcement', immigrationEnforcement: true });
    assert.equal(res.statusCode, 403);
    assert.match(res.json().detail, /immigration/);
    assert.equal(await count(), before);
    const permissive = await buildTestApp(getDb(), { ALLOW_IMMIGRATION_ENFORCEMENT: 'true' });
    try {
      const rev = await createStaff(permissive, 'reviewer');
      const ok = await as(permissive, rev, { method: 'POST', url: '/api/v1/agencies', payload: { ...valid, name: 'Border unit', type: 'law_enforcement', immigrationEnforcement: true } });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal(ok.json().immigrationEnforcement, true);
    } finally {
      await permissive.app.close();
    }
  });

  test('bad jurisdictions get a clear 400 and change nothing', async () => {
    const ring = demoJurisdiction().coordinates[0];
    const cases: [string, unknown][] = [
      ['fewer than 4 positions', { type: 'Polygon', coordinates: [[ring[0], ring[1], ring[0]]] }],
      ['not closed', { type: 'Polygon', coordinates: [ring.slice(0, 4)] }],
      ['self-intersecting (bow tie)', { type: 'Polygon', coordinates: [[ring[0], ring[2], ring[1], ring[3], ring[0]]] }],
      ['out-of-range latitude', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 95], [0, 0]]] }],
      ['crossing the antimeridian', { type: 'Polygon', coordinates: [[[179.9, 10], [-179.9, 10], [-179.9, 10.1], [179.9, 10.1], [179.9, 10]]] }],
      ['too small', square(100)],
      ['too large (half the planet)', { type: 'Polygon', coordinates: [[[-170, -80], [170, -80], [170, 80], [-170, 80], [-170, -80]]] }],
      ['not a polygon', { type: 'Point', coordinates: [0, 0] }],
      ['a hole outside the outer ring', { type: 'Polygon', coordinates: [ring, ring.map(([x, y]) => [x + 1, y])] }],
    ];
    const before = await count();
    for (const [why, jurisdiction] of cases) {
      const res = await create(reviewer, { ...valid, jurisdiction });
      assert.equal(res.statusCode, 400, `${why}: ${res.body}`);
      assert.ok(res.json().errors?.length, why);
    }
    // JSON cannot carry NaN; a literal NaN is a parse error, also 400.
    const nan = await t.app.inject({ method: 'POST', url: '/api/v1/agencies', headers: { ...reviewer.auth, 'content-type': 'application/json' }, payload: JSON.stringify({ ...valid, jurisdiction: null }).replace('null', '{"type":"Polygon","coordinates":[[[NaN,0],[1,0],[1,1],[NaN,0]]]}') });
    assert.equal(nan.statusCode, 400);
    const big = await t.app.inject({ method: 'POST', url: '/api/v1/agencies', headers: { ...reviewer.auth, 'content-type': 'application/json' }, payload: JSON.stringify({ ...valid, jurisdiction: null }).replace('null', '{"type":"Polygon","coordinates":[[[1e999,0],[1,0],[1,1],[1e999,0]]]}') });
    assert.equal(big.statusCode, 400);
    assert.equal(await count(), before);
  });

  test('a MultiPolygon jurisdiction is accepted', async () => {
    const a = square(3000, { lat: 40, lon: -100 }).coordinates;
    const b = square(3000, { lat: 41, lon: -100 }).coordinates;
    const res = await create(reviewer, { ...valid, name: 'County EMS', type: 'ems', jurisdiction: { type: 'MultiPolygon', coordinates: [a, b] } });
    assert.equal(res.statusCode, 201, res.body);
  });

  test('a reviewer invites a member, who must enrol TOTP before doing anything', async () => {
    const agency = (await create(reviewer, { ...valid, name: 'Riverside PD', type: 'law_enforcement' })).json();
    assert.equal((await as(t, resident, { method: 'POST', url: `/api/v1/agencies/${agency.id}/members`, payload: { email: 'x@riverside.example', displayName: 'X' } })).statusCode, 403);
    assert.equal((await as(t, reviewer, { method: 'POST', url: '/api/v1/agencies/nope/members', payload: { email: 'x@riverside.example', displayName: 'X' } })).statusCode, 404);
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/members`, payload: { email: 'not-an-email', displayName: 'X' } })).statusCode, 400);
    const email = `officer-${process.pid}-${Date.now()}@riverside.example`;
    const res = await as(t, reviewer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/members`, payload: { email, displayName: 'Officer Lane' } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().user.agencyId, agency.id);
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/members`, payload: { email, displayName: 'Again' } })).statusCode, 409);
    const pw = res.json().initialPassword;
    assert.notEqual(pw, PASSWORD);
    const signIn = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: pw } });
    assert.equal(signIn.statusCode, 200, signIn.body);
    const member = await login(t, email).catch(() => null);
    assert.equal(member, null, 'the test password is not the member password');
    const auth = { authorization: `Bearer ${signIn.json().token}` };
    const blocked = await t.app.inject({ method: 'GET', url: `/api/v1/agencies/${agency.id}/requests`, headers: auth });
    assert.equal(blocked.statusCode, 403);
    assert.match(blocked.json().detail, /TOTP/);
    const members = await as(t, reviewer, { method: 'GET', url: `/api/v1/agencies/${agency.id}/members` });
    assert.deepEqual(members.json().map((m: { email: string; totpEnabled: boolean }) => [m.email, m.totpEnabled]), [[email, false]]);
  });
});
