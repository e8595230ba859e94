// A search warrant's evidence package on both engines (issue 19): once the
// reviewer's approval released clips, the demanding agency's members download
// a ZIP that verifies offline with the log's key; a changed byte fails; another
// agency, a warrant not yet decided, one that released nothing, and a demand
// that releases no content all get 404; every clip read is in its owner's access log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { unzipSync } from 'fflate';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { sha256 } from '../clips/helpers.ts';
import { HOUR, range, scene, submitDemand, type Scene } from './helpers.ts';
import { accessReads, editManifest, getZip, refusedOffline, tamperClip, verifyOffline } from './evidence-kit.ts';

forEachEngine('warrant evidence ZIP', (getDb) => {
  let t: TestApp;
  let s: Scene;
  let id: string;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
  });
  after(async () => t.app.close());

  const url = (itemId = id, agencyId = s.agencyId) => `/api/v1/agencies/${agencyId}/legal-demands/${itemId}/evidence.zip`;
  async function demand(type: string, scope: object): Promise<string> {
    const res = await submitDemand(t, s.officer, s.agencyId, { type, issuingAuthority: 'Circuit Court', caseNumber: `C-${type}-1`, scope: JSON.stringify(scope) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id;
  }
  const approve = async (user: TestUser, demandId: string) => {
    const res = await as(t, user, { method: 'POST', url: `/api/v1/review/legal-demands/${demandId}/decision`, payload: { decision: 'approve', reason: 'Probable cause shown; scope is narrow.' } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const around = (c: { startedAt: number; endedAt: number }) => [range(c.startedAt - HOUR / 2, c.endedAt + HOUR / 2)];

  test('a warrant not yet decided, one that released nothing, and a subpoena: 404', async () => {
    id = await demand('search_warrant', { cameraIds: [s.cams.a], ranges: around(s.clips.a1) });
    assert.equal((await getZip(t, s.officer, url())).statusCode, 404, 'pending: nothing released');
    // Only an end-to-end camera in scope: the approval releases nothing (the refusal is logged).
    const sealedOnly = await demand('search_warrant', { cameraIds: [s.cams.e2ee], ranges: around(s.clips.e1) });
    assert.ok((await approve(s.reviewer1, sealedOnly)).refused);
    assert.equal((await getZip(t, s.officer, url(sealedOnly))).statusCode, 404, 'approved, but no clip released');
    const subpoena = await demand('subpoena', { cameraIds: [s.cams.a], ranges: around(s.clips.a1) });
    await approve(s.reviewer1, subpoena);
    assert.equal((await getZip(t, s.officer, url(subpoena))).statusCode, 404, 'a subpoena releases records, not content');
    await approve(s.reviewer2, id);
  });

  test('another agency gets 404, under its own id and under the demanding agency\'s', async () => {
    for (const u of [url(), url(id, `${s.agencyId}-other`)]) {
      const res = await getZip(t, s.otherOfficer, u);
      assert.equal(res.statusCode, 404, res.body);
      assert.doesNotMatch(res.body, /Circuit Court|C-search_warrant|clip/i, 'the 404 says nothing of the demand');
    }
    assert.equal((await getZip(t, s.officer, url('no-such-demand'))).statusCode, 404);
  });

  test('the package verifies offline; each clip read is in its owner\'s access log', async () => {
    await t.ctx.workers.runAll('ledger.integrate');
    const purpose = `warrant ${id}`;
    const before = (await accessReads(t, s.owner, s.clips.a1.id, purpose)).length;
    const res = await getZip(t, s.officer, url());
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /application\/zip/);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="evidence-warrant-/);
    const files = unzipSync(res.rawPayload);
    assert.ok(files['checkpoint.txt'] && files['README.txt']);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    assert.equal(manifest.kind, 'warrant');
    assert.deepEqual([manifest.warrant.id, manifest.warrant.agencyId, manifest.warrant.caseNumber], [id, s.agencyId, 'C-search_warrant-1']);
    // Camera a in the hour around a1: a1 alone (a2 is an hour later), its original bytes.
    assert.equal(manifest.items.length, 1);
    const [item] = manifest.items;
    assert.deepEqual([item.content, item.sha256.original, item.basis], ['original', s.clips.a1.sha256, { kind: 'warrant', ref: id }]);
    assert.equal(sha256(Buffer.from(files[item.file])), s.clips.a1.sha256);
    assert.ok(files[item.proofFile], 'its proof file');
    const ok = await verifyOffline(t, res.rawPayload);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, new RegExp(`OK evidence for search warrant ${id}: 1 clip\\(s\\) verified`));
    const reads = await accessReads(t, s.owner, s.clips.a1.id, purpose);
    assert.equal(reads.length, before + 1, 'the package\'s read of a1 is in its owner\'s log');
    assert.match(reads[0].actor, new RegExp(`\\(${s.agencyId}\\), disclosure ${item.disclosureId}`));
  });

  test('a changed byte, or the warrant\'s package presented as an emergency\'s, fails verification', async () => {
    const zip = (await getZip(t, s.officer, url())).rawPayload;
    await refusedOffline(t, tamperClip(zip), /FAILED: .*does not match its SHA-256/);
    await refusedOffline(t, editManifest(zip, (m) => ({ ...m, kind: 'emergency', emergency: m.warrant })), /not an emergency disclosure/);
    // The subject's agency changed: the log names the real one.
    await refusedOffline(t, editManifest(zip, (m) => ({ ...m, warrant: { ...(m.warrant as object), agencyId: `${s.agencyId}-other` } })), /not a warrant disclosure to agency/);
  });

  test('a clip its owner deleted after the release is listed as withdrawn, with no bytes, and the package still verifies', async () => {
    const withdrawnId = await demand('search_warrant', { cameraIds: [s.cams.b], ranges: around(s.clips.b1) });
    await approve(s.reviewer1, withdrawnId);
    await t.ctx.workers.runAll('ledger.integrate');
    const del = await as(t, s.owner, { method: 'DELETE', url: `/api/v1/clips/${s.clips.b1.id}` });
    assert.ok(del.statusCode < 300, del.body);
    const res = await getZip(t, s.officer, url(withdrawnId));
    assert.equal(res.statusCode, 200, 'released, then deleted: the package still says so');
    const files = unzipSync(res.rawPayload);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    assert.deepEqual([manifest.items.length, manifest.withdrawn.length], [0, 1]);
    assert.ok(!Object.keys(files).some((f) => f.startsWith('clips/')), 'no bytes of the deleted clip');
    const ok = await verifyOffline(t, res.rawPayload);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /0 clip\(s\) verified[\s\S]*1 released clip\(s\) withdrawn/);
  });
});
