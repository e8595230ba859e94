// Targeting over the spatial index on both engines: the index follows camera
// inserts, moves and deletions (triggers), and always agrees with a plain scan.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, type TestApp, type TestUser } from '../helpers/app.ts';
import { containsPoint } from '../../src/agencies/geo.ts';
import { hasPostgis, targetCameras, targetOwners } from '../../src/requests/targeting.ts';
import { offset, square } from './helpers.ts';

forEachEngine('targeting', (getDb, engine) => {
  let t: TestApp;
  let owner: TestUser;
  let other: TestUser;
  before(async () => {
    t = await buildTestApp(getDb());
    owner = await createResident(t);
    other = await createResident(t);
  });
  after(async () => t.app.close());

  const camera = async (who: TestUser, where: { lat: number; lon: number }, extra: object = {}) => {
    const res = await as(t, who, { method: 'POST', url: '/api/v1/cameras', payload: { name: 'Cam', location: where, kind: 'outdoor', ...extra } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const ids = async (area = square(500)) => (await targetCameras(t.ctx.db, t.ctx.db.kysely, area, 'fire')).map((c) => c.id).sort();

  test('PostgreSQL uses PostGIS when the server has it', async () => {
    if (engine === 'postgres') assert.equal(await hasPostgis(t.ctx.db), true, 'PostGIS is expected on this machine and in CI');
    else assert.equal(await hasPostgis(t.ctx.db), false);
  });

  test('inside, outside, opted out, moved in, moved out, deleted', async () => {
    const inside = await camera(owner, offset(100, 100));
    const twin = await camera(owner, offset(-100, 100));
    const outside = await camera(owner, offset(400, 0));
    const optedOut = await camera(other, offset(0, 0), { communityRequests: false });
    let got = await ids();
    assert.ok(got.includes(inside) && got.includes(twin));
    assert.ok(!got.includes(outside) && !got.includes(optedOut));
    assert.deepEqual(await targetOwners(t.ctx.db, t.ctx.db.kysely, square(500), 'fire'), [owner.id], 'one owner, however many cameras');

    assert.equal((await as(t, owner, { method: 'PATCH', url: `/api/v1/cameras/${outside}`, payload: { location: offset(10, 10) } })).statusCode, 200);
    assert.equal((await as(t, owner, { method: 'PATCH', url: `/api/v1/cameras/${inside}`, payload: { location: offset(2000, 2000) } })).statusCode, 200);
    assert.equal((await as(t, other, { method: 'PATCH', url: `/api/v1/cameras/${optedOut}`, payload: { communityRequests: true } })).statusCode, 200);
    got = await ids();
    assert.ok(got.includes(outside) && got.includes(optedOut) && !got.includes(inside));

    assert.equal((await as(t, owner, { method: 'DELETE', url: `/api/v1/cameras/${twin}` })).statusCode, 204);
    assert.ok(!(await ids()).includes(twin));
  });

  test('a blocked agency type drops the owner; other types still reach them', async () => {
    const put = await as(t, other, { method: 'PUT', url: '/api/v1/me/request-policy', payload: { blockedAgencyTypes: ['fire'] } });
    assert.equal(put.statusCode, 200);
    const owners = await targetOwners(t.ctx.db, t.ctx.db.kysely, square(500), 'fire');
    assert.ok(!owners.includes(other.id));
    assert.ok((await targetOwners(t.ctx.db, t.ctx.db.kysely, square(500), 'ems')).includes(other.id));
    // A camera added after the policy, and a camera handed to a blocking owner, are excluded too.
    const later = await camera(other, offset(5, 5));
    assert.ok(!(await ids()).includes(later));
    await as(t, other, { method: 'PUT', url: '/api/v1/me/request-policy', payload: { blockedAgencyTypes: [] } });
    assert.ok((await ids()).includes(later));
    await as(t, owner, { method: 'PUT', url: '/api/v1/me/request-policy', payload: { blockedAgencyTypes: ['fire'] } });
    assert.ok((await ids()).includes(later));
    await t.ctx.db.kysely.updateTable('cameras').set({ owner_id: owner.id }).where('id', '=', later).execute();
    assert.ok(!(await ids()).includes(later), 'a camera handed to a blocking owner takes their policy');
    await as(t, owner, { method: 'PUT', url: '/api/v1/me/request-policy', payload: { blockedAgencyTypes: [] } });
    await t.ctx.db.kysely.updateTable('cameras').set({ owner_id: other.id }).where('id', '=', later).execute();
  });

  test('the index agrees with a plain scan on a scattered neighbourhood, edges included', async () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 120; i++) await camera(i % 2 ? owner : other, offset((rnd() - 0.5) * 900, (rnd() - 0.5) * 900));
    const areas = [square(500), square(700, offset(100, -50)), { type: 'Polygon' as const, coordinates: [[offset(-300, -300), offset(-300, 300), offset(300, 0), offset(-300, -300)].map((p) => [p.lon, p.lat])] }];
    const all = await t.ctx.db.kysely.selectFrom('cameras').select(['id', 'lat', 'lon', 'community_requests']).execute();
    for (const area of areas) {
      const expected = all.filter((c) => c.community_requests === 1 && containsPoint(area, Number(c.lat), Number(c.lon))).map((c) => c.id).sort();
      assert.deepEqual(await ids(area), expected);
    }
  });
});
