// Duplicate uploads (issue 19): the same bytes again on the same camera answer
// 200 with the clip already there and store nothing; other bytes, another
// camera, or an end-to-end camera make a new clip. On both engines and both
// blob stores, like the other upload tests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine } from '../helpers/db.ts';
import { startS3 } from '../helpers/s3.ts';
import { as, buildTestApp, createResident, type TestApp } from '../helpers/app.ts';
import { enrolDevice, enrolOwnerKey, newCamera, newOwner, sha256, storedFiles, times, uniqueClip, upload, uploadSealed, type Owner } from './helpers.ts';

const s3 = await startS3();
after(() => s3.stop());

for (const store of ['fs', 's3'] as const) forEachEngine(`duplicate uploads (${store})`, (getDb) => {
  let t: TestApp;
  let ann: Owner;
  before(async () => {
    t = await buildTestApp(getDb(), store === 's3' ? s3.env() : {});
    ann = await newOwner(t);
  });
  after(async () => t.app.close());

  const clipCount = async () => Number((await getDb().kysely.selectFrom('clips').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  /** Rows and files once background thumbnails have landed. */
  const stored = async () => {
    await t.services.clips.settled();
    return { rows: await clipCount(), files: await storedFiles(t) };
  };

  test('the same bytes again from the device: 200, duplicate, the first clip, and nothing new stored', async () => {
    const body = uniqueClip();
    const first = await upload(t, ann, { body });
    assert.equal(first.statusCode, 201, first.body);
    assert.deepEqual(first.json(), { id: first.json().id, sha256: sha256(body), duplicate: false });
    const before = await stored();
    // Other metadata too: the bytes decide, and the first clip's metadata stays.
    const again = await upload(t, ann, { body, kind: 'doorbell', startedAt: new Date(t.clock.now() - 120_000).toISOString(), endedAt: new Date(t.clock.now() - 110_000).toISOString() });
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json(), { id: first.json().id, sha256: sha256(body), duplicate: true });
    assert.deepEqual(await stored(), before, 'no row, no blob and no temp file');
    const got = await as(t, ann, { method: 'GET', url: `/api/v1/clips/${first.json().id}` });
    assert.equal(got.json().kind, 'motion');
  });

  test('the owner uploading by hand what the device sent gets the same clip', async () => {
    const body = uniqueClip();
    const byDevice = await upload(t, ann, { body });
    assert.equal(byDevice.statusCode, 201, byDevice.body);
    const before = await stored();
    const byHand = await upload(t, { user: ann }, { cameraId: ann.cameraId, kind: 'manual', body });
    assert.equal(byHand.statusCode, 200, byHand.body);
    assert.equal(byHand.json().duplicate, true);
    assert.equal(byHand.json().id, byDevice.json().id);
    assert.deepEqual(await stored(), before);
  });

  test('a duplicate is answered only after the checks: a bad signature over known bytes is still 422', async () => {
    const body = uniqueClip();
    assert.equal((await upload(t, ann, { body })).statusCode, 201);
    const before = await stored();
    const res = await upload(t, ann, { body, signature: 'AAAA' });
    assert.equal(res.statusCode, 422, res.body);
    assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
    assert.deepEqual(await stored(), before);
  });

  test('different bytes make a new clip', async () => {
    const a = await upload(t, ann, { body: uniqueClip() });
    const b = await upload(t, ann, { body: uniqueClip() });
    assert.equal(a.statusCode, 201, a.body);
    assert.equal(b.statusCode, 201, b.body);
    assert.equal(b.json().duplicate, false);
    assert.notEqual(a.json().id, b.json().id);
  });

  test('the same bytes on another camera, of the same owner or another, make a new clip', async () => {
    const body = uniqueClip();
    const first = await upload(t, ann, { body });
    assert.equal(first.statusCode, 201, first.body);
    const second = await newCamera(t, ann);
    const own = await upload(t, { user: ann }, { cameraId: second, kind: 'manual', body });
    assert.equal(own.statusCode, 201, own.body);
    assert.equal(own.json().duplicate, false);
    assert.notEqual(own.json().id, first.json().id);
    const bob = await newOwner(t);
    const other = await upload(t, bob, { body });
    assert.equal(other.statusCode, 201, other.body);
    assert.notEqual(other.json().id, first.json().id);
  });

  test('after the clip is deleted, the same bytes make a new clip', async () => {
    const body = uniqueClip();
    const first = await upload(t, ann, { body });
    assert.equal(first.statusCode, 201, first.body);
    await t.services.clips.settled();
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/clips/${first.json().id}` })).statusCode, 204);
    const again = await upload(t, ann, { body });
    assert.equal(again.statusCode, 201, again.body);
    assert.equal(again.json().duplicate, false);
    assert.notEqual(again.json().id, first.json().id);
  });

  test('an end-to-end camera is not deduplicated: each sealed upload of the same video is its own clip', async () => {
    const user = await createResident(t);
    const cameraId = await newCamera(t, user, { e2ee: true });
    const dev = await enrolDevice(t, user, cameraId);
    const key = await enrolOwnerKey(t, user);
    const body = uniqueClip();
    const a = await uploadSealed(t, { device: dev }, key, { cameraId, body });
    // Other times, so the agent's Idempotency-Key (made from them) differs: a new upload, not a retry.
    const b = await uploadSealed(t, { device: dev }, key, { cameraId, body, ...times(t, 120_000) });
    assert.equal(b.res.headers['idempotent-replayed'], undefined);
    assert.equal(a.res.statusCode, 201, a.res.body);
    assert.equal(b.res.statusCode, 201, b.res.body);
    assert.equal(b.res.json().duplicate, false);
    assert.notEqual(a.res.json().id, b.res.json().id);
    // A replayed envelope is still refused, as before.
    const replay = await t.app.inject({
      method: 'POST',
      url: `/api/v1/clips?${new URLSearchParams({ cameraId, startedAt: new Date(t.clock.now() - 60_000).toISOString(), endedAt: new Date(t.clock.now() - 50_000).toISOString(), kind: 'motion' })}`,
      headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/octet-stream', 'x-e2ee-key-id': key.keyId, 'x-e2ee-sealed-key': Buffer.alloc(177, 1).toString('base64') },
      payload: a.envelope,
    });
    assert.equal(replay.statusCode, 409, replay.body);
  });
});
