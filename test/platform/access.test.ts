// Who may call each route, written by hand from the product (PRODUCT.md,
// Roles) and not from the access table, so that a wrong entry in the table is
// caught. Every route the app serves must appear here: a new route without an
// expectation fails the first test. For each route and each kind of caller:
// a caller not expected gets 401 (signed out) or 403; an expected caller gets
// neither (404 for the made-up ids, 400 for missing bodies, or success).
// Agency, reviewer and admin sessions that have not passed TOTP may only sign
// out, enrol and read /me.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { authorize, type Actor, type Permission, type UserActor } from '../../src/platform/access.ts';
import { exportDevicePublicKey } from '../../src/cameras/signature.ts';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';

type Caller = 'anonymous' | 'resident' | 'agency' | 'reviewer' | 'admin' | 'device';
const CALLERS: Caller[] = ['anonymous', 'resident', 'agency', 'reviewer', 'admin', 'device'];

const PUBLIC: Caller[] = CALLERS;
const SIGNED_IN: Caller[] = ['resident', 'agency', 'reviewer', 'admin'];
const STAFF: Caller[] = ['reviewer', 'admin'];
const AGENCY: Caller[] = ['agency'];
const RESIDENT: Caller[] = ['resident'];

/** Routes a session may use before TOTP: enough to enrol, read who it is, and leave. */
const BEFORE_TOTP = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/auth/totp/enroll', 'POST /api/v1/auth/totp/verify', 'GET /api/v1/me']);

const EXPECTED: Record<string, Caller[]> = {
  // the public site, the API description, health and the public log
  'GET /*': PUBLIC, 'GET /docs': PUBLIC, 'GET /docs/json': PUBLIC, 'GET /docs/yaml': PUBLIC, 'GET /docs/static/*': PUBLIC,
  'GET /docs/static/index.html': PUBLIC, 'GET /docs/static/swagger-initializer.js': PUBLIC, 'GET /openapi.json': PUBLIC,
  'GET /healthz': PUBLIC, 'GET /readyz': PUBLIC,
  'GET /log/checkpoint': PUBLIC, 'GET /log/key': PUBLIC, 'GET /log/tile/*': PUBLIC,
  'GET /transparency/report.json': PUBLIC, 'GET /transparency/report.csv': PUBLIC,
  'GET /api/v1/log/proof/consistency': PUBLIC, 'GET /api/v1/log/proof/inclusion': PUBLIC,
  'GET /api/v1/public/agencies': PUBLIC, 'GET /api/v1/public/agencies/:id': PUBLIC, 'GET /api/v1/public/config': PUBLIC,
  'GET /api/v1/public/requests': PUBLIC, 'GET /api/v1/public/requests/:id': PUBLIC, 'GET /api/v1/push/vapid-key': PUBLIC,
  // signing up, in and out; a camera enrols with its one-time code
  'POST /api/v1/auth/register': PUBLIC, 'POST /api/v1/auth/login': PUBLIC, 'POST /api/v1/devices/enroll': PUBLIC,
  'POST /api/v1/auth/logout': SIGNED_IN, 'POST /api/v1/auth/totp/enroll': SIGNED_IN, 'POST /api/v1/auth/totp/verify': SIGNED_IN,
  'POST /api/v1/auth/totp/recovery-codes': SIGNED_IN,
  // every account: who am I, password, sessions, inbox and live events
  'GET /api/v1/me': SIGNED_IN, 'POST /api/v1/me/password': SIGNED_IN,
  'GET /api/v1/me/sessions': SIGNED_IN, 'DELETE /api/v1/me/sessions/:id': SIGNED_IN,
  'GET /api/v1/me/events': SIGNED_IN, 'GET /api/v1/me/notifications': SIGNED_IN, 'POST /api/v1/me/notifications/:id/read': SIGNED_IN,
  'POST /api/v1/me/push-subscriptions': SIGNED_IN, 'DELETE /api/v1/me/push-subscriptions/:id': SIGNED_IN,
  // administrators make staff accounts
  'POST /api/v1/admin/users': ['admin'],
  // and administer accounts: list, suspend, reset TOTP, invite
  'GET /api/v1/admin/users': ['admin'], 'POST /api/v1/admin/users/:id/suspend': ['admin'], 'POST /api/v1/admin/users/:id/unsuspend': ['admin'],
  'POST /api/v1/admin/users/:id/reset-totp': ['admin'], 'POST /api/v1/admin/invitations': ['admin'],
  // a resident's own cameras, clips, receipts, settings and requests to answer
  'GET /api/v1/cameras': RESIDENT, 'POST /api/v1/cameras': RESIDENT, 'GET /api/v1/cameras/:id': RESIDENT,
  'PATCH /api/v1/cameras/:id': RESIDENT, 'DELETE /api/v1/cameras/:id': RESIDENT, 'PUT /api/v1/cameras/:id/privacy-zones': RESIDENT,
  'POST /api/v1/cameras/:id/enrolment-code': RESIDENT, 'DELETE /api/v1/cameras/:id/device-token': RESIDENT,
  'POST /api/v1/cameras/:id/device-token/rotate': RESIDENT,
  'GET /api/v1/clips': RESIDENT, 'GET /api/v1/clips/:id': RESIDENT, 'DELETE /api/v1/clips/:id': RESIDENT,
  'GET /api/v1/clips/:id/thumbnail': RESIDENT, 'GET /api/v1/clips/:id/video': RESIDENT,
  'GET /api/v1/me/access-log': RESIDENT, 'GET /api/v1/me/receipts': RESIDENT,
  'GET /api/v1/me/retention': RESIDENT, 'PUT /api/v1/me/retention': RESIDENT,
  'PUT /api/v1/cameras/:id/retention': RESIDENT, 'GET /api/v1/cameras/:id/retention-preview': RESIDENT,
  'POST /api/v1/me/export': RESIDENT, 'GET /api/v1/me/export': RESIDENT, 'GET /api/v1/me/export/:id/download': RESIDENT, 'POST /api/v1/me/deletion': RESIDENT,
  'GET /api/v1/me/contact-sharing': RESIDENT, 'PUT /api/v1/me/contact-sharing': RESIDENT,
  'GET /api/v1/me/notification-settings': RESIDENT, 'PUT /api/v1/me/notification-settings': RESIDENT,
  'GET /api/v1/me/request-policy': RESIDENT, 'PUT /api/v1/me/request-policy': RESIDENT,
  'GET /api/v1/me/requests': RESIDENT, 'GET /api/v1/me/requests/:id': RESIDENT, 'POST /api/v1/me/requests/:id/response': RESIDENT,
  // end-to-end encryption: an owner's public key and their clips' sealed keys; an agency member's agency key
  'GET /api/v1/me/e2ee-key': RESIDENT, 'PUT /api/v1/me/e2ee-key': RESIDENT, 'GET /api/v1/clips/:id/sealed-key': RESIDENT,
  'GET /api/v1/agencies/:id/e2ee-key': AGENCY, 'PUT /api/v1/agencies/:id/e2ee-key': AGENCY,
  'GET /api/v1/devices/me/e2ee': ['device'],
  'GET /api/v1/agencies/:id/requests/:rid/evidence/:item/sealed-key': AGENCY,
  // uploads come from the camera, or from its owner by hand; a camera reads and rotates only its own token
  'POST /api/v1/clips': ['resident', 'device'],
  'GET /api/v1/devices/me': ['device'], 'POST /api/v1/devices/me/token/rotate': ['device'],
  // staff vet agencies and their members
  'GET /api/v1/agencies': STAFF, 'POST /api/v1/agencies': STAFF, 'GET /api/v1/agencies/:id': STAFF,
  'GET /api/v1/agencies/:id/members': STAFF, 'POST /api/v1/agencies/:id/members': STAFF,
  // an agency's members act for it: community requests, legal demands, emergencies
  'GET /api/v1/agencies/:id/requests': AGENCY, 'GET /api/v1/agencies/:id/request-quota': AGENCY, 'POST /api/v1/agencies/:id/requests': AGENCY, 'GET /api/v1/agencies/:id/requests/:rid': AGENCY,
  'POST /api/v1/agencies/:id/requests/:rid/close': AGENCY, 'GET /api/v1/agencies/:id/requests/:rid/evidence': AGENCY,
  'GET /api/v1/agencies/:id/requests/:rid/evidence.zip': AGENCY, 'GET /api/v1/agencies/:id/requests/:rid/evidence/:item/video': AGENCY,
  'GET /api/v1/agencies/:id/legal-demands': AGENCY, 'POST /api/v1/agencies/:id/legal-demands': AGENCY,
  'GET /api/v1/agencies/:id/legal-demands/:itemId': AGENCY, 'GET /api/v1/agencies/:id/legal-demands/:itemId/document': AGENCY,
  'GET /api/v1/agencies/:id/legal-demands/:itemId/evidence': AGENCY, 'GET /api/v1/agencies/:id/legal-demands/:itemId/evidence.zip': AGENCY, 'GET /api/v1/agencies/:id/legal-demands/:itemId/evidence/:disclosureId/video': AGENCY,
  'GET /api/v1/agencies/:id/legal-demands/:itemId/records': AGENCY,
  'GET /api/v1/agencies/:id/emergency-requests': AGENCY, 'POST /api/v1/agencies/:id/emergency-requests': AGENCY,
  'GET /api/v1/agencies/:id/emergency-requests/:itemId': AGENCY, 'GET /api/v1/agencies/:id/emergency-requests/:itemId/evidence': AGENCY,
  'GET /api/v1/agencies/:id/emergency-requests/:itemId/evidence/:disclosureId/video': AGENCY, 'GET /api/v1/agencies/:id/emergency-requests/:itemId/evidence.zip': AGENCY,
  'POST /api/v1/agencies/:id/emergency-requests/:itemId/follow-up': AGENCY, 'POST /api/v1/agencies/:id/emergency-requests/:itemId/notice-delay': AGENCY,
  'POST /api/v1/agencies/:id/emergency-requests/:itemId/resolve': AGENCY,
  // reviewers and administrators decide
  'GET /api/v1/review/queues': STAFF, 'GET /api/v1/review/audit': STAFF,
  'GET /api/v1/review/requests': STAFF, 'GET /api/v1/review/requests/:id': STAFF, 'POST /api/v1/review/requests/:id/decision': STAFF,
  'GET /api/v1/review/legal-demands': STAFF, 'GET /api/v1/review/legal-demands/:id': STAFF, 'POST /api/v1/review/legal-demands/:id/decision': STAFF,
  'GET /api/v1/review/legal-demands/:id/document': STAFF, 'GET /api/v1/review/legal-demands/:id/records': STAFF,
  'POST /api/v1/review/legal-demands/:id/extend-hold': STAFF,
  'GET /api/v1/review/emergency-requests': STAFF, 'GET /api/v1/review/emergency-requests/:id': STAFF,
  // the neighbourhood feed: residents read and write around their homes, agencies post alerts, reviewers moderate
  'GET /api/v1/feed': RESIDENT, 'POST /api/v1/feed/posts': RESIDENT, 'GET /api/v1/feed/posts/:id': RESIDENT,
  'PATCH /api/v1/feed/posts/:id': RESIDENT, 'DELETE /api/v1/feed/posts/:id': RESIDENT, 'GET /api/v1/feed/posts/:id/clips/:disclosureId/video': RESIDENT,
  'GET /api/v1/feed/posts/:id/comments': RESIDENT, 'POST /api/v1/feed/posts/:id/comments': RESIDENT,
  'DELETE /api/v1/feed/posts/:id/comments/:commentId': RESIDENT, 'POST /api/v1/feed/posts/:id/reports': RESIDENT,
  'GET /api/v1/me/feed-settings': RESIDENT, 'PUT /api/v1/me/feed-settings': RESIDENT,
  'POST /api/v1/agencies/:id/alerts': AGENCY,
  'GET /api/v1/review/feed-reports': STAFF, 'POST /api/v1/review/feed-reports/:kind/:id/decision': STAFF,
  'POST /api/v1/review/emergency-requests/:id/callback': STAFF, 'POST /api/v1/review/emergency-requests/:id/determinations': STAFF,
  'GET /api/v1/review/emergency-requests/:id/notice-delay-order': STAFF, 'POST /api/v1/review/emergency-requests/:id/notice-delay/decision': STAFF,
};

/**
 * Allowed calls that would end or change the probing session (sign out, TOTP,
 * password, a rotated device token) or never end (the event stream): these are checked against the
 * route's permission with authorize(), the function the request hook runs.
 */
const PROBE_BY_RULE = new Set(['POST /api/v1/devices/me/token/rotate', 'POST /api/v1/auth/logout', 'POST /api/v1/auth/totp/enroll', 'POST /api/v1/auth/totp/verify', 'POST /api/v1/me/password', 'GET /api/v1/me/events']);

const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'x0000').replace(/\*/g, 'x');

forEachEngine('who may call each route', (getDb) => {
  let t: TestApp;
  const users = {} as Record<Exclude<Caller, 'anonymous'>, TestUser>;
  const noTotp = {} as Record<'agency' | 'reviewer' | 'admin', TestUser>;
  const actors = {} as Record<Caller, Actor>;
  const staffActors = {} as Record<'agency' | 'reviewer' | 'admin', UserActor>;
  before(async () => {
    t = await buildTestApp(getDb());
    users.resident = await createResident(t);
    for (const role of ['agency', 'reviewer', 'admin'] as const) {
      users[role] = await createStaff(t, role);
      noTotp[role] = await createStaff(t, role, { enrolTotp: false });
    }
    const cam = await as(t, users.resident, { method: 'POST', url: '/api/v1/cameras', payload: { name: 'Porch', location: { lat: 45.5, lon: -122.6 }, kind: 'doorbell' } });
    const code = await as(t, users.resident, { method: 'POST', url: `/api/v1/cameras/${cam.json().id}/enrolment-code` });
    const enrolled = await t.app.inject({ method: 'POST', url: '/api/v1/devices/enroll', payload: { code: code.json().code, publicKey: exportDevicePublicKey(generateKeyPairSync('ed25519').publicKey) } });
    assert.equal(enrolled.statusCode, 201, enrolled.body);
    const token = enrolled.json().token as string;
    users.device = { ...users.resident, token, auth: { authorization: `Bearer ${token}` } };
    actors.anonymous = { kind: 'anonymous' };
    actors.device = { kind: 'device', cameraId: cam.json().id, ownerId: users.resident.id, tokenId: 'probe' };
    for (const role of ['resident', 'agency', 'reviewer', 'admin'] as const) {
      const actor: UserActor = { kind: 'user', userId: users[role].id, role, agencyId: role === 'agency' ? 'test-agency' : null, totpEnabled: true, sessionId: 'probe', via: 'bearer' };
      actors[role] = actor;
      if (role !== 'resident') staffActors[role] = actor;
    }
  });
  after(async () => t.app.close());

  const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

  test('every route the app serves has a hand-written expectation, and every expectation a route', () => {
    const served = t.routes.map(key).sort();
    assert.deepEqual(served, Object.keys(EXPECTED).sort());
  });

  test('a caller not expected gets 401 signed out and 403 otherwise', async () => {
    for (const r of t.routes) {
      const allowed = EXPECTED[key(r)];
      for (const caller of CALLERS.filter((c) => !allowed.includes(c))) {
        const res = await as(t, caller === 'anonymous' ? null : users[caller], { method: r.method as 'GET', url: concrete(r.url) });
        assert.equal(res.statusCode, caller === 'anonymous' ? 401 : 403, `${caller} on ${key(r)} answered ${res.statusCode}`);
      }
    }
  });

  test('an expected caller gets past the access check', async () => {
    for (const r of t.routes) {
      for (const caller of EXPECTED[key(r)]) {
        if (PROBE_BY_RULE.has(key(r))) {
          assert.doesNotThrow(() => authorize(actors[caller], r.access as Permission), `${caller} on ${key(r)}`);
          continue;
        }
        const res = await as(t, caller === 'anonymous' ? null : users[caller], { method: r.method as 'GET', url: concrete(r.url) });
        assert.ok(res.statusCode !== 401 && res.statusCode !== 403, `${caller} on ${key(r)} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
        assert.ok(res.statusCode < 500, `${caller} on ${key(r)} answered ${res.statusCode}`);
      }
    }
  });

  test('staff and agency sessions without TOTP reach only sign-out, enrolment and /me', async () => {
    for (const r of t.routes) {
      for (const role of ['agency', 'reviewer', 'admin'] as const) {
        if (!EXPECTED[key(r)].includes(role) || PUBLIC === EXPECTED[key(r)]) continue;
        if (BEFORE_TOTP.has(key(r))) {
          assert.doesNotThrow(() => authorize({ ...staffActors[role], totpEnabled: false }, r.access as Permission), `${role} before TOTP on ${key(r)}`);
          continue;
        }
        const res = await as(t, noTotp[role], { method: r.method as 'GET', url: concrete(r.url) });
        assert.equal(res.statusCode, 403, `${role} without TOTP on ${key(r)} answered ${res.statusCode}`);
        assert.match(res.json().detail, /TOTP/);
      }
    }
  });
});
