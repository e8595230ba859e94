// POST /api/v1/clips over HTTP on both engines: happy paths, idempotency, and
// every bad input of issue 3 — each a clear 4xx that leaves nothing stored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { forEachEngine } from '../helpers/db.ts';
import { startS3 } from '../helpers/s3.ts';
import { as, buildTestApp, createResident, createStaff, type TestApp } from '../helpers/app.ts';
import { clipSigningPayload, signClipPayload } from '../../src/cameras/signature.ts';
import { enrolDevice, enrolOwnerKey, fixture, newCamera, newOwner, sha256, storedBytes, storedFiles, times, upload, uploadSealed, type Owner } from './helpers.ts';

// Both blob stores: DATA_DIR, and S3 on a real s3rver started for this file.
const s3 = await startS3();
after(() => s3.stop());

for (const store of ['fs', 's3'] as const) forEachEngine(`clip upload (${store})`, (getDb) => {
  let t: TestApp;
  let ann: Owner;
  let bob: Owner;
  before(async () => {
    t = await buildTestApp(getDb(), { MAX_UPLOAD_BYTES: String(64 * 1024), ...(store === 's3' ? s3.env() : {}) });
    ann = await newOwner(t);
    bob = await newOwner(t);
  });
  after(async () => t.app.close());

  const clipCount = async () => Number((await getDb().kysely.selectFrom('clips').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  /** Runs a request that must be refused with `status`, and checks that nothing new was stored. */
  async function refused(status: number, run: () => ReturnType<typeof upload>, detail?: RegExp) {
    // Thumbnails of earlier uploads are made in the background; let them land first.
    await t.services.clips.settled();
    const before = { rows: await clipCount(), files: await storedFiles(t) };
    const res = await run();
    await t.services.clips.settled();
    assert.equal(res.statusCode, status, res.body);
    assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
    if (detail) assert.match(res.json().detail, detail);
    assert.equal(await clipCount(), before.rows, 'no row');
    assert.deepEqual(await storedFiles(t), before.files, 'no blob and no temp file');
    return res;
  }

  test('a device uploads a signed clip: 201 { id, sha256 }, stored encrypted and marked signed', async () => {
    const body = fixture('clip.mp4');
    const res = await upload(t, ann, { kind: 'doorbell', body });
    assert.equal(res.statusCode, 201, res.body);
    const { id, sha256: digest } = res.json();
    assert.equal(digest, sha256(body));
    const row = await getDb().kysely.selectFrom('clips').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.signed, 1);
    assert.equal(row.kind, 'doorbell');
    assert.equal(Number(row.size), body.length);
    assert.ok(row.device_signature && row.wrapped_key && row.blob_key);
    // At rest the blob holds no plaintext run of the MP4.
    const files = await storedFiles(t);
    const blob = files.blobs.find((f) => f.includes('/clips/') && f.endsWith(id))!;
    const stored = await storedBytes(t, blob);
    assert.equal(stored.indexOf(body.subarray(0, 64)), -1);
    assert.equal(stored.indexOf(Buffer.from('ftyp')), -1);
  });

  test('an owner uploads by hand with a session: unsigned; both box orders are accepted', async () => {
    // A camera of its own: the first test's device upload already holds clip.mp4 on ann's camera.
    const cameraId = await newCamera(t, ann);
    for (const name of ['clip.mp4', 'clip-faststart.mp4']) {
      const res = await upload(t, { user: ann }, { cameraId, kind: 'manual', body: fixture(name) });
      assert.equal(res.statusCode, 201, res.body);
      const got = await as(t, ann, { method: 'GET', url: `/api/v1/clips/${res.json().id}` });
      assert.equal(got.json().signed, false);
      assert.equal(got.json().deviceSignature, null);
    }
  });

  test('a retried upload with the same Idempotency-Key returns the same clip', async () => {
    const first = await upload(t, ann, { idempotencyKey: 'cam-1/clip-0001' });
    assert.equal(first.statusCode, 201, first.body);
    const rows = await clipCount();
    const again = await upload(t, ann, { idempotencyKey: 'cam-1/clip-0001' });
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(again.json(), first.json());
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(await clipCount(), rows);
    // Two racing uploads with a new key make one clip.
    const [a, b] = await Promise.all([upload(t, ann, { idempotencyKey: 'race' }), upload(t, ann, { idempotencyKey: 'race' })]);
    assert.equal(a.statusCode, 201);
    assert.equal(b.statusCode, 201);
    assert.equal(a.json().id, b.json().id);
    assert.equal(await clipCount(), rows + 1);
    await t.services.clips.settled();
    const files = await storedFiles(t);
    assert.equal(files.blobs.filter((f) => f.includes('/clips/') && f.endsWith(a.json().id)).length, 1);
    assert.equal(files.temp.length, 0);
    await refused(400, () => upload(t, ann, { idempotencyKey: 'x'.repeat(201) }), /Idempotency-Key/);
  });

  test('bad files: truncated MP4, PNG, text, other codecs, zero bytes', async () => {
    await refused(422, () => upload(t, ann, { body: fixture('truncated.mp4') }), /truncated|moov/);
    await refused(415, () => upload(t, ann, { body: fixture('image.png') }), /not an MP4/);
    await refused(415, () => upload(t, ann, { body: fixture('text.txt') }), /not an MP4/);
    await refused(422, () => upload(t, ann, { body: fixture('not-h264.mp4') }), /H\.264/);
    await refused(422, () => upload(t, ann, { body: fixture('audio-only.mp4') }), /H\.264/);
    await refused(400, () => upload(t, ann, { body: Buffer.alloc(0) }), /empty/);
    await refused(415, () => upload(t, ann, { contentType: 'image/png', body: fixture('image.png') }));
  });

  test('a body over the limit: 413, connection closed, nothing stored', async () => {
    const big = Buffer.concat([fixture('clip.mp4'), Buffer.alloc(64 * 1024)]);
    const res = await refused(413, () => upload(t, ann, { body: big }), /limit/);
    assert.equal(res.headers.connection, 'close');
    // Without a Content-Length the limit is enforced while streaming.
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(4096, 7));
    const streamed = await refused(413, () => t.app.inject({
      method: 'POST',
      url: `/api/v1/clips?${new URLSearchParams({ cameraId: ann.cameraId, ...times(t), kind: 'manual' })}`,
      headers: { ...ann.auth, 'content-type': 'video/mp4', 'transfer-encoding': 'chunked' },
      payload: Readable.from(chunks),
    }));
    assert.equal(streamed.headers.connection, 'close');
  });

  test('bad times: endedAt before startedAt, more than 5 minutes ahead, not a time', async () => {
    const now = t.clock.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await refused(400, () => upload(t, ann, { startedAt: iso(now - 1000), endedAt: iso(now - 2000) }), /before startedAt/);
    await refused(400, () => upload(t, ann, { startedAt: iso(now), endedAt: iso(now + 6 * 60_000) }), /5 minutes/);
    await refused(400, () => upload(t, ann, { startedAt: iso(now + 10 * 60_000), endedAt: iso(now + 11 * 60_000) }), /5 minutes/);
    await refused(400, () => upload(t, ann, { startedAt: 'yesterday' }));
    await refused(400, () => upload(t, ann, { kind: 'explosion' }));
    // Up to 5 minutes ahead is clock skew, accepted.
    const ok = await upload(t, ann, { startedAt: iso(now + 60_000), endedAt: iso(now + 4 * 60_000) });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  test('tokens: none, wrong, revoked, another camera\'s; a bad or missing signature', async () => {
    await refused(401, () => t.app.inject({ method: 'POST', url: `/api/v1/clips?${new URLSearchParams({ cameraId: ann.cameraId, ...times(t), kind: 'motion' })}`, headers: { 'content-type': 'video/mp4' }, payload: fixture('clip.mp4') }));
    await refused(401, () => upload(t, { device: { ...ann.device, token: 'pld_' + 'A'.repeat(43) } }));
    // Bob's device uploading for Ann's camera.
    await refused(403, () => upload(t, bob, { cameraId: ann.cameraId }), /another camera/);
    // Ann's second camera: her first device's token is not valid for it.
    const second = await newCamera(t, ann);
    await refused(403, () => upload(t, ann, { cameraId: second }), /another camera/);
    // A signature by another device's key, a signature over other metadata, garbage, none.
    const body = fixture('clip.mp4');
    const tm = times(t);
    const payload = (kind: string) => clipSigningPayload({ cameraId: ann.cameraId, sha256: sha256(body), ...tm, kind });
    await refused(422, () => upload(t, ann, { ...tm, body, kind: 'motion', signature: signClipPayload(bob.device.key, payload('motion')) }), /signature/);
    await refused(422, () => upload(t, ann, { ...tm, body, kind: 'motion', signature: signClipPayload(ann.device.key, payload('doorbell')) }), /signature/);
    await refused(422, () => upload(t, ann, { signature: 'AAAA' }), /signature/);
    await refused(400, () => upload(t, ann, { signature: null }), /X-Device-Signature/);
    // A revoked token.
    const dev = await enrolDevice(t, ann, second);
    assert.equal((await upload(t, { device: dev })).statusCode, 201);
    const revoke = await as(t, ann, { method: 'DELETE', url: `/api/v1/cameras/${second}/device-token` });
    assert.equal(revoke.statusCode, 204, revoke.body);
    await refused(401, () => upload(t, { device: dev }));
  });

  test("owners: another owner's camera is 404; staff and agencies are 403", async () => {
    await refused(404, () => upload(t, { user: bob }, { cameraId: ann.cameraId, kind: 'manual' }), /no such camera/);
    await refused(404, () => upload(t, { user: bob }, { cameraId: 'no-such-camera', kind: 'manual' }));
    const agent = await createStaff(t, 'agency');
    await refused(403, () => upload(t, { user: agent }, { cameraId: ann.cameraId, kind: 'manual' }));
    const admin = await createStaff(t, 'admin');
    await refused(403, () => upload(t, { user: admin }, { cameraId: ann.cameraId, kind: 'manual' }));
    const carol = await createResident(t);
    await refused(400, () => upload(t, { user: carol }, { cameraId: 'bad id!', kind: 'manual' }));
  });

  test('an end-to-end encrypted camera stores the envelope as sent: not parsed, no thumbnail, served as octets', async () => {
    const user = await createResident(t);
    const cameraId = await newCamera(t, user, { e2ee: true });
    const dev = await enrolDevice(t, user, cameraId);
    const key = await enrolOwnerKey(t, user);
    const { res, envelope } = await uploadSealed(t, { device: dev }, key, { cameraId });
    assert.equal(res.statusCode, 201, res.body);
    const got = await as(t, user, { method: 'GET', url: `/api/v1/clips/${res.json().id}` });
    assert.equal(got.json().e2ee, true);
    assert.equal(got.json().durationMs, null);
    assert.equal(got.json().thumbnail, false);
    const video = await as(t, user, { method: 'GET', url: `/api/v1/clips/${res.json().id}/video` });
    assert.equal(video.headers['content-type'], 'application/octet-stream');
    assert.deepEqual(video.rawPayload, envelope);
  });
});
