import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, fixturePath, type TestApp, type TestUser } from '../helpers/app.ts';

const porch = { name: 'Porch', location: { lat: 45.5231, lon: -122.6765 }, kind: 'doorbell' };
const zone = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]];

forEachEngine('cameras over HTTP', (getDb) => {
  let t: TestApp;
  let ann: TestUser;
  let bob: TestUser;
  before(async () => {
    t = await buildTestApp(getDb());
    ann = await createResident(t);
    bob = await createResident(t);
  });
  after(async () => t.app.close());

  const create = (user: TestUser | null, payload: unknown) => as(t, user, { method: 'POST', url: '/api/v1/cameras', payload: payload as object });

  test('register with the fixed minimal shape: 201 with id and defaults', async () => {
    const res = await create(ann, porch);
    assert.equal(res.statusCode, 201, res.body);
    const cam = res.json();
    assert.match(cam.id, /^[0-9a-f]{32}$/);
    assert.equal(cam.name, 'Porch');
    assert.deepEqual(cam.location, porch.location);
    assert.equal(cam.kind, 'doorbell');
    assert.equal(cam.communityRequests, true);
    assert.equal(cam.e2ee, false);
    assert.equal(cam.heading, null);
    assert.equal(cam.fovDegrees, null);
    assert.deepEqual(cam.privacyZones, []);
    assert.deepEqual(cam.device, { enrolled: false, publicKey: null });
    assert.equal(cam.createdAt, new Date(t.clock.now()).toISOString());
    assert.equal('owner_id' in cam || 'ownerId' in cam, false);
  });

  test('register with every field, list, get, patch, delete', async () => {
    const res = await create(ann, { ...porch, name: '  Garden  ', kind: 'outdoor', heading: 270, fovDegrees: 110, communityRequests: false, e2ee: true, privacyZones: [zone] });
    assert.equal(res.statusCode, 201, res.body);
    const cam = res.json();
    assert.equal(cam.name, 'Garden');
    assert.equal(cam.heading, 270);
    assert.equal(cam.fovDegrees, 110);
    assert.equal(cam.communityRequests, false);
    assert.equal(cam.e2ee, true);
    assert.deepEqual(cam.privacyZones, [zone]);

    const list = await as(t, ann, { method: 'GET', url: '/api/v1/cameras' });
    assert.equal(list.statusCode, 200);
    assert.ok(list.json().some((c: { id: string }) => c.id === cam.id));
    assert.ok((await as(t, bob, { method: 'GET', url: '/api/v1/cameras' })).json().every((c: { id: string }) => c.id !== cam.id));

    const got = await as(t, ann, { method: 'GET', url: `/api/v1/cameras/${cam.id}` });
    assert.deepEqual(got.json(), cam);

    const patched = await as(t, ann, { method: 'PATCH', url: `/api/v1/cameras/${cam.id}`, payload: { heading: null, communityRequests: true, location: { lat: -33.86, lon: 151.21 } } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().heading, null);
    assert.equal(patched.json().fovDegrees, 110);
    assert.equal(patched.json().communityRequests, true);
    assert.equal(patched.json().e2ee, true);
    assert.deepEqual(patched.json().location, { lat: -33.86, lon: 151.21 });
    assert.equal(patched.json().name, 'Garden');

    const del = await as(t, ann, { method: 'DELETE', url: `/api/v1/cameras/${cam.id}` });
    assert.equal(del.statusCode, 204);
    assert.equal((await as(t, ann, { method: 'GET', url: `/api/v1/cameras/${cam.id}` })).statusCode, 404);
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/cameras/${cam.id}` })).statusCode, 404);
  });

  test('removing a camera: gone for the owner; kept (marked removed) only while clips name it', async () => {
    const bare = (await create(ann, porch)).json();
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/cameras/${bare.id}` })).statusCode, 204);
    assert.equal(await getDb().kysely.selectFrom('cameras').select('id').where('id', '=', bare.id).executeTakeFirst(), undefined, 'nothing names it: deleted outright');

    const cam = (await create(ann, { ...porch, privacyZones: [zone] })).json();
    const start = t.clock.now() - 60_000;
    const upload = () => as(t, ann, {
      method: 'POST',
      url: `/api/v1/clips?cameraId=${cam.id}&startedAt=${new Date(start).toISOString()}&endedAt=${new Date(start + 1000).toISOString()}&kind=manual`,
      headers: { 'content-type': 'video/mp4' },
      payload: fs.readFileSync(fixturePath('clip.mp4')),
    });
    const clip = await upload();
    assert.equal(clip.statusCode, 201, clip.body);
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/cameras/${cam.id}` })).statusCode, 204);
    assert.equal((await as(t, ann, { method: 'GET', url: `/api/v1/cameras/${cam.id}` })).statusCode, 404);
    assert.ok((await as(t, ann, { method: 'GET', url: '/api/v1/cameras' })).json().every((c: { id: string }) => c.id !== cam.id));
    assert.equal((await as(t, ann, { method: 'PUT', url: `/api/v1/cameras/${cam.id}/privacy-zones`, payload: { zones: [] } })).statusCode, 404);
    const row = await getDb().kysely.selectFrom('cameras').selectAll().where('id', '=', cam.id).executeTakeFirstOrThrow();
    assert.equal(row.removed_at, t.clock.now());
    assert.deepEqual(JSON.parse(row.privacy_zones), [zone], 'the zones its clips were recorded under are kept');
    const clips = (await as(t, ann, { method: 'GET', url: `/api/v1/clips?cameraId=${cam.id}` })).json().items;
    assert.deepEqual(clips.map((c: { id: string }) => c.id), [clip.json().id], 'its clips stay until deleted or expired');
    assert.equal((await upload()).statusCode, 404, 'a removed camera takes no new clips');
  });

  test('privacy zones: PUT replaces them; bad polygons are 400 and change nothing', async () => {
    const cam = (await create(ann, porch)).json();
    const put = (zones: unknown) => as(t, ann, { method: 'PUT', url: `/api/v1/cameras/${cam.id}/privacy-zones`, payload: { zones } as object });
    const ok = await put([zone, [[0.5, 0.5], [0.9, 0.5], [0.7, 0.9], [0.5, 0.5]]]);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().privacyZones, [zone, [[0.5, 0.5], [0.9, 0.5], [0.7, 0.9]]]);
    const bad: [unknown, RegExp][] = [
      [[[[0, 0], [1, 1], [1, 0], [0, 1]]], /zones\.0.*cross/],
      [[[[0, 0], [0.5, 0.5], [1, 1]]], /zones\.0.*area/],
      [[[[0, 0], [1.2, 0], [1, 1]]], /zones/],
      [[[[0, 0], [1, 0]]], /zones/],
      [[[[0, 0], ['0.5', 0], [1, 1]]], /zones/],
      [Array.from({ length: 17 }, () => zone), /zones/],
      ['none', /zones/],
    ];
    for (const [zones, detail] of bad) {
      const res = await put(zones);
      assert.equal(res.statusCode, 400, JSON.stringify(zones));
      assert.match(res.json().detail, detail);
    }
    assert.equal((await as(t, ann, { method: 'PUT', url: `/api/v1/cameras/${cam.id}/privacy-zones`, payload: { zones: [], extra: 1 } })).statusCode, 400);
    assert.deepEqual((await as(t, ann, { method: 'GET', url: `/api/v1/cameras/${cam.id}` })).json().privacyZones.length, 2);
    const cleared = await put([]);
    assert.deepEqual(cleared.json().privacyZones, []);
  });

  test('bad input is 400 with the field named', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...porch, location: { lat: 90.5, lon: 0 } }, /location\.lat/],
      [{ ...porch, location: { lat: -91, lon: 0 } }, /location\.lat/],
      [{ ...porch, location: { lat: 0, lon: 180.01 } }, /location\.lon/],
      [{ ...porch, location: { lat: 0, lon: -181 } }, /location\.lon/],
      [{ ...porch, location: { lat: 'NaN', lon: 0 } }, /location\.lat/],
      [{ ...porch, location: { lat: '45.5', lon: 0 } }, /location\.lat/],
      [{ ...porch, location: { lat: 0 } }, /location/],
      [{ ...porch, location: { lat: 0, lon: 0, alt: 3 } }, /alt/],
      [{ ...porch, kind: 'garage' }, /kind/],
      [{ ...porch, kind: undefined }, /kind/],
      [{ ...porch, name: '' }, /name/],
      [{ ...porch, name: '   ' }, /name/],
      [{ ...porch, name: 'x'.repeat(81) }, /name/],
      [{ ...porch, name: 'tab\there' }, /name/],
      [{ ...porch, heading: 360 }, /heading/],
      [{ ...porch, heading: -5 }, /heading/],
      [{ ...porch, fovDegrees: 0 }, /fovDegrees/],
      [{ ...porch, communityRequests: 'yes' }, /communityRequests/],
      [{ ...porch, e2ee: 1 }, /e2ee/],
      [{ ...porch, ownerId: bob.id }, /ownerId/],
      [{ ...porch, privacyZones: [[[0, 0], [1, 1], [1, 0], [0, 1]]] }, /privacyZones\.0/],
      [{ ...porch, privacyZones: [[[0, 0], [2, 0], [1, 1]]] }, /privacyZones/],
    ];
    const before = (await as(t, ann, { method: 'GET', url: '/api/v1/cameras' })).json().length;
    for (const [payload, field] of cases) {
      const res = await create(ann, payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.match(res.json().detail, field, JSON.stringify(payload));
    }
    const raw = await as(t, ann, { method: 'POST', url: '/api/v1/cameras', headers: { 'content-type': 'application/json' }, payload: '{"name":"x","location":{"lat":NaN,"lon":0},"kind":"indoor"}' });
    assert.equal(raw.statusCode, 400);
    assert.equal((await as(t, ann, { method: 'GET', url: '/api/v1/cameras' })).json().length, before, 'nothing was stored');

    const cam = (await create(ann, porch)).json();
    for (const payload of [{}, { owner: 'x' }, { name: '' }, { location: { lat: 91, lon: 0 } }, { heading: 400 }, { kind: 'car' }]) {
      const res = await as(t, ann, { method: 'PATCH', url: `/api/v1/cameras/${cam.id}`, payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
    }
    assert.equal((await as(t, ann, { method: 'GET', url: '/api/v1/cameras/has%20space' })).statusCode, 400);
  });

  test('401 without a session, for every route', async () => {
    const cam = (await create(ann, porch)).json();
    const routes: [string, string, object?][] = [
      ['POST', '/api/v1/cameras', porch], ['GET', '/api/v1/cameras'], ['GET', `/api/v1/cameras/${cam.id}`],
      ['PATCH', `/api/v1/cameras/${cam.id}`, { name: 'x' }], ['DELETE', `/api/v1/cameras/${cam.id}`],
      ['PUT', `/api/v1/cameras/${cam.id}/privacy-zones`, { zones: [] }], ['POST', `/api/v1/cameras/${cam.id}/enrolment-code`],
      ['POST', `/api/v1/cameras/${cam.id}/device-token/rotate`], ['DELETE', `/api/v1/cameras/${cam.id}/device-token`],
      ['GET', '/api/v1/devices/me'],
    ];
    for (const [method, url, payload] of routes) {
      const res = await t.app.inject({ method: method as 'GET', url, payload });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
      const bogus = await t.app.inject({ method: method as 'GET', url, payload, headers: { authorization: 'Bearer pld_forged' } });
      assert.equal(bogus.statusCode, 401, `${method} ${url} with a forged device token`);
    }
  });

  test('403 for agency members, reviewers and admins', async () => {
    const cam = (await create(ann, porch)).json();
    for (const role of ['agency', 'reviewer', 'admin'] as const) {
      const staff = await createStaff(t, role);
      assert.equal((await create(staff, porch)).statusCode, 403, role);
      assert.equal((await as(t, staff, { method: 'GET', url: '/api/v1/cameras' })).statusCode, 403, role);
      assert.equal((await as(t, staff, { method: 'GET', url: `/api/v1/cameras/${cam.id}` })).statusCode, 403, role);
      assert.equal((await as(t, staff, { method: 'POST', url: `/api/v1/cameras/${cam.id}/enrolment-code` })).statusCode, 403, role);
      assert.equal((await as(t, staff, { method: 'GET', url: '/api/v1/devices/me' })).statusCode, 403, role);
    }
  });

  test("another owner's camera is 404, never 403, and is left untouched", async () => {
    const cam = (await create(ann, { ...porch, privacyZones: [zone] })).json();
    const id = cam.id;
    const attempts: [string, string, object?][] = [
      ['GET', `/api/v1/cameras/${id}`], ['PATCH', `/api/v1/cameras/${id}`, { name: 'mine now' }], ['DELETE', `/api/v1/cameras/${id}`],
      ['PUT', `/api/v1/cameras/${id}/privacy-zones`, { zones: [] }], ['POST', `/api/v1/cameras/${id}/enrolment-code`],
      ['POST', `/api/v1/cameras/${id}/device-token/rotate`], ['DELETE', `/api/v1/cameras/${id}/device-token`],
    ];
    for (const [method, url, payload] of attempts) {
      const res = await as(t, bob, { method: method as 'GET', url, payload });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      const missing = await as(t, bob, { method: method as 'GET', url: url.replace(id, 'f'.repeat(32)), payload });
      assert.equal(missing.statusCode, 404);
      assert.equal(res.json().detail, missing.json().detail, 'the same answer as a camera that does not exist');
    }
    assert.deepEqual((await as(t, ann, { method: 'GET', url: `/api/v1/cameras/${id}` })).json(), cam);
  });
});
