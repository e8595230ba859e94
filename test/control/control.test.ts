// The Control Center's export and account deletion on both engines (issue 14):
// the ZIP holds the account, every clip decrypted with its device signature,
// the receipts (each verifies offline) and the access log; it is sealed at rest,
// downloads once, for its owner only, within 24 hours. Deletion needs the
// password, the words and no other session; it shreds every clip a hold does
// not keep, removes every way in, keeps the log, and finishes a held clip when
// the hold ends.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { unzipSync } from 'fflate';
import { forEachEngine } from '../helpers/db.ts';
import { PASSWORD, as, buildTestApp, createResident, login, type TestApp } from '../helpers/app.ts';
import { enrolDevice, fixture, sha256, times, upload } from '../clips/helpers.ts';
import { DAY, HOUR, count, range, scene, submitDemand, type Scene } from '../legal/helpers.ts';
import { verifyClipSignature } from '../../src/cameras/signature.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { verifyReceipt } from '../../src/ledger/verify.ts';
import { DELETE_CONFIRMATION } from '../../src/control/policy.ts';

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

forEachEngine('control center: export and deletion', (getDb) => {
  let t: TestApp;
  let s: Scene;
  let signedClip: string;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
    const device = await enrolDevice(t, s.owner, s.cams.a);
    const res = await upload(t, { device }, times(t, 4 * HOUR));
    assert.equal(res.statusCode, 201, res.body);
    signedClip = res.json().id;
    // A warrant releases a1 (a receipt for the owner); a preservation hold keeps b1.
    for (const [type, scope] of [['search_warrant', { cameraIds: [s.cams.a], ranges: [range(s.clips.a1.startedAt - HOUR / 2, s.clips.a1.endedAt + HOUR / 2)] }],
      ['preservation', { cameraIds: [s.cams.b], ranges: [range(s.clips.b1.startedAt - HOUR, s.clips.b1.endedAt + HOUR)] }]] as const) {
      const d = await submitDemand(t, s.officer, s.agencyId, { type, issuingAuthority: 'Circuit Court', caseNumber: `C-${type}`, scope: JSON.stringify(scope) });
      assert.equal(d.statusCode, 201, d.body);
      const ok = await as(t, s.reviewer1, { method: 'POST', url: `/api/v1/review/legal-demands/${d.json().id}/decision`, payload: { decision: 'approve', reason: 'In order.' } });
      assert.equal(ok.statusCode, 200, ok.body);
    }
    await t.ctx.workers.runAll('ledger.integrate');
  });
  after(async () => t.app.close());

  const exportNow = (password = PASSWORD) => as(t, s.owner, { method: 'POST', url: '/api/v1/me/export', payload: { password } });

  test('the export: one job at a time, the whole account in one ZIP, sealed at rest, downloaded once', async () => {
    assert.equal((await exportNow('wrong password')).statusCode, 400);
    assert.equal(await getDb().kysely.selectFrom('account_exports').select('id').execute().then((r) => r.length), 0, 'a wrong password writes nothing');
    const [a, b] = await Promise.all([exportNow(), exportNow()]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 202], `${a.body} ${b.body}`);
    assert.equal(a.json().id, b.json().id, 'two at once are one job');
    await t.services.exports.settled();
    const job = (await as(t, s.owner, { method: 'GET', url: '/api/v1/me/export' })).json();
    assert.equal(job.status, 'ready', JSON.stringify(job));
    assert.equal(job.done, job.total);

    // At rest the ZIP is sealed: no file of the export store holds a clip's bytes.
    const clipBytes = fixture('clip.mp4');
    const probe = clipBytes.subarray(4096, 4096 + 64);
    for (const f of filesUnder(path.join(t.config.dataDir, 'exports'))) assert.equal(fs.readFileSync(f).indexOf(probe), -1, `${f} holds plaintext`);

    const stranger = await createResident(t);
    assert.equal((await as(t, stranger, { method: 'GET', url: job.downloadUrl })).statusCode, 404, "another owner's export does not exist for them");
    const zipRes = await as(t, s.owner, { method: 'GET', url: job.downloadUrl });
    assert.equal(zipRes.statusCode, 200, zipRes.body);
    assert.equal(zipRes.headers['content-type'], 'application/zip');
    const files = unzipSync(new Uint8Array(zipRes.rawPayload));
    const text = (name: string) => JSON.parse(new TextDecoder().decode(files[name]));
    assert.equal(text('account.json').account.email, s.owner.email);
    const clips: { id: string; sha256: string; e2ee: boolean }[] = text('clips.json');
    assert.equal(clips.length, 5, 'a1, a2, b1, e1 and the signed clip (and none of the neighbour’s)');
    for (const c of clips) {
      const body = files[`clips/${c.id}.${c.e2ee ? 'envelope' : 'mp4'}`];
      assert.ok(body, `clips/${c.id} is in the export`);
      if (!c.e2ee) assert.equal(sha256(Buffer.from(body)), c.sha256, 'decrypted, byte for byte as recorded');
    }
    const sig = text(`clips/${signedClip}.signature.json`);
    assert.ok(verifyClipSignature(sig.devicePublicKey, Buffer.from(sig.signedPayload, 'utf8'), sig.deviceSignature), 'the device signature verifies on what the export says was signed');
    const key = parseVerifierKey(t.services.ledger.verifierKey);
    const receiptFiles = Object.keys(files).filter((n) => n.startsWith('receipts/entry-'));
    assert.ok(receiptFiles.length >= 2, 'the warrant and the hold');
    for (const f of receiptFiles) verifyReceipt(text(f), key);
    assert.ok(text('shares.json').some((d: { clipId: string; basis: { kind: string } }) => d.clipId === s.clips.a1.id && d.basis.kind === 'warrant'));
    assert.ok(Array.isArray(text('access-log.json')));

    assert.equal((await as(t, s.owner, { method: 'GET', url: job.downloadUrl })).statusCode, 410, 'the link works once');
    assert.equal(filesUnder(path.join(t.config.dataDir, 'exports')).filter((f) => !f.includes(`${path.sep}tmp${path.sep}`)).length, 0, 'and the sealed ZIP is gone');

    // A new one expires after 24 hours unread.
    assert.equal((await exportNow()).statusCode, 202);
    await t.services.exports.settled();
    const late = (await as(t, s.owner, { method: 'GET', url: '/api/v1/me/export' })).json();
    t.clock.advance(25 * HOUR);
    assert.equal((await as(t, s.owner, { method: 'GET', url: late.downloadUrl })).statusCode, 410);
  });

  test('deletion: refused while signed in elsewhere, then every unheld clip shredded, the held one when its hold ends', async () => {
    const owner = await login(t, s.owner.email); // fresh, after the clock moved
    const other = await login(t, s.owner.email);
    // The scene's own session ends here, so that `other` is the one left elsewhere.
    assert.equal((await as(t, owner, { method: 'DELETE', url: `/api/v1/me/sessions/${await sessionIdOf(s.owner.token)}` })).statusCode, 204);
    const del = (body: object) => as(t, owner, { method: 'POST', url: '/api/v1/me/deletion', payload: body });
    const entriesBefore = await count(getDb(), 'log_entries');
    assert.equal((await del({ password: PASSWORD, confirm: 'yes' })).statusCode, 400);
    assert.equal((await del({ password: 'wrong', confirm: DELETE_CONFIRMATION })).statusCode, 400);
    const busy = await del({ password: PASSWORD, confirm: DELETE_CONFIRMATION });
    assert.equal(busy.statusCode, 409, busy.body);
    assert.match(busy.json().detail, /signed in on 1 other session/);
    assert.equal((await as(t, other, { method: 'GET', url: '/api/v1/me' })).statusCode, 200, 'nothing changed');
    assert.equal((await as(t, owner, { method: 'DELETE', url: `/api/v1/me/sessions/${await sessionIdOf(other.token)}` })).statusCode, 204);

    const post = await as(t, owner, { method: 'POST', url: '/api/v1/feed/posts', payload: { title: 'Lost cat', body: 'Grey, answers to Mo.', category: 'lost_found_pet' } });
    assert.equal(post.statusCode, 201, post.body);
    const receipts = (await as(t, owner, { method: 'GET', url: '/api/v1/me/receipts' })).json().receipts;
    const res = await del({ password: PASSWORD, confirm: DELETE_CONFIRMATION });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'pending');
    assert.deepEqual(res.json().kept.map((k: { clipId: string }) => k.clipId), [s.clips.b1.id], 'only the held clip stays');
    assert.doesNotMatch(JSON.stringify(res.json().kept), /C-preservation|Circuit Court/, 'no case details');

    // No way in; no personal field; no decryptable byte of a deleted clip.
    assert.equal((await as(t, owner, { method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: s.owner.email, password: PASSWORD } })).statusCode, 401);
    const user = await getDb().kysely.selectFrom('users').selectAll().where('id', '=', s.owner.id).executeTakeFirstOrThrow();
    assert.ok(!user.email.includes(s.owner.email.split('@')[0]) && user.home_lat === null && user.deleted_at === null);
    assert.equal(await getDb().kysely.selectFrom('sessions').select('id').where('user_id', '=', s.owner.id).execute().then((r) => r.length), 0);
    const rows = await getDb().kysely.selectFrom('clips').selectAll().where('owner_id', '=', s.owner.id).execute();
    const files = new Set(filesUnder(t.config.dataDir).map((f) => path.basename(f)));
    for (const c of rows.filter((r) => r.id !== s.clips.b1.id)) {
      assert.equal(c.wrapped_key, null, `clip ${c.id}: its key is destroyed, so no master key opens it`);
      assert.ok(c.deleted_at !== null && (c.blob_key === null || !files.has(path.basename(c.blob_key))), `clip ${c.id}: its file is gone`);
    }
    assert.equal(await getDb().kysely.selectFrom('clip_keys').select('id').where('clip_id', 'in', rows.map((r) => r.id)).execute().then((r) => r.length), 0, 'no sealed secret of an end-to-end clip');
    // The post stays as "Deleted account", and its exact point (the home) is gone: only the public, fuzzed one is left.
    const row = await getDb().kysely.selectFrom('feed_posts').selectAll().where('id', '=', post.json().id).executeTakeFirstOrThrow();
    assert.deepEqual([Number(row.exact_lat), Number(row.exact_lon)], [Number(row.lat), Number(row.lon)]);
    const reader = await createResident(t);
    assert.equal((await as(t, reader, { method: 'GET', url: `/api/v1/feed/posts/${row.id}` })).json().author.name, 'Deleted account');
    // The log keeps its entries, and receipts kept by anyone still verify.
    assert.ok((await count(getDb(), 'log_entries')) >= entriesBefore);
    for (const r of receipts) verifyReceipt(r, parseVerifierKey(t.services.ledger.verifierKey));

    // The hold ends (90 days): the deletion job finishes the held clip and the account.
    t.clock.advance(91 * DAY);
    await t.ctx.workers.runAll('clips.retention');
    await t.ctx.workers.runAll('control.deletions');
    const b1 = await getDb().kysely.selectFrom('clips').selectAll().where('id', '=', s.clips.b1.id).executeTakeFirstOrThrow();
    assert.equal(b1.wrapped_key, null);
    const done = await getDb().kysely.selectFrom('users').select('deleted_at').where('id', '=', s.owner.id).executeTakeFirstOrThrow();
    assert.notEqual(done.deleted_at, null);
  });

  async function sessionIdOf(token: string): Promise<string> {
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: { authorization: `Bearer ${token}` } })).json();
    return list.find((x: { current: boolean }) => x.current).id;
  }
});
