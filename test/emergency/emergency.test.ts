// Emergency requests over HTTP on both engines (issue 6 "Done when"): two
// different reviewers approve, only the in-scope clips go to only the
// requesting agency, the owner is told at 72 h, and day 7 without follow-up
// legal process puts a `no_follow_up` entry in the log and flags the request.
// Also: the form's bad inputs, the determination rules, resolution, a
// court-ordered delay, a follow-up link, and an end-to-end encrypted camera.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { fixture, sha256 } from '../clips/helpers.ts';
import { DAY, HOUR, entriesFor, multipart, pdfPart, range, relogin, scene, snapshot, type Scene } from '../legal/helpers.ts';

forEachEngine('emergency requests', (getDb) => {
  let t: TestApp;
  let s: Scene;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
  });
  after(async () => t.app.close());

  const db = () => getDb().kysely;
  const window = () => [range(s.clips.a1.startedAt - HOUR / 2, s.clips.a1.endedAt + HOUR / 2)];
  const form = (over: Record<string, unknown> = {}) => ({
    officerName: 'Sgt. A. Rivera, badge 4411',
    callbackPhone: '+1 503 555 0100',
    nature: 'Kidnapping in progress: child taken into a grey van on this block.',
    imminentDanger: 'The child is in the van now; the suspect threatened to kill her.',
    whyNoProcess: 'A warrant takes hours; the van left minutes ago.',
    scope: { address: { lat: 45.5, lon: -122.6, radiusM: 20 }, ranges: window() },
    ...over,
  });
  const submit = (user: TestUser | null, body: object, agencyId = s.agencyId) => as(t, user, { method: 'POST', url: `/api/v1/agencies/${agencyId}/emergency-requests`, payload: body });
  const callback = (user: TestUser | null, id: string, confirmed = true) =>
    as(t, user, { method: 'POST', url: `/api/v1/review/emergency-requests/${id}/callback`, payload: { numberDialled: '+1 503 555 0100', calledAt: new Date(t.clock.now()).toISOString(), confirmed } });
  const determine = (user: TestUser | null, id: string, decision: 'approve' | 'deny' = 'approve') =>
    as(t, user, { method: 'POST', url: `/api/v1/review/emergency-requests/${id}/determinations`, payload: { decision, reasons: `Good-faith determination by reviewer: ${decision}.` } });
  const noticesTo = (userId: string) => db().selectFrom('outbox_messages').selectAll().where('user_id', '=', userId).where('kind', '=', 'notice.emergency').execute();

  async function refused(status: number, run: () => Promise<{ statusCode: number; body: string; json(): { detail: string } }>, detail?: RegExp) {
    const before = await snapshot(getDb());
    const res = await run();
    assert.equal(res.statusCode, status, res.body);
    if (detail) assert.match(res.json().detail, detail);
    assert.deepEqual(await snapshot(getDb()), before, 'nothing changed');
  }

  async function approved(body = form()): Promise<string> {
    const res = await submit(s.officer, body);
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().id;
    assert.equal((await callback(s.reviewer1, id)).statusCode, 200);
    assert.equal((await determine(s.reviewer1, id)).statusCode, 200);
    const second = await determine(s.reviewer2, id);
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(second.json().status, 'approved');
    return id;
  }

  test('the form: 401, 403, and each bad input a 400 that changes nothing', async () => {
    await refused(401, () => submit(null, form()));
    await refused(403, async () => submit(await createResident(t), form()));
    await refused(403, () => submit(s.reviewer1, form()));
    await refused(404, () => submit(s.otherOfficer, form()), /no such agency resource/);
    await refused(400, () => submit(s.officer, form({ scope: { cameraIds: [s.cams.a], ranges: [range(t.clock.now() - 7 * HOUR, t.clock.now())] } })), /7\.0 hours, over 6 hours/);
    const { callbackPhone: _drop, ...noPhone } = form();
    await refused(400, () => submit(s.officer, noPhone), /callback phone number is required/);
    await refused(400, () => submit(s.officer, form({ callbackPhone: 'call me' })), /callbackPhone/);
    await refused(400, () => submit(s.officer, form({ scope: { address: { lat: 45.5, lon: -122.6, radiusM: 101 }, ranges: window() } })), /radius 101 m is over 100 m/);
    await refused(400, () => submit(s.officer, form({ imminentDanger: '' })), /imminentDanger/);
    // The other agency's members asking, for their own agency, about cameras outside its jurisdiction.
    await refused(400, () => submit(s.otherOfficer, form(), `${s.agencyId}-other`), /outside the agency's jurisdiction/);
    await refused(400, () => submit(s.otherOfficer, form({ scope: { cameraIds: [s.cams.a], ranges: window() } }), `${s.agencyId}-other`), /not within the agency's jurisdiction/);
    // A circle whose centre is inside but whose edge crosses the jurisdiction's border (45.4 N): outside.
    await refused(400, () => submit(s.officer, form({ scope: { address: { lat: 45.4003, lon: -122.6, radiusM: 60 }, ranges: window() } })), /outside the agency's jurisdiction/);
  });

  test('determinations: callback first, a member of the requesting agency 403, the same reviewer twice 409, a denial ends it', async () => {
    const res = await submit(s.officer, form());
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().id;
    // Accounts refuse to put a reviewer in an agency; a row that says so anyway
    // (an older account, a direct database edit) must still be refused here.
    const moonlighter = await createStaff(t, 'reviewer');
    await getDb().kysely.updateTable('users').set({ agency_id: s.agencyId }).where('id', '=', moonlighter.id).execute();
    t.services.accounts.forgetSessions({ userId: moonlighter.id });
    await refused(401, () => determine(null, id));
    await refused(403, () => determine(s.officer, id));
    await refused(403, () => callback(moonlighter, id), /member of the requesting agency/);
    await refused(409, () => determine(s.reviewer1, id), /callback before the first determination/);
    assert.equal((await callback(s.reviewer1, id)).statusCode, 200);
    await refused(409, () => callback(s.reviewer2, id), /already been recorded/);
    await refused(409, () => determine(s.reviewer2, id), /reviewer 1, who made the callback/);
    await refused(403, () => determine(moonlighter, id), /member of the requesting agency/);
    assert.equal((await determine(s.reviewer1, id)).json().status, 'pending');
    await refused(409, () => determine(s.reviewer1, id), /already recorded a determination/);
    const denied = await determine(s.reviewer2, id, 'deny');
    assert.equal(denied.json().status, 'denied');
    assert.equal(await db().selectFrom('disclosures').select('id').where('basis_ref', '=', id).execute().then((r) => r.length), 0);
    const third = await createStaff(t, 'reviewer');
    await refused(409, () => determine(third, id), /already denied/);
    const audit = await as(t, third, { method: 'GET', url: `/api/v1/review/audit?subjectId=${id}` });
    // Same clock instant: compare as a set (who, what, why are all there).
    assert.deepEqual(audit.json().items.map((a: { action: string; actorId: string }) => `${a.action}:${a.actorId}`).sort(), [`emergency.callback:${s.reviewer1.id}`, `emergency.approve:${s.reviewer1.id}`, `emergency.deny:${s.reviewer2.id}`].sort());
    assert.ok(audit.json().items.every((a: { reason: string }) => a.reason.length > 0));
  });

  test('an unconfirmed callback cannot lead to approval', async () => {
    const id = (await submit(s.officer, form())).json().id;
    assert.equal((await callback(s.reviewer1, id, false)).statusCode, 200);
    await refused(409, () => determine(s.reviewer1, id), /did not confirm/);
  });

  test('two approvals release only in-scope clips to only the requesting agency; owners told at 72 h; no_follow_up on day 7', async () => {
    const queue = await as(t, s.reviewer1, { method: 'GET', url: '/api/v1/review/queues' });
    assert.equal(queue.statusCode, 200, queue.body);
    assert.ok(queue.json().queues.some((q: { kind: string }) => q.kind === 'emergency'));
    const id = await approved();
    // The address circle reaches cameras a and n; the window holds a1 and n1, not a2 (an hour later) nor b1 (another camera).
    const rows = await db().selectFrom('disclosures').selectAll().where('basis_ref', '=', id).execute();
    assert.deepEqual(rows.map((r) => r.clip_id).sort(), [s.clips.a1.id, s.clips.n1.id].sort());
    assert.ok(rows.every((r) => r.recipient === s.agencyId && r.basis_kind === 'emergency' && r.content === 'original'));
    const entries = await entriesFor(getDb(), id);
    assert.deepEqual(entries.map((e) => [e.basis, e.agency, [...e.reviewers].sort()]), [
      ['decision', s.agencyId, [s.reviewer1.id, s.reviewer2.id].sort()],
      ['emergency', s.agencyId, [s.reviewer1.id, s.reviewer2.id].sort()], ['emergency', s.agencyId, [s.reviewer1.id, s.reviewer2.id].sort()],
    ]);
    const ev = await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${id}/evidence` });
    assert.equal(ev.statusCode, 200, ev.body);
    const video = await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${id}/evidence/${ev.json()[0].disclosureId}/video` });
    assert.equal(sha256(video.rawPayload), Object.values(s.clips).find((c) => c.id === ev.json()[0].clipId)?.sha256);
    assert.equal((await as(t, s.otherOfficer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${id}/evidence` })).statusCode, 404);
    assert.equal((await as(t, s.otherOfficer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}-other/emergency-requests/${id}` })).statusCode, 404);

    // Notice at 72 h, not a moment before; the job survives being run many times.
    const start = t.clock.now();
    await t.ctx.workers.runAll('owner-notices');
    assert.equal((await noticesTo(s.owner.id)).length, 0);
    t.clock.set(start + 72 * HOUR - 1);
    await t.ctx.workers.runAll('owner-notices');
    assert.equal((await noticesTo(s.owner.id)).length, 0);
    t.clock.set(start + 72 * HOUR);
    await t.ctx.workers.runAll('owner-notices');
    assert.equal((await noticesTo(s.owner.id)).length, 2);
    assert.equal((await noticesTo(s.neighbour.id)).length, 2);
    await t.ctx.workers.runAll('owner-notices');
    assert.equal((await noticesTo(s.owner.id)).length, 2, 'sent once');

    // Day 7 without follow-up legal process.
    t.clock.set(start + 7 * DAY - 1);
    await t.ctx.workers.runAll('emergency.follow-up');
    assert.equal((await entriesFor(getDb(), id)).filter((e) => e.basis === 'no_follow_up').length, 0);
    t.clock.set(start + 7 * DAY);
    await t.ctx.workers.runAll('emergency.follow-up');
    await t.ctx.workers.runAll('emergency.follow-up');
    const flagged = (await entriesFor(getDb(), id)).filter((e) => e.basis === 'no_follow_up');
    assert.equal(flagged.length, 1);
    assert.equal(flagged[0].clips.length, 2);
    const officer = await relogin(t, s.officer);
    const view = await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${id}` });
    assert.equal(view.json().followUp.noFollowUp, true);
    t.clock.set(start);
  });

  test('resolution tells owners at once; a court-ordered delay holds notice to its date', async () => {
    const id = await approved();
    const before = (await noticesTo(s.owner.id)).length;
    t.clock.advance(HOUR);
    const res = await as(t, s.officer, { method: 'POST', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${id}/resolve` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await noticesTo(s.owner.id)).length, before + 2);
    assert.equal((await as(t, s.officer, { method: 'POST', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${id}/resolve` })).statusCode, 409);

    const delayed = await approved();
    const until = t.clock.now() + 10 * DAY;
    const bad = multipart({ until: new Date(until).toISOString() }, pdfPart(fixture('text.txt'), 'order.pdf'));
    await refused(400, () => as(t, s.officer, { method: 'POST', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${delayed}/notice-delay`, headers: bad.headers, payload: bad.payload }));
    const body = multipart({ until: new Date(until).toISOString() }, pdfPart(undefined, 'order.pdf'));
    assert.equal((await as(t, s.otherOfficer, { method: 'POST', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${delayed}/notice-delay`, headers: body.headers, payload: body.payload })).statusCode, 404);
    const ok = await as(t, s.officer, { method: 'POST', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${delayed}/notice-delay`, headers: body.headers, payload: body.payload });
    assert.equal(ok.statusCode, 200, ok.body);
    // A request until a reviewer outside the agency approves it.
    assert.equal(ok.json().noticeDelayUntil, null);
    assert.deepEqual(ok.json().noticeDelayRequested, { until: new Date(until).toISOString(), at: new Date(t.clock.now()).toISOString() });
    const approvedDelay = await as(t, s.reviewer2, { method: 'POST', url: `/api/v1/review/emergency-requests/${delayed}/notice-delay/decision`, payload: { decision: 'approve', reason: 'Order signed by the circuit court; date within 90 days.' } });
    assert.equal(approvedDelay.statusCode, 200, approvedDelay.body);
    assert.equal(approvedDelay.json().noticeDelayUntil, new Date(until).toISOString());
    const order = await as(t, s.reviewer2, { method: 'GET', url: `/api/v1/review/emergency-requests/${delayed}/notice-delay-order` });
    assert.equal(order.statusCode, 200, order.body);
    assert.deepEqual(order.rawPayload, pdfPart().data);
    assert.equal((await as(t, s.reviewer2, { method: 'GET', url: `/api/v1/review/emergency-requests/${id}/notice-delay-order` })).statusCode, 404);
    const count = (await noticesTo(s.owner.id)).length;
    t.clock.advance(72 * HOUR);
    await t.ctx.workers.runAll('owner-notices');
    assert.equal((await noticesTo(s.owner.id)).length, count, 'not at 72 h: the court delayed it');
    t.clock.set(until);
    await t.ctx.workers.runAll('owner-notices');
    assert.equal((await noticesTo(s.owner.id)).length, count + 2);
  });

  test('follow-up legal process: a warrant that does not cover the scope is refused; one that does clears day 7', async () => {
    const officer = await relogin(t, s.officer);
    const r1 = await relogin(t, s.reviewer1);
    const id = await approved();
    const warrant = async (scope: object) => {
      const b = multipart({ type: 'search_warrant', issuingAuthority: 'Circuit Court', caseNumber: 'F-1', scope: JSON.stringify(scope) }, pdfPart());
      const res = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${s.agencyId}/legal-demands`, headers: b.headers, payload: b.payload });
      assert.equal(res.statusCode, 201, res.body);
      const dec = await as(t, r1, { method: 'POST', url: `/api/v1/review/legal-demands/${res.json().id}/decision`, payload: { decision: 'approve', reason: 'Follow-up warrant in order.' } });
      assert.equal(dec.statusCode, 200, dec.body);
      return res.json().id as string;
    };
    const narrow = await warrant({ cameraIds: [s.cams.a], ranges: window() });
    const link = (demandId: string, user = officer) => as(t, user, { method: 'POST', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${id}/follow-up`, payload: { demandId } });
    await refused(400, () => link(narrow), /does not cover/);
    await refused(404, () => link(narrow, s.otherOfficer));
    const covering = await warrant({ address: { lat: 45.5, lon: -122.6, radiusM: 30 }, ranges: [range(s.clips.a1.startedAt - HOUR, s.clips.a1.endedAt + HOUR)] });
    const ok = await link(covering);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().followUp.demandId, covering);
    t.clock.advance(8 * DAY);
    await t.ctx.workers.runAll('emergency.follow-up');
    assert.equal((await entriesFor(getDb(), id)).filter((e) => e.basis === 'no_follow_up').length, 0);
  });

  test('an end-to-end encrypted camera is refused: nothing released, the refusal logged', async () => {
    for (const u of ['officer', 'reviewer1', 'reviewer2'] as const) s[u] = await relogin(t, s[u]);
    const e = s.clips.e1;
    const id = await approved(form({ scope: { cameraIds: [s.cams.e2ee], ranges: [range(e.startedAt - HOUR, e.endedAt + HOUR)] } }));
    assert.equal(await db().selectFrom('disclosures').select('id').where('basis_ref', '=', id).execute().then((r) => r.length), 0);
    const entries = await entriesFor(getDb(), id);
    assert.deepEqual(entries.map((x) => [x.basis, x.clips.length]), [['decision', 0], ['refusal_e2ee', 1]]);
    assert.deepEqual([entries[0].demand, entries[0].outcome], ['emergency', 'approved']);
    const view = await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/emergency-requests/${id}` });
    assert.deepEqual(view.json().released, []);
    assert.deepEqual(view.json().refused, { clips: 1, reason: 'not disclosable: end-to-end encrypted' });
  });
});
