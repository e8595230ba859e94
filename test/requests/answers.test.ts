// The owner's answer and the request's lifetime: scope checks, idempotence,
// reminders at 24 h and 72 h, expiry after 10 days, closing, and who may read
// an agency's evidence.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { enrolOwnerKey, times, upload, uploadSealed, type Owner } from '../clips/helpers.ts';
import { agencyMember, createAgency, offset, ownerAt, requestBody } from './helpers.ts';

const H = 3_600_000;

forEachEngine('community requests: answers and lifetime', (getDb) => {
  let t: TestApp;
  let reviewer: TestUser;
  let officer: TestUser;
  let otherOfficer: TestUser;
  let agency: { id: string };
  let cara: Owner;
  let dan: Owner;
  let eve: Owner;
  let caraClip: string;
  let caraLate: string;
  let danClip: string;

  const approve = async (over: object = {}) => {
    const res = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/requests`, payload: requestBody(t, over) });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().id;
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/review/requests/${id}/decision`, payload: { decision: 'approve' } })).statusCode, 200);
    return id as string;
  };
  const answer = (who: TestUser, id: string, payload: object) => as(t, who, { method: 'POST', url: `/api/v1/me/requests/${id}/response`, payload });
  const notes = async (who: TestUser, kind: string) => (await as(t, who, { method: 'GET', url: '/api/v1/me/notifications?limit=200' })).json().filter((n: { kind: string }) => n.kind === kind);

  before(async () => {
    t = await buildTestApp(getDb(), { REQUESTS_PER_DAY: '50' });
    reviewer = await createStaff(t, 'reviewer');
    agency = await createAgency(t, reviewer);
    officer = await agencyMember(t, agency.id);
    otherOfficer = await agencyMember(t, (await createAgency(t, reviewer)).id);
    cara = await ownerAt(t, offset(30, 30));
    dan = await ownerAt(t, offset(-30, -30));
    eve = await ownerAt(t, offset(60, -60));
    caraClip = (await upload(t, cara, times(t, 2 * H))).json().id;
    caraLate = (await upload(t, cara, times(t, 20 * 60_000))).json().id;
    danClip = (await upload(t, dan, times(t, 2 * H))).json().id;
  });
  after(async () => t.app.close());

  test('routes: 401 anonymous, 403 for staff and agency members, 404 for a request not received', async () => {
    const id = await approve();
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me/requests' })).statusCode, 401);
    assert.equal((await as(t, officer, { method: 'GET', url: '/api/v1/me/requests' })).statusCode, 403);
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/me/requests/${id}/response`, payload: { decline: true } })).statusCode, 403);
    const stranger = await createResident(t);
    assert.equal((await as(t, stranger, { method: 'GET', url: `/api/v1/me/requests/${id}` })).statusCode, 404);
    assert.equal((await answer(stranger, id, { decline: true })).statusCode, 404);
  });

  test('bad answers are refused and change nothing', async () => {
    const id = await approve();
    assert.equal((await answer(cara, id, {})).statusCode, 400);
    assert.equal((await answer(cara, id, { share: [caraClip], decline: true })).statusCode, 400);
    assert.equal((await answer(cara, id, { share: [] })).statusCode, 400);
    assert.equal((await answer(cara, id, { decline: false })).statusCode, 400);
    const others = await answer(cara, id, { share: [danClip] });
    assert.equal(others.statusCode, 400, 'sharing another owner\'s clip');
    assert.match(others.json().detail, /not your clips/);
    assert.equal((await answer(cara, id, { share: [caraLate] })).statusCode, 400, 'a clip outside the window');
    assert.equal((await answer(cara, id, { share: ['no-such-clip'] })).statusCode, 400);
    const view = (await as(t, cara, { method: 'GET', url: `/api/v1/me/requests/${id}` })).json();
    assert.equal(view.answer, null);
    assert.deepEqual(view.clips.map((c: { id: string; shared: boolean }) => [c.id, c.shared]), [[caraClip, false]]);
    assert.ok(view.clips[0].thumbnailUrl === null || view.clips[0].thumbnailUrl === `/api/v1/clips/${caraClip}/thumbnail`);
    const locker = (await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agency.id}/requests/${id}/evidence` })).json();
    assert.deepEqual(locker.neighbors, []);
  });

  test('a clip that straddles the window edge is out of scope: only footage wholly inside the window is offered', async () => {
    const straddler = await ownerAt(t, offset(20, -20));
    const edge = (await upload(t, straddler, times(t, 3 * H + 5 * 60_000, 10 * 60_000))).json().id;
    const id = await approve();
    const view = (await as(t, straddler, { method: 'GET', url: `/api/v1/me/requests/${id}` })).json();
    assert.deepEqual(view.clips, []);
    assert.equal((await answer(straddler, id, { share: [edge] })).statusCode, 400);
  });

  test('an answer mixing a plain and an end-to-end encrypted clip shares nothing', async () => {
    const mixed = await ownerAt(t, offset(-20, 20), { e2ee: true });
    const plain = await as(t, mixed, { method: 'POST', url: '/api/v1/cameras', payload: { name: 'Yard', location: offset(-20, 21), kind: 'outdoor' } });
    assert.equal(plain.statusCode, 201, plain.body);
    const key = await enrolOwnerKey(t, mixed);
    const sealedUp = await uploadSealed(t, mixed, key, { ...times(t, 2 * H), cameraId: mixed.cameraId });
    assert.equal(sealedUp.res.statusCode, 201, sealedUp.res.body);
    const sealed = sealedUp.res.json().id;
    const open = (await upload(t, { user: mixed }, { ...times(t, 2 * H), cameraId: plain.json().id })).json().id;
    const id = await approve();
    const res = await answer(mixed, id, { share: [open, sealed] });
    assert.equal(res.statusCode, 422, res.body);
    assert.match(res.json().detail, /end-to-end encrypted/);
    const view = (await as(t, mixed, { method: 'GET', url: `/api/v1/me/requests/${id}` })).json();
    assert.equal(view.answer, null);
    assert.ok(view.clips.every((c: { shared: boolean }) => !c.shared));
    const shared = await getDb().kysely.selectFrom('disclosures').select('id').where('clip_id', 'in', [open, sealed]).execute();
    assert.equal(shared.length, 0, 'no disclosure was written');
  });

  test('a decline after a share is refused; a share after a decline is allowed; pseudonyms follow sharing order', async () => {
    const id = await approve();
    assert.equal((await answer(dan, id, { decline: true })).statusCode, 200);
    assert.equal((await answer(cara, id, { share: [caraClip] })).statusCode, 200);
    assert.equal((await answer(cara, id, { decline: true })).statusCode, 409);
    const late = await answer(dan, id, { share: [danClip] });
    assert.equal(late.statusCode, 200, late.body);
    await t.ctx.workers.runAll('ledger.integrate');
    const r1 = await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agency.id}/requests/${id}/evidence` });
    assert.equal(r1.statusCode, 200, r1.body);
    const locker = r1.json();
    assert.deepEqual(locker.neighbors.map((n: { pseudonym: string; items: unknown[] }) => [n.pseudonym, n.items.length]), [['Neighbor 1', 1], ['Neighbor 2', 1]]);

    // In another request the same owners share in the other order: the numbers say nothing across requests.
    const id2 = await approve();
    assert.equal((await answer(dan, id2, { share: [danClip] })).statusCode, 200);
    assert.equal((await answer(cara, id2, { share: [caraClip] })).statusCode, 200);
    const l1 = locker.neighbors.map((n: { items: { manifest: { sha256: { original: string } } }[] }) => n.items[0].manifest.sha256.original);
    const r2 = await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agency.id}/requests/${id2}/evidence` });
    assert.equal(r2.statusCode, 200, r2.body);
    const l2 = r2.json().neighbors.map((n: { items: { manifest: { sha256: { original: string } } }[] }) => n.items[0].manifest.sha256.original);
    assert.deepEqual(l2, [...l1].reverse());
  });

  test('a share whose answer was not recorded (a crash between the two steps) still reaches the locker, numbered', async () => {
    const id = await approve();
    assert.equal((await answer(cara, id, { share: [caraClip] })).statusCode, 200);
    await t.ctx.db.kysely.updateTable('request_recipients').set({ answer: null, answered_at: null, neighbor_no: null }).where('request_id', '=', id).execute();
    const locker = (await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agency.id}/requests/${id}/evidence` })).json();
    assert.deepEqual(locker.neighbors.map((n: { pseudonym: string }) => n.pseudonym), ['Neighbor 1']);
    assert.equal((await as(t, cara, { method: 'GET', url: `/api/v1/me/requests/${id}` })).json().answer, 'shared');
  });

  test('after the owner deletes a shared clip: the item stays listed as unavailable, the video is gone, the ZIP names it withdrawn', async () => {
    const clip = (await upload(t, cara, times(t, 2 * H + 60_000))).json().id;
    const id = await approve();
    assert.equal((await answer(cara, id, { share: [clip] })).statusCode, 200);
    await t.ctx.workers.runAll('ledger.integrate');
    const base = `/api/v1/agencies/${agency.id}/requests/${id}`;
    const before = (await as(t, officer, { method: 'GET', url: `${base}/evidence` })).json().neighbors[0].items[0];
    assert.equal(before.available, true);
    assert.equal((await as(t, cara, { method: 'DELETE', url: `/api/v1/clips/${clip}` })).statusCode, 204);
    const after = (await as(t, officer, { method: 'GET', url: `${base}/evidence` })).json().neighbors[0].items[0];
    assert.equal(after.id, before.id);
    assert.equal(after.available, false);
    assert.equal((await as(t, officer, { method: 'GET', url: after.videoUrl })).statusCode, 410);
    const zip = await as(t, officer, { method: 'GET', url: `${base}/evidence.zip` });
    assert.equal(zip.statusCode, 200);
    const { unzipSync } = await import('fflate');
    const files = unzipSync(zip.rawPayload);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    assert.deepEqual(manifest.items, []);
    assert.deepEqual(manifest.withdrawn.map((w: { disclosureId: string; pseudonym: string }) => [w.disclosureId, w.pseudonym]), [[before.id, 'Neighbor 1']]);
    assert.ok(!Object.keys(files).some((f) => f.endsWith('.mp4')));
  });

  test('only members of the requesting agency read its evidence; reviewers see metadata, not bytes', async () => {
    const id = await approve();
    assert.equal((await answer(cara, id, { share: [caraClip] })).statusCode, 200);
    const base = `/api/v1/agencies/${agency.id}/requests/${id}`;
    const item = (await as(t, officer, { method: 'GET', url: `${base}/evidence` })).json().neighbors[0].items[0];
    for (const path of ['/evidence', '/evidence.zip', `/evidence/${item.id}/video`]) {
      assert.equal((await as(t, otherOfficer, { method: 'GET', url: base + path })).statusCode, 404, `agency B: ${path}`);
      assert.equal((await as(t, reviewer, { method: 'GET', url: base + path })).statusCode, 403, `reviewer: ${path}`);
      assert.equal((await as(t, cara, { method: 'GET', url: base + path })).statusCode, 403, `resident: ${path}`);
      assert.equal((await t.app.inject({ method: 'GET', url: base + path })).statusCode, 401);
    }
    // Agency B cannot reach A's evidence through its own path either.
    const bAgency = (await as(t, otherOfficer, { method: 'GET', url: '/api/v1/me' })).json().agencyId;
    assert.equal((await as(t, otherOfficer, { method: 'GET', url: `/api/v1/agencies/${bAgency}/requests/${id}/evidence` })).statusCode, 404);
    assert.equal((await as(t, officer, { method: 'GET', url: `${base}/evidence/${item.id}/video`, headers: { range: 'bytes=999999999-' } })).statusCode, 416);
  });

  test('reminders at 24 h and 72 h go only to owners who have not answered; none after expiry', async () => {
    const id = await approve();
    assert.equal((await answer(dan, id, { decline: true })).statusCode, 200);
    const forThis = async (who: TestUser) => (await notes(who, 'request.reminder')).filter((n: { payload: { requestId: string } }) => n.payload.requestId === id);
    const before = { dan: (await forThis(dan)).length, eve: (await forThis(eve)).length };
    assert.deepEqual(before, { dan: 0, eve: 0 });
    t.clock.advance(23 * H);
    await t.ctx.workers.runAll('requests.reminders');
    await t.ctx.workers.runAll('outbox');
    assert.equal((await forThis(eve)).length, 0);
    t.clock.advance(H);
    await t.ctx.workers.runAll('requests.reminders');
    await t.ctx.workers.runAll('outbox');
    await t.ctx.workers.runAll('requests.reminders');
    await t.ctx.workers.runAll('outbox');
    const eve24 = (await notes(eve, 'request.reminder')).filter((n: { payload: { requestId: string } }) => n.payload.requestId === id);
    assert.equal(eve24.length, 1);
    assert.equal(eve24[0].payload.reminder, 24);
    assert.equal((await forThis(dan)).length, 0, 'no reminder after answering');
    t.clock.advance(48 * H);
    await t.ctx.workers.runAll('requests.reminders');
    await t.ctx.workers.runAll('outbox');
    const eve72 = (await notes(eve, 'request.reminder')).filter((n: { payload: { requestId: string } }) => n.payload.requestId === id);
    assert.deepEqual(eve72.map((n: { payload: { reminder: number } }) => n.payload.reminder).sort(), [24, 72]);
    t.clock.advance(10 * 24 * H);
    const count = (await notes(eve, 'request.reminder')).length;
    await t.ctx.workers.runAll('requests.reminders');
    await t.ctx.workers.runAll('outbox');
    assert.equal((await notes(eve, 'request.reminder')).length, count);
  });

  test('a request expires 10 days after it is sent: answering then is refused; closing ends it early too', async () => {
    const id = await approve();
    t.clock.advance(10 * 24 * H);
    const late = await answer(cara, id, { decline: true });
    assert.equal(late.statusCode, 409);
    assert.match(late.json().detail, /expired/);
    assert.equal((await as(t, cara, { method: 'GET', url: `/api/v1/me/requests/${id}` })).json().status, 'expired');
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/public/requests/${id}` })).json().status, 'expired');

    const id2 = await approve();
    assert.equal((await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/requests/${id2}/close`, payload: {} })).statusCode, 200);
    const closed = await answer(cara, id2, { decline: true });
    assert.equal(closed.statusCode, 409);
    assert.match(closed.json().detail, /closed/);
  });

  test('owner policy: unknown agency types are refused; a blocked type is not targeted', async () => {
    assert.equal((await as(t, eve, { method: 'PUT', url: '/api/v1/me/request-policy', payload: { blockedAgencyTypes: ['immigration'] } })).statusCode, 400);
    assert.equal((await as(t, officer, { method: 'PUT', url: '/api/v1/me/request-policy', payload: { blockedAgencyTypes: [] } })).statusCode, 403);
    const put = await as(t, eve, { method: 'PUT', url: '/api/v1/me/request-policy', payload: { blockedAgencyTypes: ['law_enforcement', 'fire'] } });
    assert.deepEqual(put.json().blockedAgencyTypes, ['fire', 'law_enforcement']);
    const id = await approve();
    assert.equal((await as(t, eve, { method: 'GET', url: `/api/v1/me/requests/${id}` })).statusCode, 404);
    assert.equal((await as(t, cara, { method: 'GET', url: `/api/v1/me/requests/${id}` })).statusCode, 200);
  });
});
