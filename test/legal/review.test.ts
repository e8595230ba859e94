// Review of legal demands over HTTP on both engines (issue 6 "Done when"): a
// warrant narrowed then releasing content; a subpoena releasing only non-content
// records; a preservation hold blocking deletion; owner notice before release,
// or on the nondisclosure order's end date by the scheduled job.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { sha256 } from '../clips/helpers.ts';
import { verifyReceipt } from '../../src/ledger/verify.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { DAY, HOUR, count, entriesFor, range, relogin, scene, snapshot, submitDemand, type Scene } from './helpers.ts';

forEachEngine('legal demand review', (getDb) => {
  let t: TestApp;
  let s: Scene;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
  });
  after(async () => t.app.close());

  const db = () => getDb().kysely;
  async function demand(type: string, scope: object, extra: Record<string, string> = {}): Promise<string> {
    const res = await submitDemand(t, s.officer, s.agencyId, { type, issuingAuthority: 'Circuit Court', caseNumber: `C-${type}`, scope: JSON.stringify(scope), ...extra });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id;
  }
  const decide = (user: TestUser | null, id: string, body: object) => as(t, user, { method: 'POST', url: `/api/v1/review/legal-demands/${id}/decision`, payload: body });
  const noticesTo = async (userId: string, kind = 'notice.legal_demand') =>
    db().selectFrom('outbox_messages').selectAll().where('user_id', '=', userId).where('kind', '=', kind).execute();

  test('a warrant is narrowed (never widened), then releases only the narrowed content, with its manifest', async () => {
    const c = s.clips;
    const wide = { cameraIds: [s.cams.a, s.cams.b], ranges: [range(c.a1.startedAt - HOUR, c.a2.endedAt + HOUR)] };
    const id = await demand('search_warrant', wide);

    // Refusals first, each changing nothing: 401, 403 for an agency member and a resident, 400 bad bodies, widening narrowings.
    const before = await snapshot(getDb());
    assert.equal((await decide(null, id, { decision: 'approve', reason: 'ok' })).statusCode, 401);
    assert.equal((await decide(s.officer, id, { decision: 'approve', reason: 'ok' })).statusCode, 403);
    assert.equal((await decide(s.owner, id, { decision: 'approve', reason: 'ok' })).statusCode, 403);
    assert.equal((await decide(s.reviewer1, id, { decision: 'approve' })).statusCode, 400, 'reasons are required');
    assert.equal((await decide(s.reviewer1, id, { decision: 'approve', reason: '   ' })).statusCode, 400);
    assert.equal((await decide(s.reviewer1, id, { decision: 'narrow', reason: 'narrower' })).statusCode, 400, 'a narrowing needs its scope');
    for (const widen of [
      { cameraIds: [s.cams.a, s.cams.n], ranges: wide.ranges },
      { cameraIds: [s.cams.a], ranges: [range(c.a1.startedAt - 2 * HOUR, c.a1.endedAt)] },
      { cameraIds: [s.cams.a], address: { lat: 45.5, lon: -122.6, radiusM: 10 }, ranges: wide.ranges },
    ]) {
      const res = await decide(s.reviewer1, id, { decision: 'narrow', reason: 'narrower', scope: widen });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().detail, /narrowing may only/);
    }
    assert.deepEqual(await snapshot(getDb()), before);

    // Narrow to camera a and the hour around a1: a2 and b1 stay with their owner.
    const narrow = { cameraIds: [s.cams.a], ranges: [range(c.a1.startedAt - HOUR / 2, c.a1.endedAt + HOUR / 2)] };
    const res = await decide(s.reviewer1, id, { decision: 'narrow', reason: 'Probable cause shown for camera A in the first hour only.', scope: narrow });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'approved');
    assert.deepEqual(res.json().scope.cameraIds, [s.cams.a]);
    assert.equal(res.json().review.decision, 'narrow');
    assert.equal((await decide(s.reviewer2, id, { decision: 'approve', reason: 'again' })).statusCode, 409, 'decided once');

    const rows = await db().selectFrom('disclosures').selectAll().where('basis_ref', '=', id).execute();
    assert.deepEqual(rows.map((r) => r.clip_id), [c.a1.id]);
    assert.equal(rows[0].content, 'original');
    const entries = await entriesFor(getDb(), id);
    assert.deepEqual(entries.map((e) => [e.basis, e.agency, e.reviewers]), [
      ['decision', s.agencyId, [s.reviewer1.id]], ['owners_notified', s.agencyId, []], ['warrant', s.agencyId, [s.reviewer1.id]],
    ]);
    assert.deepEqual([entries[0].demand, entries[0].outcome, entries[1].count], ['warrant', 'narrowed', 1]);
    // The owner was told, in the approval's own transaction.
    assert.equal((await noticesTo(s.owner.id)).length, 2, 'in-app and e-mail');
    const audit = await as(t, s.reviewer2, { method: 'GET', url: `/api/v1/review/audit?subjectId=${id}` });
    assert.equal(audit.statusCode, 200, audit.body);
    assert.deepEqual(audit.json().items.map((a: { action: string; actorId: string }) => [a.action, a.actorId]), [['legal.narrow', s.reviewer1.id]]);

    // The agency reads the evidence: manifest, then the original bytes (ranges too); the owner sees each read.
    await t.ctx.workers.runAll('ledger.integrate');
    const ev = await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/${id}/evidence` });
    assert.equal(ev.statusCode, 200, ev.body);
    const [m] = ev.json();
    assert.equal(m.sha256.original, Object.values(s.clips).find((c) => c.id === m.clipId)?.sha256);
    assert.equal(m.content, 'original');
    assert.ok(m.log.index !== null && m.log.proof && m.log.checkpoint, 'integrated: index, proof, checkpoint');
    // The manifest's log part verifies offline against the log's key, as a receipt does (no clip openings: the agency has no salt).
    const vkey = (await t.app.inject({ method: 'GET', url: '/log/key' })).body.trim();
    const verified = verifyReceipt({ entry: m.log.entry, index: m.log.index, checkpoint: m.log.checkpoint, proof: m.log.proof, clips: [] }, parseVerifierKey(vkey));
    assert.deepEqual([verified.entry.basis, verified.entry.ref], ['warrant', id]);
    const video = await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/${id}/evidence/${m.disclosureId}/video` });
    assert.equal(video.statusCode, 200);
    assert.equal(sha256(video.rawPayload), m.sha256.original);
    const part = await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/${id}/evidence/${m.disclosureId}/video`, headers: { range: 'bytes=0-99' } });
    assert.equal(part.statusCode, 206);
    assert.equal(part.rawPayload.length, 100);
    const log = await as(t, s.owner, { method: 'GET', url: '/api/v1/me/access-log' });
    assert.equal(log.statusCode, 200, log.body);
    assert.ok(log.json().items.filter((i: { clipId: string }) => i.clipId === c.a1.id).length >= 2);
    // Another agency gets nothing.
    assert.equal((await as(t, s.otherOfficer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/${id}/evidence` })).statusCode, 404);
    assert.equal((await as(t, s.otherOfficer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}-other/legal-demands/${id}/evidence` })).statusCode, 404);
  });

  test('a warrant over an end-to-end encrypted camera releases nothing and logs the refusal', async () => {
    const e = s.clips.e1;
    const id = await demand('search_warrant', { cameraIds: [s.cams.e2ee], ranges: [range(e.startedAt - HOUR, e.endedAt + HOUR)] });
    const res = await decide(s.reviewer1, id, { decision: 'approve', reason: 'Warrant in order.' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await db().selectFrom('disclosures').select('id').where('basis_ref', '=', id).execute().then((r) => r.length), 0);
    assert.deepEqual((await entriesFor(getDb(), id)).map((x) => [x.basis, x.clips.length]), [['decision', 0], ['owners_notified', 0], ['refusal_e2ee', 1]]);
    assert.deepEqual(res.json().refused, { clips: 1, reason: 'not disclosable: end-to-end encrypted' });
  });

  test('a subpoena releases only non-content records, logged as its own basis', async () => {
    const c = s.clips;
    const id = await demand('subpoena', { address: { lat: 45.5, lon: -122.6, radiusM: 20 }, ranges: [range(c.a1.startedAt - HOUR, c.a2.endedAt + HOUR)] });
    const before = await count(getDb(), 'disclosures');
    const res = await decide(s.reviewer2, id, { decision: 'approve', reason: 'Subpoena for subscriber records is in order.' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await count(getDb(), 'disclosures'), before, 'no bytes released');
    const rec = await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/${id}/records` });
    assert.equal(rec.statusCode, 200, rec.body);
    const r = rec.json();
    assert.deepEqual(r.accounts.map((a: { email: string }) => a.email).sort(), [s.owner.email, s.neighbour.email].sort());
    assert.deepEqual(r.cameras.map((x: { id: string }) => x.id).sort(), [s.cams.a, s.cams.n].sort());
    assert.deepEqual(r.clips.map((x: { id: string }) => x.id).sort(), [c.a1.id, c.a2.id, c.n1.id].sort());
    assert.ok(!JSON.stringify(r).includes('wrapped') && !JSON.stringify(r).includes('blob'));
    assert.deepEqual((await entriesFor(getDb(), id)).map((x) => [x.basis, x.clips.length]), [['decision', 0], ['owners_notified', 0], ['subpoena', 3]]);
    assert.equal((await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/${id}/evidence` })).statusCode, 404);
  });

  test('under a nondisclosure order the owner is told on its end date, by the scheduled job, not before, across a restart', async () => {
    const reviewer = await createStaff(t, 'reviewer');
    const n = s.clips.n1;
    const ndo = t.clock.now() + 10 * DAY;
    const id = await demand('search_warrant', { cameraIds: [s.cams.n], ranges: [range(n.startedAt - HOUR, n.endedAt + HOUR)] }, { nondisclosureUntil: new Date(ndo).toISOString() });
    const before = (await noticesTo(s.neighbour.id)).length;
    assert.equal((await decide(reviewer, id, { decision: 'approve', reason: 'Sealed warrant.' })).statusCode, 200);
    assert.equal((await noticesTo(s.neighbour.id)).length, before, 'not told while the order runs');
    await t.ctx.workers.runAll('owner-notices');
    t.clock.advance(10 * DAY - 1);
    await t.ctx.workers.runAll('owner-notices');
    assert.equal((await noticesTo(s.neighbour.id)).length, before);
    // A restart: a new process on the same database, which knows of the order only from its rows.
    const restarted = await buildTestApp(getDb());
    try {
      restarted.clock.set(ndo);
      await restarted.ctx.workers.runAll('owner-notices');
    } finally {
      await restarted.app.close();
    }
    t.clock.advance(1);
    const sent = await noticesTo(s.neighbour.id);
    assert.equal(sent.length, before + 2);
    assert.match(JSON.parse(sent.at(-1)!.payload).text, /search warrant/);
    await t.ctx.workers.runAll('owner-notices');
    assert.equal((await noticesTo(s.neighbour.id)).length, before + 2, 'sent once');
  });

  test('an address scope may be narrowed to a camera inside its circle, not to one outside', async () => {
    const w = [range(s.clips.n1.startedAt - HOUR, s.clips.n1.endedAt + HOUR)];
    const id = await demand('subpoena', { address: { lat: 45.5, lon: -122.6, radiusM: 20 }, ranges: w });
    const outside = await decide(s.reviewer1, id, { decision: 'narrow', reason: 'one camera', scope: { cameraIds: [s.cams.b], ranges: w } });
    assert.equal(outside.statusCode, 400, outside.body);
    const inside = await decide(s.reviewer1, id, { decision: 'narrow', reason: 'Only the neighbour\'s camera is relevant.', scope: { cameraIds: [s.cams.n], ranges: w } });
    assert.equal(inside.statusCode, 200, inside.body);
    const rec = await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/${id}/records` });
    assert.deepEqual(rec.json().cameras.map((c: { id: string }) => c.id), [s.cams.n]);
    assert.deepEqual(rec.json().accounts.map((a: { email: string }) => a.email), [s.neighbour.email]);
  });

  test('a rejection releases nothing and is audited with its reasons', async () => {
    const id = await demand('search_warrant', { cameraIds: [s.cams.a], ranges: [range(t.clock.now() - 5 * HOUR, t.clock.now())] });
    const before = await snapshot(getDb());
    const res = await decide(s.reviewer1, id, { decision: 'reject', reason: 'No probable cause stated.' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'rejected');
    const after = await snapshot(getDb());
    assert.deepEqual({ ...after, legal_demands: 0, review_audit: 0, log_entries: 0 }, { ...before, legal_demands: 0, review_audit: 0, log_entries: 0 });
    assert.equal(after.review_audit, before.review_audit + 1);
    // The one public trace is the decision itself (issue 13).
    assert.equal(after.log_entries, before.log_entries + 1);
    const [decision] = await entriesFor(getDb(), id);
    assert.deepEqual([decision.basis, decision.demand, decision.outcome, decision.clips.length], ['decision', 'warrant', 'rejected', 0]);
  });
  test('a preservation hold blocks deletion and retention, is extended once, and its owner is told', async () => {
    // Last in this suite: it moves the clock half a year.
    const c = s.clips;
    const id = await demand('preservation', { cameraIds: [s.cams.b], ranges: [range(c.b1.startedAt - HOUR, c.b1.endedAt + HOUR)] });
    const res = await decide(s.reviewer1, id, { decision: 'approve', reason: 'Preserve pending a warrant.' });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().hold && res.json().hold.extended === false);
    assert.deepEqual((await entriesFor(getDb(), id)).map((x) => [x.basis, x.clips.length]), [['decision', 0], ['owners_notified', 0], ['preservation', 1]]);
    assert.equal((await noticesTo(s.owner.id)).filter((m) => JSON.parse(m.payload).demandId === id).length, 2, 'told of the hold');
    const del = await as(t, s.owner, { method: 'DELETE', url: `/api/v1/clips/${c.b1.id}` });
    assert.equal(del.statusCode, 409, del.body);
    // Past the owner's retention (60 days) but inside the hold: the sweeper keeps it.
    t.clock.advance(70 * DAY);
    await t.services.clips.sweepRetention();
    assert.equal((await db().selectFrom('clips').select('deleted_at').where('id', '=', c.b1.id).executeTakeFirstOrThrow()).deleted_at, null);
    const reviewer = await relogin(t, s.reviewer2);
    const ext = await as(t, reviewer, { method: 'POST', url: `/api/v1/review/legal-demands/${id}/extend-hold`, payload: { reason: 'Investigation continues.' } });
    assert.equal(ext.statusCode, 200, ext.body);
    assert.equal(ext.json().hold.extended, true);
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/review/legal-demands/${id}/extend-hold`, payload: { reason: 'Again.' } })).statusCode, 409);
    t.clock.advance(100 * DAY);
    await t.services.clips.sweepRetention();
    assert.equal((await db().selectFrom('clips').select('deleted_at').where('id', '=', c.b1.id).executeTakeFirstOrThrow()).deleted_at, null, 'day 170: still held');
    t.clock.advance(15 * DAY);
    await t.services.clips.sweepRetention();
    assert.notEqual((await db().selectFrom('clips').select('deleted_at').where('id', '=', c.b1.id).executeTakeFirstOrThrow()).deleted_at, null, 'after 180 days the hold ends');
  });

});
