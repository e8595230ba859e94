// Every route, from the app's own route table: 401 without a session, 403 for
// each role the access table does not list, 403 for a device token where
// devices are not allowed, and 403 for staff who have not enrolled TOTP.
// Capability tests cover the happy paths and per-row checks (other owner,
// other agency); this guards the default-deny table itself.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ACCESS, TOTP_REQUIRED, type Role } from '../../src/platform/access.ts';
import { exportDevicePublicKey } from '../../src/cameras/signature.ts';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';

const ROLES: Role[] = ['resident', 'agency', 'reviewer', 'admin'];
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'x0000').replace(/\*/g, 'x');

forEachEngine('access table over every route', (getDb) => {
  let t: TestApp;
  const users = {} as Record<Role, TestUser>;
  let noTotp: TestUser;
  let device: TestUser;
  before(async () => {
    t = await buildTestApp(getDb());
    users.resident = await createResident(t);
    users.agency = await createStaff(t, 'agency');
    users.reviewer = await createStaff(t, 'reviewer');
    users.admin = await createStaff(t, 'admin');
    noTotp = await createStaff(t, 'reviewer', { enrolTotp: false });
    const cam = await as(t, users.resident, { method: 'POST', url: '/api/v1/cameras', payload: { name: 'Porch', location: { lat: 45.5, lon: -122.6 }, kind: 'doorbell' } });
    const code = await as(t, users.resident, { method: 'POST', url: `/api/v1/cameras/${cam.json().id}/enrolment-code` });
    const enrolled = await t.app.inject({ method: 'POST', url: '/api/v1/devices/enroll', payload: { code: code.json().code, publicKey: exportDevicePublicKey(generateKeyPairSync('ed25519').publicKey) } });
    assert.equal(enrolled.statusCode, 201, enrolled.body);
    const token = enrolled.json().token as string;
    device = { ...users.resident, token, auth: { authorization: `Bearer ${token}` } };
  });
  after(async () => t.app.close());

  test('the route table is complete and names only known permissions', () => {
    assert.ok(t.routes.length > 40, `only ${t.routes.length} routes recorded`);
    for (const r of t.routes) assert.ok(Object.hasOwn(ACCESS, r.access), `${r.method} ${r.url}`);
  });

  test('401 without a session on every non-public route', async () => {
    for (const r of t.routes.filter((r) => r.access !== 'public')) {
      const res = await t.app.inject({ method: r.method as 'GET', url: concrete(r.url) });
      assert.equal(res.statusCode, 401, `${r.method} ${r.url} answered ${res.statusCode}`);
      assert.equal(res.json().status, 401);
    }
  });

  test('403 for every role the access table does not list', async () => {
    let checked = 0;
    for (const r of t.routes) {
      const rule = ACCESS[r.access] as { public?: true; roles?: readonly Role[] };
      if (rule.public) continue;
      for (const role of ROLES.filter((x) => !rule.roles?.includes(x))) {
        const res = await as(t, users[role], { method: r.method as 'GET', url: concrete(r.url) });
        assert.equal(res.statusCode, 403, `${role} on ${r.method} ${r.url} answered ${res.statusCode}`);
        checked++;
      }
    }
    assert.ok(checked > 50, `only ${checked} role denials checked`);
  });

  test('403 for a device token wherever devices are not allowed', async () => {
    for (const r of t.routes) {
      const rule = ACCESS[r.access] as { public?: true; device?: true };
      if (rule.public || rule.device) continue;
      const res = await as(t, device, { method: r.method as 'GET', url: concrete(r.url) });
      assert.equal(res.statusCode, 403, `device on ${r.method} ${r.url} answered ${res.statusCode}`);
    }
  });

  test('403 for staff without TOTP on every route but enrolment', async () => {
    for (const r of t.routes) {
      const rule = ACCESS[r.access] as { public?: true; roles?: readonly Role[]; beforeTotp?: true };
      if (rule.public || rule.beforeTotp || !rule.roles?.includes('reviewer')) continue;
      assert.ok(TOTP_REQUIRED.includes('reviewer'));
      const res = await as(t, noTotp, { method: r.method as 'GET', url: concrete(r.url) });
      assert.equal(res.statusCode, 403, `${r.method} ${r.url} answered ${res.statusCode}`);
      assert.match(res.json().detail, /TOTP/);
    }
  });
});
