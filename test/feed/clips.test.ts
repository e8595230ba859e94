// Clips on posts (issue 12 §3): a public disclosure with a `public_post` log
// entry in the post's own transaction, privacy zones burned in, end-to-end
// clips refused clearly, others' and deleted clips refused with nothing
// written, and deleting the post withdraws the copy while the entry stays.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { enrolOwnerKey, fixture, newCamera, sha256, upload, uploadSealed } from '../clips/helpers.ts';
import { postBody, residentAt } from './helpers.ts';

const count = async (db: Db, table: 'feed_posts' | 'disclosures' | 'log_entries' | 'consents') =>
  Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

forEachEngine('clips on feed posts', (getDb) => {
  let t: TestApp;
  let ann: TestUser, bob: TestUser;
  let zoned: string;
  before(async () => {
    t = await buildTestApp(getDb());
    ann = await residentAt(t);
    bob = await residentAt(t, 200, 0);
    zoned = await newCamera(t, ann, { location: { lat: 45.5231, lon: -122.6765 } });
    const z = await as(t, ann, { method: 'PUT', url: `/api/v1/cameras/${zoned}/privacy-zones`, payload: { zones: [[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]] } });
    assert.equal(z.statusCode, 200, z.body);
  });
  after(async () => t.app.close());

  test('attaching a clip: a public disclosure, zones burned in, a public_post log entry; deleting withdraws the copy, the entry stays', async () => {
    const clip = (await upload(t, { user: ann }, { cameraId: zoned, kind: 'manual' })).json();
    const res = await as(t, ann, { method: 'POST', url: '/api/v1/feed/posts', payload: postBody({ title: 'Prowler at 2 am', category: 'suspicious_activity', clipIds: [clip.id] }) });
    assert.equal(res.statusCode, 201, res.body);
    const p = res.json();
    assert.equal(p.clips.length, 1);
    const video = await as(t, bob, { method: 'GET', url: p.clips[0].videoUrl });
    assert.equal(video.statusCode, 200, video.body.slice(0, 200));
    assert.notEqual(sha256(video.rawPayload), sha256(fixture('clip.mp4')), 'the public gets the redacted copy, never the original');
    const d = await getDb().kysely.selectFrom('disclosures').selectAll().where('id', '=', p.clips[0].disclosureId).executeTakeFirstOrThrow();
    assert.deepEqual([d.recipient, d.basis_kind, d.basis_ref, d.content], ['public', 'consent', p.id, 'derived']);
    assert.ok(JSON.parse(d.redaction!).length === 1, 'the zone is on record');
    const entry = JSON.parse(Buffer.from((await getDb().kysely.selectFrom('log_entries').select('entry').where('seq', '=', d.log_seq).executeTakeFirstOrThrow()).entry).toString('utf8'));
    assert.deepEqual([entry.basis, entry.agency, entry.ref], ['public_post', null, p.id]);
    assert.equal((await as(t, bob, { method: 'GET', url: `/api/v1/feed/posts/${p.id}/clips/other/video` })).statusCode, 404);

    const entries = await count(getDb(), 'log_entries');
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/feed/posts/${p.id}` })).statusCode, 204);
    const after = await getDb().kysely.selectFrom('disclosures').selectAll().where('id', '=', d.id).executeTakeFirstOrThrow();
    assert.equal(after.copy_blob_key, null, 'the copy is destroyed');
    assert.equal(await count(getDb(), 'log_entries'), entries, 'the log entry stays');
    assert.equal((await t.services.disclosure.openDisclosedClip({ kind: 'anonymous' }, d.id, undefined).catch((e: { status: number }) => e)).status, 410);
    await t.ctx.workers.runAll();
    const receipts = await as(t, ann, { method: 'GET', url: '/api/v1/me/receipts' });
    assert.ok(receipts.body.includes(p.id), "the owner's receipts list the public post");
  });

  test("another's clip, a deleted clip and an end-to-end clip are refused clearly, and nothing is written", async () => {
    const bobCam = await newCamera(t, bob);
    const bobs = (await upload(t, { user: bob }, { cameraId: bobCam, kind: 'manual' })).json();
    const gone = (await upload(t, { user: ann }, { cameraId: zoned, kind: 'manual' })).json();
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/clips/${gone.id}` })).statusCode, 204);
    const sealedCam = await newCamera(t, ann, { e2ee: true });
    const { res: sealed } = await uploadSealed(t, { user: ann }, await enrolOwnerKey(t, ann), { cameraId: sealedCam, kind: 'manual' });
    assert.equal(sealed.statusCode, 201, sealed.body);
    const ok = (await upload(t, { user: ann }, { cameraId: zoned, kind: 'manual' })).json();
    const before = await Promise.all((['feed_posts', 'disclosures', 'log_entries', 'consents'] as const).map((n) => count(getDb(), n)));
    const cases: [string[], number, RegExp][] = [
      [[ok.id, bobs.id], 404, /no clip/], [[gone.id], 410, /deleted/], [[sealed.json().id], 422, /end-to-end encrypted/], [['x0000'], 404, /no clip/],
    ];
    for (const [clipIds, status, detail] of cases) {
      const res = await as(t, ann, { method: 'POST', url: '/api/v1/feed/posts', payload: postBody({ clipIds }) });
      assert.equal(res.statusCode, status, res.body);
      assert.match(res.json().detail, detail);
    }
    assert.deepEqual(await Promise.all((['feed_posts', 'disclosures', 'log_entries', 'consents'] as const).map((n) => count(getDb(), n))), before);
  });
});
