// The done-when story of issue 5, over HTTP on both engines: an agency creates
// a request, a reviewer approves it, two owners are notified, one shares one
// clip and the other declines; the agency sees exactly one item under
// "Neighbor 1", whose evidence ZIP verifies offline.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { unzipSync } from 'fflate';
import { forEachEngine, tempDir } from '../helpers/db.ts';
import { as, buildTestApp, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { times, upload, type Owner } from '../clips/helpers.ts';
import { runEvidenceCli } from '../../src/disclosure/evidence-cli.ts';
import { agencyMember, createAgency, offset, ownerAt, requestBody } from './helpers.ts';

forEachEngine('community request story', (getDb) => {
  let t: TestApp;
  let smtp: TestSmtp;
  let reviewer: TestUser;
  let officer: TestUser;
  let agency: { id: string; name: string };
  let ann: Owner; // shares
  let bob: Owner; // declines
  let far: Owner; // camera outside the area
  let blocker: Owner; // inside, but blocks law enforcement
  let optedOut: Owner; // inside, camera opted out of community requests
  let annClip: string;
  let requestId: string;
  const agencyResponses: string[] = [];

  before(async () => {
    smtp = await startSmtp();
    t = await buildTestApp(getDb(), { SMTP_URL: smtp.url });
    reviewer = await createStaff(t, 'reviewer');
    agency = await createAgency(t, reviewer);
    officer = await agencyMember(t, agency.id);
    ann = await ownerAt(t, offset(50, 40));
    bob = await ownerAt(t, offset(-80, -120));
    far = await ownerAt(t, offset(1000, 1000));
    blocker = await ownerAt(t, offset(10, 10));
    optedOut = await ownerAt(t, offset(-20, 30), { communityRequests: false });
    const put = await as(t, blocker, { method: 'PUT', url: '/api/v1/me/request-policy', payload: { blockedAgencyTypes: ['law_enforcement'] } });
    assert.equal(put.statusCode, 200, put.body);
    const tm = times(t, 2 * 3_600_000);
    const up = await upload(t, ann, tm);
    assert.equal(up.statusCode, 201, up.body);
    annClip = up.json().id;
    assert.equal((await upload(t, bob, tm)).statusCode, 201);
    // A clip of Ann's outside the window is not in scope.
    assert.equal((await upload(t, ann, times(t, 30 * 60_000))).statusCode, 201);
  });
  after(async () => {
    await t.app.close();
    await smtp.close();
  });

  const agencyGet = async (url: string) => {
    const res = await as(t, officer, { method: 'GET', url });
    agencyResponses.push(res.body);
    return res;
  };

  test('the agency creates a request; it waits for review and is not public yet', async () => {
    const res = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/requests`, payload: requestBody(t) });
    assert.equal(res.statusCode, 201, res.body);
    agencyResponses.push(res.body);
    requestId = res.json().id;
    assert.equal(res.json().status, 'pending');
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/public/requests/${requestId}` })).statusCode, 404);
  });

  test('a reviewer approves it: the two eligible owners get one inbox item each, by e-mail and in-app', async () => {
    // Before deciding, the reviewer sees the reach: the same two owners (issue 19); lists carry no count.
    const pending = await as(t, reviewer, { method: 'GET', url: `/api/v1/review/requests/${requestId}` });
    assert.equal(pending.json().reach, 2, pending.body);
    assert.ok((await as(t, reviewer, { method: 'GET', url: '/api/v1/review/requests' })).json().every((r: { reach: unknown }) => r.reach === null));
    const res = await as(t, reviewer, { method: 'POST', url: `/api/v1/review/requests/${requestId}/decision`, payload: { decision: 'approve', note: 'Specific, recent, in area.' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'open');
    await t.ctx.workers.runAll('outbox');
    const mailed = smtp.received.filter((m) => m.raw.includes('asks neighbours for camera footage')).flatMap((m) => m.to).sort();
    assert.deepEqual(mailed, [ann.email, bob.email].sort());
    for (const [who, expected] of [[ann, 1], [bob, 1], [far, 0], [blocker, 0], [optedOut, 0]] as const) {
      const inbox = await as(t, who, { method: 'GET', url: '/api/v1/me/requests' });
      assert.equal(inbox.statusCode, 200);
      assert.equal(inbox.json().length, expected, `inbox of ${who.email}`);
      const notes = await as(t, who, { method: 'GET', url: '/api/v1/me/notifications' });
      assert.equal(notes.json().filter((n: { kind: string }) => n.kind === 'request.new').length, expected);
    }
    const post = await t.app.inject({ method: 'GET', url: `/api/v1/public/requests/${requestId}` });
    assert.equal(post.statusCode, 200);
    assert.equal(post.json().status, 'open');
    assert.equal(post.json().agency.id, agency.id);
  });

  test('Ann sees her in-scope clip and shares it; the answer is idempotent', async () => {
    const view = await as(t, ann, { method: 'GET', url: `/api/v1/me/requests/${requestId}` });
    assert.equal(view.statusCode, 200, view.body);
    assert.deepEqual(view.json().clips.map((c: { id: string }) => c.id), [annClip]);
    const share = await as(t, ann, { method: 'POST', url: `/api/v1/me/requests/${requestId}/response`, payload: { share: [annClip] } });
    assert.equal(share.statusCode, 200, share.body);
    assert.equal(share.json().answer, 'shared');
    assert.equal(share.json().shared.length, 1);
    const again = await as(t, ann, { method: 'POST', url: `/api/v1/me/requests/${requestId}/response`, payload: { share: [annClip] } });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().shared[0].disclosureId, share.json().shared[0].disclosureId);
    assert.equal((await as(t, ann, { method: 'GET', url: `/api/v1/me/requests/${requestId}` })).json().clips[0].shared, true);
  });

  test('Bob declines (twice: idempotent)', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await as(t, bob, { method: 'POST', url: `/api/v1/me/requests/${requestId}/response`, payload: { decline: true } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().answer, 'declined');
    }
  });

  test('the agency sees exactly one item, under "Neighbor 1", with a complete manifest', async () => {
    await t.ctx.workers.runAll('ledger.integrate');
    const res = await agencyGet(`/api/v1/agencies/${agency.id}/requests/${requestId}/evidence`);
    assert.equal(res.statusCode, 200, res.body);
    const locker = res.json();
    assert.equal(locker.neighbors.length, 1);
    assert.equal(locker.neighbors[0].pseudonym, 'Neighbor 1');
    assert.equal(locker.neighbors[0].items.length, 1);
    const m = locker.neighbors[0].items[0].manifest;
    assert.match(m.sha256.original, /^[0-9a-f]{64}$/);
    assert.match(m.sha256.delivered, /^[0-9a-f]{64}$/);
    assert.equal(m.device.signed, true);
    assert.ok(m.device.signature && m.device.publicKey);
    assert.equal(typeof m.log.index, 'number');
    assert.ok(m.log.proof && m.log.checkpoint);
    assert.equal(JSON.parse(m.log.entry).ref, requestId);

    // The video streams with ranges, and each read lands in Ann's access log.
    const url = locker.neighbors[0].items[0].videoUrl;
    const whole = await as(t, officer, { method: 'GET', url });
    assert.equal(whole.statusCode, 200);
    const part = await as(t, officer, { method: 'GET', url, headers: { range: 'bytes=0-99' } });
    assert.equal(part.statusCode, 206);
    assert.equal(part.rawPayload.length, 100);
    const log = await as(t, ann, { method: 'GET', url: '/api/v1/me/access-log' });
    assert.equal(log.statusCode, 200, log.body);
    const reads = JSON.stringify(log.json());
    assert.ok(reads.includes(agency.id) && reads.includes(annClip), reads);
  });

  test('the evidence ZIP verifies offline with the log key, and a tampered copy does not', async () => {
    const res = await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agency.id}/requests/${requestId}/evidence.zip` });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /application\/zip/);
    const files = unzipSync(res.rawPayload);
    assert.ok(files['manifest.json'] && files['checkpoint.txt']);
    agencyResponses.push(new TextDecoder().decode(files['manifest.json']));
    const dir = tempDir('porchlight-evidence-');
    const zipPath = path.join(dir, 'evidence.zip');
    fs.writeFileSync(zipPath, res.rawPayload);
    const key = (await t.app.inject({ method: 'GET', url: '/log/key' })).body.trim();
    const lines: string[] = [];
    assert.equal(await runEvidenceCli([zipPath, '--key', key], (s) => lines.push(s)), 0, lines.join('\n'));
    assert.match(lines.join('\n'), /Neighbor 1/);

    // Flip one byte of the clip inside the package: the check fails.
    const { zipSync } = await import('fflate');
    const clipName = Object.keys(files).find((f) => f.endsWith('.mp4'))!;
    const tampered = { ...files, [clipName]: Uint8Array.from(files[clipName], (b, i) => (i === 200 ? b ^ 1 : b)) };
    fs.writeFileSync(zipPath, zipSync(tampered));
    const out2: string[] = [];
    assert.equal(await runEvidenceCli([zipPath, '--key', key], (s) => out2.push(s)), 1);
    assert.match(out2.join('\n'), /does not match/);
  });

  test('nothing the agency received names an owner, counts recipients or shows who declined', async () => {
    agencyResponses.push((await agencyGet(`/api/v1/agencies/${agency.id}/requests/${requestId}`)).body);
    agencyResponses.push((await agencyGet(`/api/v1/agencies/${agency.id}/requests`)).body);
    const all = agencyResponses.join('\n');
    for (const o of [ann, bob, far, blocker, optedOut]) {
      const me = (await as(t, o, { method: 'GET', url: '/api/v1/me' })).json();
      assert.ok(me.displayName);
      const cam = (await as(t, o, { method: 'GET', url: `/api/v1/cameras/${o.cameraId}` })).json();
      for (const secret of [o.email, o.id, me.displayName, o.cameraId, String(cam.location.lat), String(cam.location.lon)]) {
        assert.ok(!all.includes(secret), `agency-facing output contains ${secret}`);
      }
    }
    assert.ok(!/declin/i.test(all));
    assert.ok(!/recipient/i.test(all));
    assert.ok(!/"(count|recipients|notified|answered)"/.test(all));
  });
});
