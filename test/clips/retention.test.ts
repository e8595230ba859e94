// Retention per camera (issue 14, item 6), on both engines with the test clock:
// each clip goes when its own camera's days have passed, held clips stay and
// are marked, the preview follows a change, and bad input writes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { DAY } from '../../src/platform/clock.ts';
import { retentionEndsAt } from '../../src/clips/policy.ts';
import { enrolDevice, newCamera, newOwner, upload, type Device, type Owner } from './helpers.ts';

test('retentionEndsAt: the camera\'s days win, else the owner\'s', () => {
  assert.equal(retentionEndsAt(1000, 1, 60), 1000 + DAY);
  assert.equal(retentionEndsAt(1000, null, 60), 1000 + 60 * DAY);
  assert.equal(retentionEndsAt(1000, 180, 1), 1000 + 180 * DAY);
});

forEachEngine('retention per camera', (getDb) => {
  let t: TestApp;
  let ann: Owner;
  let annGarden: Device;
  let bob: Owner;
  let reviewer: TestUser;
  before(async () => {
    t = await buildTestApp(getDb());
    ann = await newOwner(t);
    annGarden = await enrolDevice(t, ann, await newCamera(t, ann, { name: 'Garden', kind: 'outdoor' }));
    bob = await newOwner(t);
    reviewer = await createStaff(t, 'reviewer');
  });
  after(async () => t.app.close());

  const setDays = (who: TestUser | null, cameraId: string, payload: unknown) =>
    as(t, who, { method: 'PUT', url: `/api/v1/cameras/${cameraId}/retention`, payload: payload as object });
  const preview = async (who: TestUser, cameraId: string) => {
    const res = await as(t, who, { method: 'GET', url: `/api/v1/cameras/${cameraId}/retention-preview` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const cameraDays = async (id: string) => (await getDb().kysely.selectFrom('cameras').select('retention_days').where('id', '=', id).executeTakeFirstOrThrow()).retention_days;
  const deletedAt = async (id: string) => (await getDb().kysely.selectFrom('clips').select('deleted_at').where('id', '=', id).executeTakeFirstOrThrow()).deleted_at;
  async function clipOn(device: Device): Promise<{ id: string; start: number }> {
    const start = t.clock.now() - 60_000;
    const res = await upload(t, { device }, { startedAt: new Date(start).toISOString(), endedAt: new Date(start + 5000).toISOString() });
    assert.equal(res.statusCode, 201, res.body);
    return { id: res.json().id, start };
  }

  test('a camera at 1 day deletes its day-old clip while one at 30 days keeps its own; a held clip is kept and marked', async () => {
    assert.deepEqual((await setDays(ann, ann.cameraId, { days: 1 })).json(), { cameraId: ann.cameraId, days: 1, cameraDays: 1, ownerDays: 60 });
    assert.equal((await setDays(ann, annGarden.cameraId, { days: 30 })).statusCode, 200);
    const porch = await clipOn(ann.device);
    const held = await clipOn(ann.device);
    const garden = await clipOn(annGarden);
    await t.services.clips.placeHold({ clipId: held.id, reason: 'preservation request p-1 (sealed)', until: null, createdBy: 'legal:p-1' });

    const before = await preview(ann, ann.cameraId);
    const byId = new Map(before.items.map((i: { clipId: string }) => [i.clipId, i]));
    assert.deepEqual(byId.get(porch.id), { clipId: porch.id, startedAt: new Date(porch.start).toISOString(), deletesAt: new Date(porch.start + DAY).toISOString(), held: false });
    // The owner learns that a hold keeps the clip, and nothing of the case behind it.
    assert.deepEqual(byId.get(held.id), { clipId: held.id, startedAt: new Date(held.start).toISOString(), deletesAt: new Date(held.start + DAY).toISOString(), held: true });
    assert.ok(!JSON.stringify(before).includes('p-1'));
    assert.equal((await preview(ann, annGarden.cameraId)).items[0].deletesAt, new Date(garden.start + 30 * DAY).toISOString());

    t.clock.advance(DAY + 60_000);
    await t.ctx.workers.runAll('clips.retention');
    assert.ok(await deletedAt(porch.id), 'the 1-day camera\'s clip is deleted');
    assert.equal(await deletedAt(held.id), null, 'the held clip is kept');
    assert.equal(await deletedAt(garden.id), null, 'the 30-day camera keeps its clip');
    const afterSweep = await preview(ann, ann.cameraId);
    assert.deepEqual(afterSweep.items.map((i: { clipId: string; held: boolean }) => [i.clipId, i.held]), [[held.id, true]]);
  });

  test('shortening a camera\'s retention shows in the preview, and null returns it to the owner\'s default', async () => {
    const clip = await clipOn(bob.device);
    assert.equal((await preview(bob, bob.cameraId)).items[0].deletesAt, new Date(clip.start + 60 * DAY).toISOString(), 'the owner\'s default');
    assert.equal((await setDays(bob, bob.cameraId, { days: 30 })).statusCode, 200);
    assert.equal((await preview(bob, bob.cameraId)).items[0].deletesAt, new Date(clip.start + 30 * DAY).toISOString());
    assert.equal((await setDays(bob, bob.cameraId, { days: 2 })).statusCode, 200);
    const short = await preview(bob, bob.cameraId);
    assert.equal(short.days, 2);
    assert.equal(short.items[0].deletesAt, new Date(clip.start + 2 * DAY).toISOString());
    const reset = await setDays(bob, bob.cameraId, { days: null });
    assert.deepEqual(reset.json(), { cameraId: bob.cameraId, days: 60, cameraDays: null, ownerDays: 60 });
    assert.equal(await cameraDays(bob.cameraId), null);
  });

  test('401 signed out, 403 for staff, 404 for another owner\'s camera, 400 for bad days; none of them writes', async () => {
    assert.equal((await setDays(bob, bob.cameraId, { days: 9 })).statusCode, 200);
    const refused: [TestUser | null, string, unknown, number][] = [
      [null, bob.cameraId, { days: 1 }, 401],
      [reviewer, bob.cameraId, { days: 1 }, 403],
      [ann, bob.cameraId, { days: 1 }, 404],
      [ann, 'no-such-camera', { days: 1 }, 404],
      ...[0, 181, 1.5, -1, '7', 'a week', true, [3]].map((days) => [bob, bob.cameraId, { days }, 400] as [TestUser, string, unknown, number]),
      [bob, bob.cameraId, {}, 400],
      [bob, bob.cameraId, { days: 3, extra: 1 }, 400],
      [bob, bob.cameraId, 'days=3', 415], // a body that is not JSON
    ];
    for (const [who, camera, payload, status] of refused) {
      const res = await setDays(who, camera, payload);
      assert.equal(res.statusCode, status, `${JSON.stringify(payload)}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    }
    assert.equal(await cameraDays(bob.cameraId), 9, 'nothing was written');
    const bad = await setDays(bob, bob.cameraId, { days: 181 });
    // One error, the one that says what is wrong: not the union's "must be null"
    // and "must match a schema in anyOf", which a form would show instead (found by the browser walk).
    assert.deepEqual(bad.json().errors, [{ field: 'body.days', message: 'must be <= 180' }], bad.body);
    assert.deepEqual((await setDays(bob, bob.cameraId, { days: 0 })).json().errors, [{ field: 'body.days', message: 'must be >= 1' }]);

    const get = (who: TestUser | null, cameraId: string, query = '') => as(t, who, { method: 'GET', url: `/api/v1/cameras/${cameraId}/retention-preview${query}` });
    assert.equal((await get(null, bob.cameraId)).statusCode, 401);
    assert.equal((await get(reviewer, bob.cameraId)).statusCode, 403);
    assert.equal((await get(ann, bob.cameraId)).statusCode, 404);
    assert.equal((await get(bob, bob.cameraId, '?cursor=%21%21')).statusCode, 400);
    assert.equal((await get(bob, bob.cameraId, '?limit=0')).statusCode, 400);
  });

  test('the preview pages, first to go first', async () => {
    const owner = await newOwner(t);
    const first = await clipOn(owner.device);
    t.clock.advance(1000);
    const second = await clipOn(owner.device);
    const one = await as(t, owner, { method: 'GET', url: `/api/v1/cameras/${owner.cameraId}/retention-preview?limit=1` });
    assert.deepEqual(one.json().items.map((i: { clipId: string }) => i.clipId), [first.id]);
    const two = await as(t, owner, { method: 'GET', url: `/api/v1/cameras/${owner.cameraId}/retention-preview?limit=1&cursor=${one.json().nextCursor}` });
    assert.deepEqual(two.json().items.map((i: { clipId: string }) => i.clipId), [second.id]);
    assert.equal(two.json().nextCursor, null);
  });
});
