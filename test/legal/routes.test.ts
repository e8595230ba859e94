// Every legal, emergency and reviewer-console route, on both engines: 401
// without a session, 403 for the wrong role and for another agency's member,
// 400 for a malformed id or body, and the happy path of the reads the scenario
// tests do not already exercise.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { HOUR, multipart, pdfPart, range, scene, submitDemand, type Scene } from './helpers.ts';

type Side = 'agency' | 'staff';
interface Route { method: 'GET' | 'POST'; url: (ids: Ids) => string; side: Side; body?: object; multipart?: boolean }
interface Ids { agency: string; demand: string; emergency: string; disclosure: string }

const ROUTES: Route[] = [
  { method: 'POST', url: (i) => `/api/v1/agencies/${i.agency}/legal-demands`, side: 'agency', multipart: true },
  { method: 'GET', url: (i) => `/api/v1/agencies/${i.agency}/legal-demands`, side: 'agency' },
  { method: 'GET', url: (i) => `/api/v1/agencies/${i.agency}/legal-demands/${i.demand}`, side: 'agency' },
  { method: 'GET', url: (i) => `/api/v1/agencies/${i.agency}/legal-demands/${i.demand}/records`, side: 'agency' },
  { method: 'GET', url: (i) => `/api/v1/agencies/${i.agency}/legal-demands/${i.demand}/evidence`, side: 'agency' },
  { method: 'GET', url: (i) => `/api/v1/agencies/${i.agency}/legal-demands/${i.demand}/evidence/${i.disclosure}/video`, side: 'agency' },
  { method: 'GET', url: (i) => `/api/v1/agencies/${i.agency}/legal-demands/${i.demand}/document`, side: 'agency' },
  { method: 'GET', url: () => '/api/v1/review/legal-demands', side: 'staff' },
  { method: 'GET', url: (i) => `/api/v1/review/legal-demands/${i.demand}`, side: 'staff' },
  { method: 'GET', url: (i) => `/api/v1/review/legal-demands/${i.demand}/document`, side: 'staff' },
  { method: 'GET', url: (i) => `/api/v1/review/legal-demands/${i.demand}/records`, side: 'staff' },
  { method: 'POST', url: (i) => `/api/v1/review/legal-demands/${i.demand}/decision`, side: 'staff', body: { decision: 'reject', reason: 'r' } },
  { method: 'POST', url: (i) => `/api/v1/review/legal-demands/${i.demand}/extend-hold`, side: 'staff', body: { reason: 'r' } },
  { method: 'POST', url: (i) => `/api/v1/agencies/${i.agency}/emergency-requests`, side: 'agency', body: { officerName: 'o', callbackPhone: '+15035550100', nature: 'n', imminentDanger: 'd', whyNoProcess: 'w', scope: { cameraIds: ['c'], ranges: [{ from: '2026-06-01T09:00:00Z', to: '2026-06-01T10:00:00Z' }] } } },
  { method: 'GET', url: (i) => `/api/v1/agencies/${i.agency}/emergency-requests`, side: 'agency' },
  { method: 'GET', url: (i) => `/api/v1/agencies/${i.agency}/emergency-requests/${i.emergency}`, side: 'agency' },
  { method: 'POST', url: (i) => `/api/v1/agencies/${i.agency}/emergency-requests/${i.emergency}/resolve`, side: 'agency' },
  { method: 'POST', url: (i) => `/api/v1/agencies/${i.agency}/emergency-requests/${i.emergency}/notice-delay`, side: 'agency', multipart: true },
  { method: 'POST', url: (i) => `/api/v1/agencies/${i.agency}/emergency-requests/${i.emergency}/follow-up`, side: 'agency', body: { demandId: 'someDemand' } },
  { method: 'GET', url: (i) => `/api/v1/agencies/${i.agency}/emergency-requests/${i.emergency}/evidence`, side: 'agency' },
  { method: 'GET', url: (i) => `/api/v1/agencies/${i.agency}/emergency-requests/${i.emergency}/evidence/${i.disclosure}/video`, side: 'agency' },
  { method: 'GET', url: () => '/api/v1/review/emergency-requests', side: 'staff' },
  { method: 'GET', url: (i) => `/api/v1/review/emergency-requests/${i.emergency}`, side: 'staff' },
  { method: 'GET', url: (i) => `/api/v1/review/emergency-requests/${i.emergency}/notice-delay-order`, side: 'staff' },
  { method: 'POST', url: (i) => `/api/v1/review/emergency-requests/${i.emergency}/callback`, side: 'staff', body: { numberDialled: '+15035550100', calledAt: '2026-06-01T11:00:00Z', confirmed: true } },
  { method: 'POST', url: (i) => `/api/v1/review/emergency-requests/${i.emergency}/determinations`, side: 'staff', body: { decision: 'deny', reasons: 'r' } },
  { method: 'GET', url: () => '/api/v1/review/queues', side: 'staff' },
  { method: 'GET', url: () => '/api/v1/review/audit', side: 'staff' },
];

forEachEngine('legal, emergency and console routes', (getDb) => {
  let t: TestApp;
  let s: Scene;
  let ids: Ids;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
    const d = await submitDemand(t, s.officer, s.agencyId, { type: 'subpoena', issuingAuthority: 'Court', caseNumber: 'R-1', scope: JSON.stringify({ cameraIds: [s.cams.a], ranges: [range(t.clock.now() - 4 * HOUR, t.clock.now())] }) });
    assert.equal(d.statusCode, 201, d.body);
    const e = await as(t, s.officer, {
      method: 'POST', url: `/api/v1/agencies/${s.agencyId}/emergency-requests`,
      payload: { officerName: 'Officer', callbackPhone: '+15035550100', nature: 'n', imminentDanger: 'd', whyNoProcess: 'w', scope: { cameraIds: [s.cams.a], ranges: [range(t.clock.now() - 4 * HOUR, t.clock.now())] } },
    });
    assert.equal(e.statusCode, 201, e.body);
    ids = { agency: s.agencyId, demand: d.json().id, emergency: e.json().id, disclosure: 'nodisclosure' };
  });
  after(async () => t.app.close());

  const send = (user: TestUser | null, r: Route, i: Ids) => {
    if (r.multipart) {
      const b = multipart({ until: '2027-01-01T00:00:00Z' }, pdfPart());
      return as(t, user, { method: r.method, url: r.url(i), headers: b.headers, payload: b.payload });
    }
    return as(t, user, { method: r.method, url: r.url(i), ...(r.body ? { payload: r.body } : r.method === 'POST' ? { payload: {} } : {}) });
  };

  test('401 without a session, on every route', async () => {
    for (const r of ROUTES) assert.equal((await send(null, r, ids)).statusCode, 401, `${r.method} ${r.url(ids)}`);
  });

  test('403 for the wrong role: residents everywhere, agency members on reviewer routes, reviewers on agency routes', async () => {
    for (const r of ROUTES) {
      for (const user of [s.owner, r.side === 'agency' ? s.reviewer1 : s.officer]) {
        const res = await send(user, r, ids);
        assert.equal(res.statusCode, 403, `${user.role} ${r.method} ${r.url(ids)}: ${res.body}`);
      }
    }
  });

  test('404 for a member of another agency on every agency route (nothing reveals what exists)', async () => {
    for (const r of ROUTES.filter((x) => x.side === 'agency')) {
      const res = await send(s.otherOfficer, r, ids);
      assert.equal(res.statusCode, 404, `${r.method} ${r.url(ids)}: ${res.body}`);
    }
  });

  test('400 for malformed ids and bodies', async () => {
    const bad: Ids = { agency: s.agencyId, demand: 'bad id!', emergency: 'bad id!', disclosure: 'bad id!' };
    for (const r of ROUTES.filter((x) => x.url(bad).includes('bad id!'))) {
      const user = r.side === 'agency' ? s.officer : s.reviewer1;
      const res = await as(t, user, { method: r.method, url: r.url(bad).replace('bad id!', 'bad%20id!'), ...(r.body ? { payload: r.body } : {}) });
      assert.equal(res.statusCode, 400, `${r.method} ${r.url(bad)}: ${res.body}`);
    }
    assert.equal((await as(t, s.reviewer1, { method: 'POST', url: `/api/v1/review/legal-demands/${ids.demand}/decision`, payload: { decision: 'maybe', reason: 'r' } })).statusCode, 400);
    assert.equal((await as(t, s.reviewer1, { method: 'POST', url: `/api/v1/review/legal-demands/${ids.demand}/decision`, payload: { decision: 'reject', reason: 'r', extra: 1 } })).statusCode, 400);
    assert.equal((await as(t, s.reviewer1, { method: 'POST', url: `/api/v1/review/emergency-requests/${ids.emergency}/callback`, payload: { numberDialled: 'x', calledAt: '2026-06-01T11:00:00Z', confirmed: true } })).statusCode, 400);
    assert.equal((await as(t, s.reviewer1, { method: 'GET', url: '/api/v1/review/audit?limit=0' })).statusCode, 400);
    assert.equal((await as(t, s.reviewer1, { method: 'GET', url: '/api/v1/review/audit?cursor=nonsense' })).statusCode, 400);
    assert.equal((await as(t, s.officer, { method: 'POST', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${ids.emergency}/follow-up`, payload: {} })).statusCode, 400);
  });

  test('happy reads: agency lists and items, reviewer items, document, queues with ages, the audit trail', async () => {
    t.clock.advance(HOUR);
    const ok = async (user: TestUser, url: string) => {
      const res = await as(t, user, { method: 'GET', url });
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      return res;
    };
    assert.equal((await ok(s.officer, `/api/v1/agencies/${s.agencyId}/emergency-requests`)).json()[0].id, ids.emergency);
    assert.equal((await ok(s.officer, `/api/v1/agencies/${s.agencyId}/emergency-requests/${ids.emergency}`)).json().status, 'pending');
    assert.equal((await ok(s.reviewer1, `/api/v1/review/legal-demands/${ids.demand}`)).json().id, ids.demand);
    assert.match(String((await ok(s.reviewer1, `/api/v1/review/legal-demands/${ids.demand}/document`)).headers['content-type']), /application\/pdf/);
    const em = (await ok(s.reviewer1, '/api/v1/review/emergency-requests')).json();
    assert.equal(em.find((x: { id: string }) => x.id === ids.emergency).ageMs, HOUR);
    assert.equal((await ok(s.reviewer1, `/api/v1/review/emergency-requests/${ids.emergency}`)).json().id, ids.emergency);
    const queues = (await ok(s.reviewer2, '/api/v1/review/queues')).json().queues;
    const kinds = queues.map((q: { kind: string }) => q.kind);
    assert.equal(kinds[0], 'emergency', 'emergencies first');
    assert.ok(kinds.includes('legal_demand'));
    for (const q of queues) assert.ok(q.items.every((i: { ageMs: number }) => i.ageMs >= HOUR));
    const dec = await as(t, s.reviewer1, { method: 'POST', url: `/api/v1/review/legal-demands/${ids.demand}/decision`, payload: { decision: 'approve', reason: 'Records subpoena in order.' } });
    assert.equal(dec.statusCode, 200, dec.body);
    assert.equal((await ok(s.reviewer1, `/api/v1/review/legal-demands/${ids.demand}/records`)).json().cameras[0].id, s.cams.a);
    const audit = (await ok(s.reviewer2, '/api/v1/review/audit?limit=1')).json();
    assert.deepEqual([audit.items[0].action, audit.items[0].actorId, audit.items[0].reason], ['legal.approve', s.reviewer1.id, 'Records subpoena in order.']);
    assert.equal(typeof audit.nextCursor === 'string' || audit.nextCursor === null, true);
  });
});
