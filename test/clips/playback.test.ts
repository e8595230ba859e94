// Reading clips back over HTTP on both engines: listing with cursors, metadata,
// video with byte ranges, thumbnails; other owners get 404, other roles 403.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine } from '../helpers/db.ts';
import { startS3 } from '../helpers/s3.ts';
import { as, buildTestApp, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { fixture, newCamera, newOwner, sha256, upload, type Owner } from './helpers.ts';

// Both blob stores: DATA_DIR, and S3 on a real s3rver started for this file.
const s3 = await startS3();
after(() => s3.stop());

for (const store of ['fs', 's3'] as const) forEachEngine(`clip playback and listing (${store})`, (getDb) => {
  let t: TestApp;
  let ann: Owner;
  let bob: Owner;
  let agent: TestUser;
  let clipId: string;
  const body = fixture('clip.mp4');
  before(async () => {
    t = await buildTestApp(getDb(), store === 's3' ? s3.env() : {});
    ann = await newOwner(t);
    bob = await newOwner(t);
    agent = await createStaff(t, 'agency');
    const res = await upload(t, ann, { body });
    assert.equal(res.statusCode, 201, res.body);
    clipId = res.json().id;
    await t.services.clips.settled();
  });
  after(async () => t.app.close());

  const video = (user: TestUser | null, range?: string, id = clipId) =>
    as(t, user, { method: 'GET', url: `/api/v1/clips/${id}/video`, headers: range === undefined ? {} : { range } });

  test('the whole video: 200, video/mp4, Accept-Ranges, the exact bytes', async () => {
    const res = await video(ann);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'video/mp4');
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.equal(Number(res.headers['content-length']), body.length);
    assert.equal(sha256(res.rawPayload), sha256(body));
  });

  test('ranges: 206 with Content-Range for first, middle, open-ended, suffix and overlong-end ranges', async () => {
    const n = body.length;
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=0-99', 0, 99],
      ['bytes=1000-2999', 1000, 2999],
      [`bytes=${n - 10}-`, n - 10, n - 1],
      ['bytes=-500', n - 500, n - 1],
      [`bytes=100-${n + 5000}`, 100, n - 1],
      [`bytes=-${n + 10}`, 0, n - 1],
    ];
    for (const [range, s, e] of cases) {
      const res = await video(ann, range);
      assert.equal(res.statusCode, 206, `${range}: ${res.body}`);
      assert.equal(res.headers['content-range'], `bytes ${s}-${e}/${n}`, range);
      assert.equal(Number(res.headers['content-length']), e - s + 1, range);
      assert.deepEqual(res.rawPayload, body.subarray(s, e + 1), range);
    }
  });

  test('bad ranges: 416 with Content-Range bytes */size', async () => {
    const n = body.length;
    for (const range of [`bytes=${n}-`, `bytes=${n + 1}-${n + 9}`, 'bytes=-0', 'bytes=5-2', 'bytes=--5', 'bytes=-5-3', 'bytes=abc', 'bytes=0-1,5-6', 'items=0-5', 'bytes=', `bytes=${'9'.repeat(20)}-`]) {
      const res = await video(ann, range);
      assert.equal(res.statusCode, 416, `${range}: ${res.statusCode}`);
      assert.equal(res.headers['content-range'], `bytes */${n}`, range);
      assert.match(res.headers['content-type'] as string, /problem\+json/);
    }
  });

  test('metadata and thumbnail', async () => {
    const res = await as(t, ann, { method: 'GET', url: `/api/v1/clips/${clipId}` });
    assert.equal(res.statusCode, 200, res.body);
    const clip = res.json();
    assert.equal(clip.sha256, sha256(body));
    assert.equal(clip.size, body.length);
    assert.equal(clip.cameraId, ann.cameraId);
    assert.equal(clip.signed, true);
    assert.equal(clip.holds, 0);
    assert.ok(clip.durationMs >= 900 && clip.durationMs <= 1100);
    assert.equal(clip.thumbnail, true, 'ffmpeg is installed, so a thumbnail was made');
    assert.equal('wrapped_key' in clip || 'wrappedKey' in clip || 'blobKey' in clip, false, 'no private columns leak');
    const thumb = await as(t, ann, { method: 'GET', url: `/api/v1/clips/${clipId}/thumbnail` });
    assert.equal(thumb.statusCode, 200);
    assert.equal(thumb.headers['content-type'], 'image/jpeg');
    assert.deepEqual([...thumb.rawPayload.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  });

  test("another owner's clip id answers 404 on every route, like one that does not exist", async () => {
    for (const id of [clipId, 'no-such-clip']) {
      for (const url of [`/api/v1/clips/${id}`, `/api/v1/clips/${id}/video`, `/api/v1/clips/${id}/thumbnail`]) {
        const res = await as(t, bob, { method: 'GET', url });
        assert.equal(res.statusCode, 404, url);
      }
      assert.equal((await as(t, bob, { method: 'DELETE', url: `/api/v1/clips/${id}` })).statusCode, 404);
    }
    assert.equal((await video(bob, 'bytes=0-1')).statusCode, 404);
  });

  test('401 without a token; 403 for agencies, staff and devices; 400 for a malformed id', async () => {
    for (const url of [`/api/v1/clips/${clipId}`, `/api/v1/clips/${clipId}/video`, `/api/v1/clips/${clipId}/thumbnail`, '/api/v1/clips', '/api/v1/me/access-log', '/api/v1/me/retention']) {
      assert.equal((await as(t, null, { method: 'GET', url })).statusCode, 401, url);
      assert.equal((await as(t, agent, { method: 'GET', url })).statusCode, 403, url);
      const dev = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ann.device.token}` } });
      assert.equal(dev.statusCode, 403, url);
    }
    assert.equal((await as(t, null, { method: 'DELETE', url: `/api/v1/clips/${clipId}` })).statusCode, 401);
    assert.equal((await as(t, null, { method: 'PUT', url: '/api/v1/me/retention', payload: { days: 30 } })).statusCode, 401);
    assert.equal((await as(t, agent, { method: 'PUT', url: '/api/v1/me/retention', payload: { days: 30 } })).statusCode, 403);
    assert.equal((await as(t, agent, { method: 'DELETE', url: `/api/v1/clips/${clipId}` })).statusCode, 403);
    assert.equal((await as(t, ann, { method: 'GET', url: '/api/v1/clips/bad%20id' })).statusCode, 400);
  });

  test('listing: newest first, by camera and time window, with cursor pagination', async () => {
    const carol = await newOwner(t);
    const second = await newCamera(t, carol);
    const base = t.clock.now() - 3_600_000;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const start = base + i * 60_000;
      const res = await upload(t, { user: carol }, { cameraId: i % 2 ? second : carol.cameraId, kind: 'manual', startedAt: new Date(start).toISOString(), endedAt: new Date(start + 5000).toISOString() });
      assert.equal(res.statusCode, 201, res.body);
      ids.push(res.json().id);
    }
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const res = await as(t, carol, { method: 'GET', url: `/api/v1/clips?limit=3${q}` });
      assert.equal(res.statusCode, 200, res.body);
      pages.push(res.json().items.map((c: { id: string }) => c.id));
      cursor = res.json().nextCursor;
    } while (cursor);
    assert.deepEqual(pages, [[ids[6], ids[5], ids[4]], [ids[3], ids[2], ids[1]], [ids[0]]]);

    const byCamera = await as(t, carol, { method: 'GET', url: `/api/v1/clips?cameraId=${second}` });
    assert.deepEqual(byCamera.json().items.map((c: { id: string }) => c.id), [ids[5], ids[3], ids[1]]);
    const from = new Date(base + 2 * 60_000).toISOString();
    const to = new Date(base + 4 * 60_000).toISOString();
    const window = await as(t, carol, { method: 'GET', url: `/api/v1/clips?from=${from}&to=${to}` });
    assert.deepEqual(window.json().items.map((c: { id: string }) => c.id), [ids[4], ids[3], ids[2]]);
    // Ann's list never shows Carol's clips.
    const annList = await as(t, ann, { method: 'GET', url: '/api/v1/clips' });
    assert.deepEqual(annList.json().items.map((c: { id: string }) => c.id), [clipId]);
    assert.equal((await as(t, carol, { method: 'GET', url: '/api/v1/clips?cursor=bm9wZQ' })).statusCode, 400);
    assert.equal((await as(t, carol, { method: 'GET', url: '/api/v1/clips?limit=0' })).statusCode, 400);
    assert.equal((await as(t, carol, { method: 'GET', url: '/api/v1/clips?from=yesterday' })).statusCode, 400);
  });
});
