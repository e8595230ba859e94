// Creating, reviewing and publishing community requests: every limit of the
// issue, each refused with a clear 4xx that changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { agencyMember, createAgency, offset, requestBody, square } from './helpers.ts';

forEachEngine('community requests: creation and review', (getDb) => {
  let t: TestApp;
  let reviewer: TestUser;
  let officer: TestUser;
  let otherOfficer: TestUser;
  let resident: TestUser;
  let agency: { id: string };
  let other: { id: string };
  before(async () => {
    t = await buildTestApp(getDb(), { REQUESTS_PER_DAY: '5' });
    reviewer = await createStaff(t, 'reviewer');
    agency = await createAgency(t, reviewer);
    other = await createAgency(t, reviewer);
    officer = await agencyMember(t, agency.id);
    otherOfficer = await agencyMember(t, other.id);
    resident = await createResident(t);
  });
  after(async () => t.app.close());

  const url = () => `/api/v1/agencies/${agency.id}/requests`;
  const create = (body: object, who: TestUser | null = officer) => as(t, who, { method: 'POST', url: url(), payload: body });
  const count = async () => (await as(t, officer, { method: 'GET', url: url() })).json().length;

  test('who may create: 401 anonymous, 403 resident and reviewer, 404 a member of another agency', async () => {
    assert.equal((await create(requestBody(t), null)).statusCode, 401);
    assert.equal((await create(requestBody(t), resident)).statusCode, 403);
    assert.equal((await create(requestBody(t), reviewer)).statusCode, 403);
    assert.equal((await create(requestBody(t), otherOfficer)).statusCode, 404);
    assert.equal((await as(t, otherOfficer, { method: 'GET', url: url() })).statusCode, 404);
  });

  test('bad input: each case a clear 400 that changes nothing', async () => {
    const now = t.clock.now();
    const at = (msAgo: number) => new Date(now - msAgo).toISOString();
    const ring = square(500).coordinates[0];
    const H = 3_600_000;
    const cases: [string, object][] = [
      ['fewer than 4 positions', { area: { type: 'Polygon', coordinates: [[ring[0], ring[1], ring[0]]] } }],
      ['not closed', { area: { type: 'Polygon', coordinates: [ring.slice(0, 4)] } }],
      ['self-intersecting', { area: { type: 'Polygon', coordinates: [[ring[0], ring[2], ring[1], ring[3], ring[0]]] } }],
      ['0.6 sq mi', { area: square(1247) }],
      ['0.01 sq mi', { area: square(161) }],
      ['crossing the antimeridian', { area: { type: 'Polygon', coordinates: [[[179.999, 10], [-179.999, 10], [-179.999, 10.004], [179.999, 10.004], [179.999, 10]]] } }],
      ['outside the jurisdiction', { area: square(500, offset(5000, 5000)) }],
      ['straddling the jurisdiction edge', { area: square(500, offset(1400, 0)) }],
      ['out-of-range coordinates', { area: { type: 'Polygon', coordinates: [[[200, 10], [201, 10], [201, 11], [200, 10]]] } }],
      ['a MultiPolygon', { area: { type: 'MultiPolygon', coordinates: [square(500).coordinates] } }],
      ['a window in the future', { window: { start: at(H), end: new Date(now + H).toISOString() } }],
      ['a window longer than 12 hours', { window: { start: at(14 * H), end: at(H) } }],
      ['a window shorter than 15 minutes', { window: { start: at(H + 14 * 60_000), end: at(H) } }],
      ['a window before the longest retention', { window: { start: at(181 * 24 * H), end: at(181 * 24 * H - H) } }],
      ['an unparseable window', { window: { start: 'yesterday', end: at(H) } }],
      ['a description of 2,001 characters', { description: 'x'.repeat(2001) }],
      ['an unknown incident type', { incidentType: 'protest' }],
      ['a blank case number', { caseNumber: '   ' }],
      ['no investigator contact', { investigatorContact: ' ' }],
    ];
    const before = await count();
    for (const [why, over] of cases) {
      const res = await create(requestBody(t, over));
      assert.equal(res.statusCode, 400, `${why}: ${res.statusCode} ${res.body}`);
      assert.ok(res.json().detail, why);
    }
    const nan = await t.app.inject({ method: 'POST', url: url(), headers: { ...officer.auth, 'content-type': 'application/json' }, payload: JSON.stringify(requestBody(t)).replace(/-122\.\d+/, 'NaN') });
    assert.equal(nan.statusCode, 400);
    assert.equal(await count(), before);
    // The limits themselves are accepted: exactly 2,000 characters, 15 minutes, 12 hours.
    assert.equal((await create(requestBody(t, { description: 'y'.repeat(2000), window: { start: at(H + 15 * 60_000), end: at(H) } }))).statusCode, 201);
    assert.equal((await create(requestBody(t, { window: { start: at(13 * H), end: at(H) } }))).statusCode, 201);
  });

  test('the sixth request in a day is refused with 429; a day later it is allowed', async () => {
    const made = await count();
    for (let i = made; i < 5; i++) assert.equal((await create(requestBody(t))).statusCode, 201);
    const before = await count();
    const quota = () => as(t, officer, { method: 'GET', url: `${url()}`.replace(/\/requests$/, '/request-quota') }).then((r) => r.json());
    assert.deepEqual(await quota(), { limit: 5, used: 5, left: 0 }, 'the form can say so before anyone fills it in');
    const peek = await as(t, otherOfficer, { method: 'GET', url: `/api/v1/agencies/${agency.id}/request-quota` });
    assert.equal(peek.statusCode, 404, "another agency's member learns nothing of this one's quota");
    const sixth = await create(requestBody(t));
    assert.equal(sixth.statusCode, 429, sixth.body);
    assert.equal(await count(), before);
    t.clock.advance(24 * 3_600_000 + 1);
    assert.deepEqual(await quota(), { limit: 5, used: 0, left: 5 });
    assert.equal((await create(requestBody(t))).statusCode, 201);
  });

  test('review: 403 for non-staff; reject needs a reason; the agency sees the outcome and the reason; twice is 409', async () => {
    const id = (await create(requestBody(t, { incidentType: 'theft' }))).json().id;
    const decide = (who: TestUser, payload: object) => as(t, who, { method: 'POST', url: `/api/v1/review/requests/${id}/decision`, payload });
    assert.equal((await decide(officer, { decision: 'approve' })).statusCode, 403);
    assert.equal((await decide(resident, { decision: 'approve' })).statusCode, 403);
    assert.equal((await as(t, officer, { method: 'GET', url: '/api/v1/review/requests' })).statusCode, 403);
    const queue = await as(t, reviewer, { method: 'GET', url: '/api/v1/review/requests' });
    assert.ok(queue.json().some((r: { id: string }) => r.id === id));
    const consoleQueues = (await as(t, reviewer, { method: 'GET', url: '/api/v1/review/queues' })).json();
    const mine = consoleQueues.queues.find((q: { kind: string }) => q.kind === 'community_request');
    assert.ok(mine?.items.some((i: { id: string; summary: string }) => i.id === id && /theft/.test(i.summary)));
    assert.equal((await decide(reviewer, { decision: 'reject' })).statusCode, 400);
    assert.equal((await decide(reviewer, { decision: 'reject', reason: 'not-a-reason' })).statusCode, 400);
    const res = await decide(reviewer, { decision: 'reject', reason: 'general_announcement', note: 'Reads as a general appeal.' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await decide(reviewer, { decision: 'approve' })).statusCode, 409);
    const audit = (await as(t, reviewer, { method: 'GET', url: `/api/v1/review/audit?subjectId=${id}` })).json().items;
    assert.deepEqual(audit.map((a: { actorId: string; action: string; subject: { kind: string }; reason: string }) => [a.actorId, a.action, a.subject.kind, a.reason]),
      [[reviewer.id, 'reject', 'community_request', 'general_announcement: Reads as a general appeal.']], 'the decision is in the reviewers\' audit trail; refused attempts are not');
    const seen = (await as(t, officer, { method: 'GET', url: `${url()}/${id}` })).json();
    assert.equal(seen.status, 'rejected');
    assert.deepEqual({ decision: seen.review.decision, reason: seen.review.reason, note: seen.review.note }, { decision: 'rejected', reason: 'general_announcement', note: 'Reads as a general appeal.' });
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/public/requests/${id}` })).statusCode, 404);
    assert.equal((await as(t, otherOfficer, { method: 'GET', url: `${url()}/${id}` })).statusCode, 404);
  });

  test('an approved request is a public post with a coarse area; it is never deleted, only resolved', async () => {
    const id = (await create(requestBody(t, { incidentType: 'hit_and_run' }))).json().id;
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/review/requests/${id}/decision`, payload: { decision: 'approve' } })).statusCode, 200);
    const post = (await t.app.inject({ method: 'GET', url: `/api/v1/public/requests/${id}` })).json();
    assert.equal(post.incidentType, 'hit_and_run');
    assert.equal(post.status, 'open');
    const exact = JSON.stringify(square(500).coordinates);
    assert.notEqual(JSON.stringify(post.area.coordinates), exact);
    // Issue 19: the public page names the agency's case number; never the description, contact or exact area.
    assert.deepEqual(Object.keys(post).sort(), ['agency', 'area', 'caseNumber', 'id', 'incidentType', 'postedAt', 'status', 'window']);
    assert.equal((await as(t, officer, { method: 'DELETE', url: `/api/v1/public/requests/${id}` })).statusCode, 404);
    assert.equal((await as(t, otherOfficer, { method: 'POST', url: `${url()}/${id}/close`, payload: { resolved: true } })).statusCode, 404);
    const closed = await as(t, officer, { method: 'POST', url: `${url()}/${id}/close`, payload: { resolved: true } });
    assert.equal(closed.statusCode, 200, closed.body);
    assert.equal(closed.json().status, 'closed');
    const after = (await t.app.inject({ method: 'GET', url: '/api/v1/public/requests' })).json().find((p: { id: string }) => p.id === id);
    assert.equal(after.status, 'resolved');
    const pending = (await create(requestBody(t))).json().id;
    assert.equal((await as(t, officer, { method: 'POST', url: `${url()}/${pending}/close`, payload: {} })).statusCode, 409);
  });
});
