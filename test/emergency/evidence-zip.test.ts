// The emergency's evidence package on both engines (issue 19): once two
// reviewers released clips, the requesting agency's members download a ZIP
// that verifies offline with the log's key; a changed byte or a relabelled
// manifest fails; another agency, or the same agency before any release, gets
// 404; and every clip read into the package is in its owner's access log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { unzipSync } from 'fflate';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { sha256 } from '../clips/helpers.ts';
import { HOUR, range, scene, type Scene } from '../legal/helpers.ts';
import { accessReads, editManifest, getZip, refusedOffline, tamperClip, verifyOffline } from '../legal/evidence-kit.ts';

forEachEngine('emergency evidence ZIP', (getDb) => {
  let t: TestApp;
  let s: Scene;
  let id: string;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
  });
  after(async () => t.app.close());

  const url = (agencyId = s.agencyId, itemId = id) => `/api/v1/agencies/${agencyId}/emergency-requests/${itemId}/evidence.zip`;
  const post = (user: TestUser, path: string, payload: object) => as(t, user, { method: 'POST', url: path, payload });
  const determine = (user: TestUser) => post(user, `/api/v1/review/emergency-requests/${id}/determinations`, { decision: 'approve', reasons: 'Good-faith determination: imminent danger shown.' });

  test('before two reviewers release anything, the agency gets 404', async () => {
    const res = await post(s.officer, `/api/v1/agencies/${s.agencyId}/emergency-requests`, {
      officerName: 'Sgt. A. Rivera, badge 4411', callbackPhone: '+1 503 555 0100',
      nature: 'Kidnapping in progress: child taken into a grey van on this block.',
      imminentDanger: 'The child is in the van now; the suspect threatened to kill her.',
      whyNoProcess: 'A warrant takes hours; the van left minutes ago.',
      scope: { address: { lat: 45.5, lon: -122.6, radiusM: 20 }, ranges: [range(s.clips.a1.startedAt - HOUR / 2, s.clips.a1.endedAt + HOUR / 2)] },
    });
    assert.equal(res.statusCode, 201, res.body);
    id = res.json().id;
    assert.equal((await getZip(t, s.officer, url())).statusCode, 404, 'pending: nothing released');
    const cb = await post(s.reviewer1, `/api/v1/review/emergency-requests/${id}/callback`, { numberDialled: '+1 503 555 0100', calledAt: new Date(t.clock.now()).toISOString(), confirmed: true });
    assert.equal(cb.statusCode, 200, cb.body);
    assert.equal((await determine(s.reviewer1)).statusCode, 200);
    assert.equal((await getZip(t, s.officer, url())).statusCode, 404, 'one determination releases nothing');
    const second = await determine(s.reviewer2);
    assert.equal(second.json().status, 'approved', second.body);
  });

  test('another agency gets 404, under its own id and under the requesting agency\'s', async () => {
    for (const u of [url(), url(`${s.agencyId}-other`)]) {
      const res = await getZip(t, s.otherOfficer, u);
      assert.equal(res.statusCode, 404, res.body);
      assert.doesNotMatch(res.body, /Kidnapping|clip/i, 'the 404 says nothing of the emergency');
    }
    assert.equal((await getZip(t, s.officer, url(s.agencyId, 'no-such-emergency'))).statusCode, 404);
  });

  test('the package verifies offline; each clip read is in its owner\'s access log', async () => {
    await t.ctx.workers.runAll('ledger.integrate');
    const purpose = `emergency ${id}`;
    const before = { a1: (await accessReads(t, s.owner, s.clips.a1.id, purpose)).length, n1: (await accessReads(t, s.neighbour, s.clips.n1.id, purpose)).length };
    const res = await getZip(t, s.officer, url());
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /application\/zip/);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="evidence-emergency-/);
    const files = unzipSync(res.rawPayload);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    assert.equal(manifest.kind, 'emergency');
    assert.deepEqual([manifest.emergency.id, manifest.emergency.agencyId], [id, s.agencyId]);
    // The address circle and window hold a1 and n1: both released, both in the package, byte for byte.
    const bySha = new Set<string>(manifest.items.map((i: { sha256: { original: string } }) => i.sha256.original));
    assert.deepEqual([...bySha].sort(), [s.clips.a1.sha256, s.clips.n1.sha256].sort());
    for (const item of manifest.items) assert.equal(sha256(Buffer.from(files[item.file])), item.sha256.delivered);
    const ok = await verifyOffline(t, res.rawPayload);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, new RegExp(`OK evidence for emergency request ${id}: 2 clip\\(s\\) verified`));

    const a1 = await accessReads(t, s.owner, s.clips.a1.id, purpose);
    const n1 = await accessReads(t, s.neighbour, s.clips.n1.id, purpose);
    assert.equal(a1.length, before.a1 + 1, 'one read of a1, in its owner\'s log');
    assert.equal(n1.length, before.n1 + 1, 'one read of n1, in its owner\'s log');
    assert.match(a1[0].actor, new RegExp(`\\(${s.agencyId}\\), disclosure `));
  });

  test('a changed byte, or the package relabelled as another kind, fails verification', async () => {
    const zip = (await getZip(t, s.officer, url())).rawPayload;
    await refusedOffline(t, tamperClip(zip), /FAILED: .*does not match its SHA-256/);
    // Emergency entries presented as a warrant's, or a community request's: the basis in the log says otherwise.
    await refusedOffline(t, editManifest(zip, (m) => ({ ...m, kind: 'warrant', warrant: m.emergency })), /not a warrant disclosure/);
    await refusedOffline(t, editManifest(zip, (m) => ({ ...m, kind: 'request', request: m.emergency, items: (m.items as object[]).map((i) => ({ ...i, pseudonym: 'Neighbor 1' })) })), /not a consent disclosure/);
    await refusedOffline(t, editManifest(zip, (m) => ({ ...m, kind: 'subpoena' })), /unknown kind/);
  });
});
