// End-to-end encryption, through the HTTP API as the agent and the browser use
// it (issue 15): keys, sealed uploads and what the server refuses, the owner
// opening a clip, sharing by re-wrapping with an agency that opens it in turn,
// crypto-shredding, and a scan of DATA_DIR and the database that finds no key
// and no plaintext.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { unzipSync } from 'fflate';
import { makeBackup } from '../../src/platform/sealed/keybackup.ts';
import { runEvidenceCli } from '../../src/disclosure/evidence-cli.ts';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { enrolOwnerKey, fixture, newCamera, times, upload, uploadSealed, type Owner, type OwnerKey } from '../clips/helpers.ts';
import { agencyMember, createAgency, offset, ownerAt, requestBody } from '../requests/helpers.ts';
import { checkEnvelope, envelopeRangeFor, importContentKey, openEnvelopeRange } from '../../src/platform/sealed/envelope.ts';
import { openSecret, rewrap } from '../../src/platform/sealed/hpke.ts';
import { e2eeSigningPayload, sha256Hex, verifyE2eeSignature } from '../../src/cameras/e2ee-signature.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { entriesFor } from '../legal/helpers.ts';

// Backups in tests use a small Argon2id cost: the format and the checks are the same, the wait is not.
const FAST_KDF = { m: 256, t: 1, p: 1 };

const H = 3_600_000;
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** Opens an envelope as the web app does: the sealed key with the key pair, then the chunks with WebCrypto. */
async function openAs(pair: CryptoKeyPair, sealed: { sealedKey: string; envelopeHeader: string }, envelope: Buffer, start = 0, end?: number) {
  const header = checkEnvelope(b64(sealed.envelopeHeader), envelope.length);
  const secret = await openSecret(pair, header.bytes, b64(sealed.sealedKey));
  const last = end ?? header.plainSize - 1;
  const r = envelopeRangeFor(header.plainSize, start, last);
  const plain = Buffer.from(await openEnvelopeRange(await importContentKey(secret.contentKey), header, start, last, envelope.subarray(r.start, r.end + 1)));
  return { plain, secret, header };
}

forEachEngine('end-to-end encryption', (getDb) => {
  let t: TestApp;
  let reviewer: TestUser;
  let officer: TestUser;
  let agencyId: string;
  let owner: Owner;
  let key: OwnerKey;

  before(async () => {
    t = await buildTestApp(getDb());
    reviewer = await createStaff(t, 'reviewer');
    agencyId = (await createAgency(t, reviewer)).id;
    officer = await agencyMember(t, agencyId);
    owner = await ownerAt(t, offset(30, 30), { e2ee: true });
    key = await enrolOwnerKey(t, owner);
  });
  after(async () => t.app.close());

  test('keys: only residents register their own, agency members their own agency\'s; malformed keys are 400', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me/e2ee-key' })).statusCode, 401);
    assert.equal((await as(t, officer, { method: 'GET', url: '/api/v1/me/e2ee-key' })).statusCode, 403);
    assert.equal((await as(t, owner, { method: 'GET', url: '/api/v1/me/e2ee-key' })).json().keyId, key.keyId);
    const stranger = await createResident(t);
    const none = await as(t, stranger, { method: 'GET', url: '/api/v1/me/e2ee-key' });
    assert.equal(none.statusCode, 200);
    assert.equal(none.json(), null);
    for (const publicKey of ['not base64!', Buffer.alloc(31, 7).toString('base64'), Buffer.alloc(32).toString('base64')]) {
      const res = await as(t, stranger, { method: 'PUT', url: '/api/v1/me/e2ee-key', payload: { publicKey } });
      assert.equal(res.statusCode, 400, publicKey);
      assert.ok(res.json().detail.length > 10);
    }
    const other = await agencyMember(t, (await createAgency(t, reviewer)).id);
    assert.equal((await as(t, other, { method: 'PUT', url: `/api/v1/agencies/${agencyId}/e2ee-key`, payload: { publicKey: Buffer.alloc(32, 9).toString('base64') } })).statusCode, 404);
    assert.equal((await as(t, owner, { method: 'GET', url: `/api/v1/agencies/${agencyId}/e2ee-key` })).statusCode, 403);
  });

  test('the device learns its mode and its owner\'s key; a plain MP4, a bad envelope, a wrong key or a replay is refused and writes nothing', async () => {
    const mode = await t.app.inject({ method: 'GET', url: '/api/v1/devices/me/e2ee', headers: { authorization: `Bearer ${owner.device.token}` } });
    assert.equal(mode.statusCode, 200, mode.body);
    assert.deepEqual({ e2ee: mode.json().e2ee, keyId: mode.json().ownerKey.keyId }, { e2ee: true, keyId: key.keyId });
    assert.equal((await as(t, owner, { method: 'GET', url: '/api/v1/devices/me/e2ee' })).statusCode, 403);

    const clipsBefore = await count(getDb());
    const plain = await upload(t, owner, {});
    assert.equal(plain.statusCode, 400, plain.body);
    assert.match(plain.json().detail, /end-to-end mode/);
    const asMp4 = await uploadSealed(t, owner, key, { cameraId: owner.cameraId, headersOver: {} });
    assert.equal(asMp4.res.statusCode, 201, asMp4.res.body);
    const replay = await t.app.inject({ method: 'POST', url: `/api/v1/clips?${new URLSearchParams({ cameraId: owner.cameraId, ...times(t), kind: 'motion' })}`, headers: { authorization: `Bearer ${owner.device.token}`, 'content-type': 'application/octet-stream', 'x-e2ee-key-id': key.keyId, 'x-e2ee-sealed-key': Buffer.alloc(177, 1).toString('base64') }, payload: asMp4.envelope });
    assert.equal(replay.statusCode, 409, replay.body);
    assert.match(replay.json().detail, /uploaded already/);
    const cases: [string, Record<string, string | undefined>, Buffer | undefined, number, RegExp][] = [
      ['a plain MP4 with a sealed key', {}, fixture('clip.mp4'), 415, /plain MP4/],
      ['no sealed key', { 'x-e2ee-sealed-key': undefined }, undefined, 400, /X-E2EE-Sealed-Key/],
      ['a sealed key of the wrong size', { 'x-e2ee-sealed-key': Buffer.alloc(50).toString('base64') }, undefined, 400, /177 bytes/],
      ['a key that is not the owner\'s', { 'x-e2ee-key-id': 'someone-elses-key' }, undefined, 400, /not the camera's owner's current key/],
    ];
    for (const [what, headersOver, body, status, detail] of cases) {
      const { res } = await uploadSealed(t, owner, key, { cameraId: owner.cameraId, headersOver, body });
      if (body) {
        // The helper sealed `body`; send the MP4 itself instead.
        const raw = await t.app.inject({ method: 'POST', url: `/api/v1/clips?${new URLSearchParams({ cameraId: owner.cameraId, ...times(t), kind: 'motion' })}`, headers: { authorization: `Bearer ${owner.device.token}`, 'content-type': 'application/octet-stream', 'x-e2ee-key-id': key.keyId, 'x-e2ee-sealed-key': Buffer.alloc(177, 1).toString('base64') }, payload: body });
        assert.equal(raw.statusCode, status, `${what}: ${raw.body}`);
        assert.match(raw.json().detail, detail, what);
        continue;
      }
      assert.equal(res.statusCode, status, `${what}: ${res.body}`);
      assert.match(res.json().detail, detail, what);
    }
    const cut = asMp4.envelope.subarray(0, asMp4.envelope.length - 16);
    const truncated = await t.app.inject({ method: 'POST', url: `/api/v1/clips?${new URLSearchParams({ cameraId: owner.cameraId, ...times(t), kind: 'motion' })}`, headers: { authorization: `Bearer ${owner.device.token}`, 'content-type': 'application/octet-stream', 'x-e2ee-key-id': key.keyId, 'x-e2ee-sealed-key': Buffer.alloc(177, 1).toString('base64') }, payload: cut });
    assert.equal(truncated.statusCode, 422, truncated.body);
    assert.match(truncated.json().detail, /chunks makes/);
    assert.equal(await count(getDb()), clipsBefore + 1);
  });

  test('the owner opens the clip (and any range) and checks the device signature; a tampered envelope fails, never wrong video', async () => {
    const mp4 = fixture('clip.mp4');
    const { res } = await uploadSealed(t, owner, key, { cameraId: owner.cameraId });
    const id = res.json().id;
    const sealed = (await as(t, owner, { method: 'GET', url: `/api/v1/clips/${id}/sealed-key` })).json();
    const envelope = (await as(t, owner, { method: 'GET', url: `/api/v1/clips/${id}/video` })).rawPayload;
    const { plain, secret, header } = await openAs(key.pair, sealed, envelope);
    assert.deepEqual(plain, mp4);
    const clip = (await as(t, owner, { method: 'GET', url: `/api/v1/clips/${id}` })).json();
    const payload = e2eeSigningPayload({ cameraId: owner.cameraId, plainSha256: await sha256Hex(plain), headerSha256: await sha256Hex(header.bytes), startedAt: clip.startedAt, endedAt: clip.endedAt, kind: clip.kind });
    const devicePublicKey = (await as(t, owner, { method: 'GET', url: `/api/v1/cameras/${owner.cameraId}` })).json().device.publicKey as string;
    assert.equal(await verifyE2eeSignature(b64(devicePublicKey), payload, secret.signature), true);
    assert.equal(await verifyE2eeSignature(b64(devicePublicKey), payload.subarray(1), secret.signature), false);
    const last = Math.min(70_000, header.plainSize - 1);
    const r = envelopeRangeFor(header.plainSize, 10, last);
    const part = await as(t, owner, { method: 'GET', url: `/api/v1/clips/${id}/video`, headers: { range: `bytes=${r.start}-${r.end}` } });
    assert.equal(part.statusCode, 206);
    assert.deepEqual(Buffer.from(await openEnvelopeRange(await importContentKey(secret.contentKey), header, 10, last, part.rawPayload)), mp4.subarray(10, last + 1));
    const tampered = Buffer.from(envelope);
    tampered[200] ^= 1;
    await assert.rejects(openAs(key.pair, sealed, tampered), /failed authentication/);
    assert.equal((await as(t, await createResident(t), { method: 'GET', url: `/api/v1/clips/${id}/sealed-key` })).statusCode, 404);
  });

  test('sharing by re-wrapping: the agency opens the clip, the log has the consent entry, a key for another recipient or a re-wrap by anyone else is refused', async () => {
    const { res } = await uploadSealed(t, owner, key, { cameraId: owner.cameraId, ...times(t, 2 * H) });
    const clipId = res.json().id;
    const rq = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agencyId}/requests`, payload: requestBody(t) });
    const rid = rq.json().id;
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/review/requests/${rid}/decision`, payload: { decision: 'approve' } })).statusCode, 200);
    const answer = (payload: object, who: TestUser = owner) => as(t, who, { method: 'POST', url: `/api/v1/me/requests/${rid}/response`, payload });

    // Before the agency has a key, the owner is told it cannot receive end-to-end clips.
    assert.equal((await as(t, owner, { method: 'GET', url: `/api/v1/me/requests/${rid}` })).json().agencyKey, null);
    const agencyKey = await enrolOwnerKey(t, officer, `/api/v1/agencies/${agencyId}/e2ee-key`);
    const view = (await as(t, owner, { method: 'GET', url: `/api/v1/me/requests/${rid}` })).json();
    assert.equal(view.agencyKey.keyId, agencyKey.keyId);
    assert.ok(view.clips.some((c: { id: string; e2ee: boolean }) => c.id === clipId && c.e2ee));

    const mine = (await as(t, owner, { method: 'GET', url: `/api/v1/clips/${clipId}/sealed-key` })).json();
    const forAgency = await rewrap(key.pair, b64(mine.envelopeHeader), b64(mine.sealedKey), b64(view.agencyKey.publicKey));
    const offer = { keyId: agencyKey.keyId, sealedKey: Buffer.from(forAgency).toString('base64') };

    const before = await disclosures(getDb());
    assert.equal((await answer({ share: [clipId] })).statusCode, 422);
    const wrongKey = await answer({ share: [clipId], sealedKeys: { [clipId]: { ...offer, keyId: key.keyId } } });
    assert.equal(wrongKey.statusCode, 400, wrongKey.body);
    assert.match(wrongKey.json().detail, /not agency .*'s current key/);
    assert.equal((await answer({ share: [clipId], sealedKeys: { other: offer } })).statusCode, 400);
    // A sealed key for a plain clip is refused with the whole answer: the end-to-end clip beside it is not shared either.
    const plainCam = await newCamera(t, owner, { location: offset(30, 30) });
    const plainClip = (await upload(t, { user: owner }, { cameraId: plainCam, ...times(t, 2 * H) })).json().id;
    const mixed = await answer({ share: [clipId, plainClip], sealedKeys: { [clipId]: offer, [plainClip]: offer } });
    assert.equal(mixed.statusCode, 400, mixed.body);
    assert.match(mixed.json().detail, /not end-to-end encrypted/);
    assert.equal((await answer({ share: [clipId], sealedKeys: { [clipId]: offer } }, await createResident(t))).statusCode, 404);
    assert.equal(await disclosures(getDb()), before);

    const shared = await answer({ share: [clipId], sealedKeys: { [clipId]: offer } });
    assert.equal(shared.statusCode, 200, shared.body);
    assert.deepEqual((await entriesFor(getDb(), rid)).map((e) => [e.basis, e.agency, e.clips.length]), [
      ['request_sent', agencyId, 0], ['consent', agencyId, 1], ['request_answered', agencyId, 0],
    ]);

    const locker = (await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agencyId}/requests/${rid}/evidence` })).json();
    const item = locker.neighbors[0].items.find((i: { manifest: { content: string } }) => i.manifest.content === 'sealed');
    assert.ok(item, JSON.stringify(locker));
    const sk = (await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agencyId}/requests/${rid}/evidence/${item.id}/sealed-key` })).json();
    assert.deepEqual(sk, item.manifest.e2ee);
    const envelope = (await as(t, officer, { method: 'GET', url: item.videoUrl })).rawPayload;
    assert.deepEqual((await openAs(agencyKey.pair, sk, envelope)).plain, fixture('clip.mp4'));
    await assert.rejects(openAs(key.pair, sk, envelope), /does not open/);
    // The evidence package holds the envelope as it is, named as such, beside the sealed key in its manifest.
    const zip = unzipSync(new Uint8Array((await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agencyId}/requests/${rid}/evidence.zip` })).rawPayload));
    const manifest = JSON.parse(Buffer.from(zip['manifest.json']).toString('utf8'));
    const packed = manifest.items.find((i: { disclosureId: string }) => i.disclosureId === item.id);
    assert.match(packed.file, /\.envelope$/);
    assert.deepEqual(Buffer.from(zip[packed.file]), envelope);
    assert.deepEqual(packed.e2ee, sk);

    // The offline command verifies the package, opens the envelope with the agency's key backup, and checks the sealed hash.
    await t.ctx.workers.runAll('ledger.integrate');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-evidence-'));
    try {
      const zipPath = path.join(dir, 'evidence.zip');
      fs.writeFileSync(zipPath, (await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agencyId}/requests/${rid}/evidence.zip` })).rawPayload);
      const backup = path.join(dir, 'agency-key.json');
      fs.writeFileSync(backup, JSON.stringify(await makeBackup(agencyKey.raw, { subject: `agency:${agencyId}`, keyId: agencyKey.keyId }, 'the agency passphrase', FAST_KDF)));
      fs.writeFileSync(path.join(dir, 'pass'), 'the agency passphrase\n');
      const logKey = (await t.app.inject({ method: 'GET', url: '/log/key' })).body.trim();
      const run = async (...extra: string[]) => {
        const lines: string[] = [];
        const code = await runEvidenceCli([zipPath, '--key', logKey, '--agency-key', backup, ...extra], (l) => lines.push(l));
        return { code, text: lines.join('\n') };
      };
      const opened = await run('--passphrase-file', path.join(dir, 'pass'), '--out', path.join(dir, 'clips'));
      assert.equal(opened.code, 0, opened.text);
      assert.match(opened.text, /OK opened .*\.envelope: every chunk authenticates, and it matches the SHA-256 [0-9a-f]{64} sealed with its key; written to/);
      assert.deepEqual(fs.readFileSync(path.join(dir, 'clips', fs.readdirSync(path.join(dir, 'clips'))[0])), fixture('clip.mp4'));
      fs.writeFileSync(path.join(dir, 'wrong'), 'not the passphrase\n');
      const wrong = await run('--passphrase-file', path.join(dir, 'wrong'));
      assert.equal(wrong.code, 1);
      assert.match(wrong.text, /passphrase is wrong/);
      // The owner's own key is not the agency's: the sealed key does not open with it.
      fs.writeFileSync(backup, JSON.stringify(await makeBackup(key.raw, { subject: `agency:${agencyId}`, keyId: agencyKey.keyId }, 'the agency passphrase', FAST_KDF)));
      const other = await run('--passphrase-file', path.join(dir, 'pass'));
      assert.equal(other.code, 1);
      assert.match(other.text, /does not open with this agency key|does not belong/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('deleting the clip shreds every sealed key; the DATA_DIR and the database hold no key and no plaintext', async () => {
    const mp4 = fixture('clip.mp4');
    const { res } = await uploadSealed(t, owner, key, { cameraId: owner.cameraId });
    const id = res.json().id;
    const blobs = listFiles(t.dataDir);
    const plainHash = createHash('sha256').update(mp4).digest();
    const needles = [Buffer.from('ftyp'), Buffer.from('mdat'), plainHash, Buffer.from(plainHash.toString('hex')), Buffer.from(key.raw.privateKey), Buffer.from(Buffer.from(key.raw.privateKey).toString('base64')), mp4.subarray(4096, 4160)];
    for (const f of blobs.filter((f) => f.includes(`${path.sep}clips${path.sep}`) || f.endsWith('.sqlite') || f.endsWith('.db'))) {
      const bytes = fs.readFileSync(f);
      for (const n of needles) assert.equal(bytes.indexOf(n), -1, `${path.basename(f)} holds a needle`);
    }
    // The server's own vault, with the master key, yields only the envelope: no MP4 inside.
    const envelope = (await as(t, owner, { method: 'GET', url: `/api/v1/clips/${id}/video` })).rawPayload;
    for (const n of needles) assert.equal(envelope.indexOf(n), -1);
    const rows = JSON.stringify(await getDb().kysely.selectFrom('clips').selectAll().where('id', '=', id).execute(), (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
    assert.ok(!rows.includes(plainHash.toString('hex')));
    assert.equal((await as(t, owner, { method: 'DELETE', url: `/api/v1/clips/${id}` })).statusCode, 204);
    assert.equal((await getDb().kysely.selectFrom('clip_keys').select('id').where('clip_id', '=', id).execute()).length, 0);
    assert.equal((await as(t, owner, { method: 'GET', url: `/api/v1/clips/${id}/sealed-key` })).statusCode, 404);
  });
});

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function count(db: Db): Promise<number> {
  return Number((await db.kysely.selectFrom('clips').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

async function disclosures(db: Db): Promise<number> {
  return Number((await db.kysely.selectFrom('disclosures').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}
