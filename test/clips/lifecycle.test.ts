// Deletion (crypto-shredding), preservation holds, retention and its sweeper,
// the access log, redacted copies and the start-up sweep, on both engines.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, type TestApp } from '../helpers/app.ts';
import { DAY } from '../../src/platform/clock.ts';
import { checkMp4, fileSource } from '../../src/clips/mp4.ts';
import { clipBytesOf } from '../../src/clips/internal.ts';
import { fixture, newOwner, sha256, storedFiles, upload, type Owner } from './helpers.ts';

forEachEngine('clip lifecycle', (getDb) => {
  let t: TestApp;
  let ann: Owner;
  let bob: Owner;
  before(async () => {
    t = await buildTestApp(getDb());
    ann = await newOwner(t);
    bob = await newOwner(t);
  });
  after(async () => t.app.close());

  const clips = () => t.services.clips;
  const row = (id: string) => getDb().kysely.selectFrom('clips').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  async function newClip(o: Owner, startedAgoMs = 60_000): Promise<string> {
    const start = t.clock.now() - startedAgoMs;
    const res = await upload(t, o, { startedAt: new Date(start).toISOString(), endedAt: new Date(start + 5000).toISOString() });
    assert.equal(res.statusCode, 201, res.body);
    await clips().settled();
    return res.json().id;
  }
  const blobsOf = async (id: string) => (await storedFiles(t)).blobs.filter((f) => f.endsWith(id));

  test('deleting a clip destroys its wrapped key and its blobs; it is gone for the owner', async () => {
    const id = await newClip(ann);
    assert.equal((await blobsOf(id)).length, 2, 'clip and thumbnail blobs');
    const del = await as(t, ann, { method: 'DELETE', url: `/api/v1/clips/${id}` });
    assert.equal(del.statusCode, 204, del.body);
    const r = await row(id);
    assert.equal(r.wrapped_key, null);
    assert.equal(r.blob_key, null);
    assert.ok(r.deleted_at);
    assert.deepEqual(await blobsOf(id), []);
    assert.equal((await as(t, ann, { method: 'GET', url: `/api/v1/clips/${id}` })).statusCode, 404);
    assert.equal((await as(t, ann, { method: 'GET', url: `/api/v1/clips/${id}/video` })).statusCode, 404);
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/clips/${id}` })).statusCode, 404);
  });

  test('a preservation hold blocks deletion by the owner until it is released or ends', async () => {
    const id = await newClip(ann);
    const holdId = await clips().placeHold({ clipId: id, reason: 'preservation request', until: null, createdBy: 'legal:test' });
    assert.equal((await as(t, ann, { method: 'GET', url: `/api/v1/clips/${id}` })).json().holds, 1);
    const refused = await as(t, ann, { method: 'DELETE', url: `/api/v1/clips/${id}` });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.json().detail, /hold/);
    assert.ok((await row(id)).wrapped_key, 'key intact');
    assert.equal(await clips().releaseHold(holdId, 'legal:test'), true);
    assert.equal(await clips().releaseHold(holdId, 'legal:test'), false, 'released once');

    // A hold with an end date protects until then.
    const id2 = await newClip(ann);
    await clips().placeHold({ clipId: id2, reason: '90-day preservation', until: t.clock.now() + DAY, createdBy: 'legal:test' });
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/clips/${id2}` })).statusCode, 409);
    t.clock.advance(DAY + 1);
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/clips/${id2}` })).statusCode, 204);
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/clips/${id}` })).statusCode, 204);
    await assert.rejects(clips().placeHold({ clipId: id, reason: 'late', until: null, createdBy: 'legal:test' }), { status: 404 });
  });

  test('retention: 1..180 days; the sweeper deletes expired clips but never held ones', async () => {
    assert.deepEqual((await as(t, bob, { method: 'GET', url: '/api/v1/me/retention' })).json(), { days: 60 });
    for (const days of [0, 181, 2.5, -1]) {
      assert.equal((await as(t, bob, { method: 'PUT', url: '/api/v1/me/retention', payload: { days } })).statusCode, 400, String(days));
    }
    assert.equal((await as(t, bob, { method: 'PUT', url: '/api/v1/me/retention', payload: { days: '7' } })).statusCode, 400);
    const set = await as(t, bob, { method: 'PUT', url: '/api/v1/me/retention', payload: { days: 7 } });
    assert.deepEqual(set.json(), { days: 7 });

    const old = await newClip(bob, 6 * DAY);
    const held = await newClip(bob, 6 * DAY);
    const fresh = await newClip(bob, 60_000);
    const annOld = await newClip(ann, 6 * DAY); // Ann keeps 60 days
    await clips().placeHold({ clipId: held, reason: 'warrant', until: null, createdBy: 'legal:test' });
    t.clock.advance(DAY + 60_000);
    await t.ctx.workers.runAll('clips.retention');
    assert.ok((await row(old)).deleted_at, 'expired clip deleted');
    assert.deepEqual(await blobsOf(old), []);
    assert.equal((await row(held)).deleted_at, null, 'held clip kept');
    assert.ok((await row(held)).wrapped_key);
    assert.equal((await row(fresh)).deleted_at, null);
    assert.equal((await row(annOld)).deleted_at, null, "another owner's longer retention applies to hers");
    // Reads of the held clip still work after the sweep.
    assert.equal((await as(t, bob, { method: 'GET', url: `/api/v1/clips/${held}/video` })).statusCode, 200);
  });

  test('reads by anyone but the owner are access-logged; the owner lists them, nobody else sees them', async () => {
    const id = await newClip(ann);
    const clip = (await clipBytesOf(clips()).findAny(id))!;
    const bytes = await buffer(await clipBytesOf(clips()).openForOther(clip, { actor: 'agency Springfield PD', purpose: 'consented disclosure d-1' }));
    assert.equal(sha256(bytes), clip.sha256);
    t.clock.advance(1000);
    const part = await buffer(await clipBytesOf(clips()).openForOther(clip, { actor: 'agency Springfield PD', purpose: 'consented disclosure d-1 (range)' }, { start: 10, end: 19 }));
    assert.deepEqual(part, fixture('clip.mp4').subarray(10, 20));
    // The owner's own playback is not logged.
    await as(t, ann, { method: 'GET', url: `/api/v1/clips/${id}/video` });
    const log = await as(t, ann, { method: 'GET', url: '/api/v1/me/access-log?limit=1' });
    assert.equal(log.statusCode, 200, log.body);
    assert.equal(log.json().items.length, 1);
    assert.equal(log.json().items[0].purpose, 'consented disclosure d-1 (range)');
    const next = await as(t, ann, { method: 'GET', url: `/api/v1/me/access-log?cursor=${log.json().nextCursor}` });
    assert.deepEqual(next.json().items.map((e: { purpose: string; clipId: string }) => [e.purpose, e.clipId]), [['consented disclosure d-1', id]]);
    assert.equal(next.json().nextCursor, null);
    assert.deepEqual((await as(t, bob, { method: 'GET', url: '/api/v1/me/access-log' })).json().items, []);
  });

  test('makeRedactedCopy gives a re-encoded H.264 MP4 in the temp area', async () => {
    const id = await newClip(ann);
    const clip = (await clipBytesOf(clips()).findAny(id))!;
    const copy = await clipBytesOf(clips()).makeRedactedCopy(clip, [[[0, 0], [0.5, 0], [0.5, 0.5]]]);
    try {
      const fh = await fsp.open(copy.file, 'r');
      const verdict = await checkMp4(fileSource(fh, copy.size)).finally(() => fh.close());
      assert.ok(verdict.ok, JSON.stringify(verdict));
      assert.notEqual(copy.sha256, clip.sha256);
      assert.equal(path.dirname(copy.file), path.join(t.dataDir, 'tmp'));
    } finally {
      await copy.dispose();
    }
    assert.equal(fs.existsSync(copy.file), false);
    assert.deepEqual((await storedFiles(t)).temp, []);
  });

  test('the start-up sweep removes temp files and blobs no row points at, and keeps the rest', async () => {
    const id = await newClip(ann);
    const blobs = clipBytesOf(clips()).blobs;
    await fsp.writeFile(blobs.tempPath(), 'interrupted upload');
    const orphanTmp = blobs.tempPath();
    await fsp.writeFile(orphanTmp, 'moved but never committed');
    await blobs.put('clips/zz/zz-orphan', orphanTmp);
    const res = await clips().startupSweep();
    assert.equal(res.temp, 1);
    assert.ok(res.orphans >= 1);
    const files = await storedFiles(t);
    assert.deepEqual(files.temp, []);
    assert.equal(files.blobs.some((f) => f.endsWith('zz-orphan')), false);
    assert.equal(sha256((await as(t, ann, { method: 'GET', url: `/api/v1/clips/${id}/video` })).rawPayload), (await row(id)).sha256);
  });
});
