// Emergency requests on both engines, over HTTP: a court-ordered notice delay
// is only a request until a reviewer outside the agency approves it (capped,
// audited, queued), resolution only of an approved emergency, and concurrent
// determinations by one reviewer answering 409, never 500.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { DAY, HOUR, multipart, pdfPart, range, scene, snapshot, type Scene } from '../legal/helpers.ts';
import { isUniqueViolation } from '../../src/platform/db/errors.ts';

forEachEngine('emergency review fixes', (getDb) => {
  let t: TestApp;
  let s: Scene;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
  });
  after(async () => t.app.close());

  const db = () => getDb().kysely;
  const window = () => [range(s.clips.a1.startedAt - HOUR / 2, s.clips.a1.endedAt + HOUR / 2)];
  const form = () => ({
    officerName: 'Sgt. A. Rivera', callbackPhone: '+1 503 555 0100', nature: 'Kidnapping in progress.', imminentDanger: 'The child is in the van now.',
    whyNoProcess: 'A warrant takes hours.', scope: { address: { lat: 45.5, lon: -122.6, radiusM: 20 }, ranges: window() },
  });
  const base = () => `/api/v1/agencies/${s.agencyId}/emergency-requests`;
  const submit = async () => {
    const res = await as(t, s.officer, { method: 'POST', url: base(), payload: form() });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const callback = (user: TestUser, id: string) =>
    as(t, user, { method: 'POST', url: `/api/v1/review/emergency-requests/${id}/callback`, payload: { numberDialled: '+1 503 555 0100', calledAt: new Date(t.clock.now()).toISOString(), confirmed: true } });
  const determine = (user: TestUser, id: string, decision: 'approve' | 'deny' = 'approve') =>
    as(t, user, { method: 'POST', url: `/api/v1/review/emergency-requests/${id}/determinations`, payload: { decision, reasons: `Good-faith determination: ${decision}.` } });
  const resolve = (id: string) => as(t, s.officer, { method: 'POST', url: `${base()}/${id}/resolve` });
  async function approved(): Promise<string> {
    const id = await submit();
    assert.equal((await callback(s.reviewer1, id)).statusCode, 200);
    assert.equal((await determine(s.reviewer1, id)).statusCode, 200);
    const second = await determine(s.reviewer2, id);
    assert.equal(second.json().status, 'approved', second.body);
    return id;
  }
  const delay = (id: string, until: number, user = s.officer) => {
    const body = multipart({ until: new Date(until).toISOString() }, pdfPart(undefined, 'order.pdf'));
    return as(t, user, { method: 'POST', url: `${base()}/${id}/notice-delay`, headers: body.headers, payload: body.payload });
  };
  const decideDelay = (user: TestUser | null, id: string, decision: 'approve' | 'reject', reason = 'Checked the order against the court docket.') =>
    as(t, user, { method: 'POST', url: `/api/v1/review/emergency-requests/${id}/notice-delay/decision`, payload: { decision, reason } });
  const noticesTo = (userId: string) => db().selectFrom('outbox_messages').select('id').where('user_id', '=', userId).where('kind', '=', 'notice.emergency').execute().then((r) => r.length);

  test('a notice delay waits for a reviewer: notice keeps its 72 h schedule meanwhile; approval by a non-member moves it, audited', async () => {
    const id = await approved();
    const start = t.clock.now();
    const until = start + 10 * DAY;
    const asked = await delay(id, until);
    assert.equal(asked.statusCode, 200, asked.body);
    assert.equal(asked.json().noticeDelayUntil, null, 'not in force yet');
    assert.equal(asked.json().noticeDelayRequested.until, new Date(until).toISOString());
    // A second request while one waits: 409.
    assert.equal((await delay(id, until)).statusCode, 409);

    // The reviewer queue shows it.
    const queues = await as(t, s.reviewer1, { method: 'GET', url: '/api/v1/review/queues' });
    const q = queues.json().queues.find((x: { kind: string }) => x.kind === 'emergency_notice_delay');
    assert.ok(q?.items.some((i: { id: string }) => i.id === id), queues.body);

    // Who may not decide: anonymous 401, the agency's member 403 (access table), a reviewer who belongs to the agency 403.
    // Accounts refuse to put a reviewer in an agency; a row that says so anyway must still be refused.
    const moonlighter = await createStaff(t, 'reviewer');
    await db().updateTable('users').set({ agency_id: s.agencyId }).where('id', '=', moonlighter.id).execute();
    t.services.accounts.forgetSessions({ userId: moonlighter.id });
    const before = await snapshot(getDb());
    assert.equal((await decideDelay(null, id, 'approve')).statusCode, 401);
    assert.equal((await decideDelay(s.officer, id, 'approve')).statusCode, 403);
    const self = await decideDelay(moonlighter, id, 'approve');
    assert.equal(self.statusCode, 403, self.body);
    assert.match(self.json().detail, /member of the requesting agency/);
    assert.equal((await decideDelay(s.reviewer1, id, 'approve', '  ')).statusCode, 400);
    assert.deepEqual(await snapshot(getDb()), before, 'refusals change nothing');

    const ok = await decideDelay(s.reviewer1, id, 'approve');
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().noticeDelayUntil, new Date(until).toISOString());
    assert.equal(ok.json().noticeDelayRequested, null);
    assert.equal((await decideDelay(s.reviewer2, id, 'approve')).statusCode, 409, 'decided once');
    const audit = await as(t, s.reviewer2, { method: 'GET', url: `/api/v1/review/audit?subjectId=${id}` });
    const actions = audit.json().items.map((a: { action: string; actorId: string }) => `${a.action}:${a.actorId}`);
    assert.ok(actions.includes(`emergency.notice_delay_requested:${s.officer.id}`), actions.join());
    assert.ok(actions.includes(`emergency.notice_delay_approve:${s.reviewer1.id}`), actions.join());

    const n = await noticesTo(s.owner.id);
    t.clock.set(start + 72 * HOUR);
    await t.ctx.workers.runAll('owner-notices');
    assert.equal(await noticesTo(s.owner.id), n, 'approved: not at 72 h');
    t.clock.set(until);
    await t.ctx.workers.runAll('owner-notices');
    assert.equal(await noticesTo(s.owner.id), n + 2);
    t.clock.set(start);
  });

  test('an unapproved (pending or rejected) delay does not hold notice back: owners are told at 72 h', async () => {
    const pending = await approved();
    const rejected = await approved();
    const start = t.clock.now();
    assert.equal((await delay(pending, start + 30 * DAY)).statusCode, 200);
    assert.equal((await delay(rejected, start + 30 * DAY)).statusCode, 200);
    const no = await decideDelay(s.reviewer2, rejected, 'reject', 'The order does not name this request.');
    assert.equal(no.statusCode, 200, no.body);
    assert.equal(no.json().noticeDelayUntil, null);
    assert.equal(no.json().noticeDelayRequested, null);
    const notices = () => db().selectFrom('owner_notices').select(['subject_id', 'sent_at']).where('subject_id', 'in', [pending, rejected]).execute();
    t.clock.set(start + 72 * HOUR);
    await t.ctx.workers.runAll('owner-notices');
    const rows = await notices();
    assert.ok(rows.length >= 2 && rows.every((r) => r.sent_at !== null), JSON.stringify(rows));
    // Once owners are told, a pending delay can no longer be approved.
    const late = await decideDelay(s.reviewer1, pending, 'approve');
    assert.equal(late.statusCode, 409, late.body);
    t.clock.set(start);
  });

  test('a delay more than 90 days after disclosure is refused with a 400 naming the cap', async () => {
    const id = await approved();
    const before = await snapshot(getDb());
    const res = await delay(id, t.clock.now() + 91 * DAY);
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().detail, /at most 90 days after the disclosure/);
    const numeric = multipart({ until: '1' }, pdfPart(undefined, 'order.pdf'));
    assert.equal((await as(t, s.officer, { method: 'POST', url: `${base()}/${id}/notice-delay`, headers: numeric.headers, payload: numeric.payload })).statusCode, 400);
    assert.deepEqual(await snapshot(getDb()), before);
    assert.equal((await delay(id, t.clock.now() + 90 * DAY)).statusCode, 200, 'exactly 90 days is allowed');
  });

  test('a pending emergency cannot be resolved (409); its second approval still releases', async () => {
    const id = await submit();
    assert.equal((await callback(s.reviewer1, id)).statusCode, 200);
    assert.equal((await determine(s.reviewer1, id)).statusCode, 200);
    const before = await snapshot(getDb());
    const res = await resolve(id);
    assert.equal(res.statusCode, 409, res.body);
    assert.match(res.json().detail, /only an approved emergency can be resolved/);
    assert.deepEqual(await snapshot(getDb()), before);
    const second = await determine(s.reviewer2, id);
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(second.json().status, 'approved');
    assert.ok(second.json().released.length > 0);
    assert.equal((await resolve(id)).statusCode, 200);
    // A denied one cannot be resolved either.
    const denied = await submit();
    assert.equal((await callback(s.reviewer1, denied)).statusCode, 200);
    assert.equal((await determine(s.reviewer1, denied, 'deny')).statusCode, 200);
    assert.equal((await resolve(denied)).statusCode, 409);
  });

  test('the same reviewer twice at once: one determination, the other 409 (never 500)', async () => {
    const id = await submit();
    assert.equal((await callback(s.reviewer1, id)).statusCode, 200);
    const both = await Promise.all([determine(s.reviewer1, id), determine(s.reviewer1, id), determine(s.reviewer1, id)]);
    assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 409, 409], both.map((r) => r.body).join('\n'));
    const rows = await db().selectFrom('emergency_determinations').select('id').where('emergency_id', '=', id).execute();
    assert.equal(rows.length, 1);
  });

  test('isUniqueViolation recognises this engine\'s unique-index error, and nothing else', async () => {
    const id = await submit();
    const row = { emergency_id: id, reviewer_id: s.reviewer1.id, decision: 'approve' as const, reasons: 'r', created_at: t.clock.now() };
    await db().insertInto('emergency_determinations').values({ id: `u-${id}-1`, ...row }).execute();
    const err = await db().insertInto('emergency_determinations').values({ id: `u-${id}-2`, ...row }).execute().then(() => null, (e: unknown) => e);
    assert.ok(err, 'the unique index refused the second row');
    assert.equal(isUniqueViolation(err), true, String(err));
    const other = await db().insertInto('emergency_determinations').values({ id: `u-${id}-3`, ...row, reviewer_id: s.reviewer2.id, decision: null as unknown as 'approve' }).execute().then(() => null, (e: unknown) => e);
    assert.ok(other, 'a NOT NULL violation');
    assert.equal(isUniqueViolation(other), false);
    assert.equal(isUniqueViolation(new Error('boom')), false);
    assert.equal(isUniqueViolation(undefined), false);
  });
});
