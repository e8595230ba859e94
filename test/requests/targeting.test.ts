// Targeting over the spatial index on both engines: the index follows camera
// inserts, moves and deletions (triggers), and always agrees with a plain scan.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, type TestApp, type TestUser } from '../helpers/app.ts';
import { containsPoint } from '../../src/agencies/geo.ts';
import { hasPostgis, postgisTargeting, targetCameras, targetOwners } from '../../src/requests/targeting.ts';
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

  // Issue 16 item 4: what the p99 over 1,000,000 cameras depends on (bench/requests.ts measures it).
  test('PostgreSQL: the exact targeting SQL takes the GiST index, serially, on a table clustered on it', { skip: engine !== 'postgres' }, async () => {
    const k = t.ctx.db.kysely;
    const marked = await sql<{ indexrelid: string }>`select indexrelid::regclass::text as indexrelid from pg_index where indrelid = 'camera_points'::regclass and indisclustered`.execute(k);
    assert.deepEqual(marked.rows.map((r) => r.indexrelid), ['camera_points_geom'], 'CLUSTER camera_points sorts by the GiST index');
    const settings = await sql<{ jit: string; workers: string }>`select current_setting('jit') as jit, current_setting('max_parallel_workers_per_gather') as workers`.execute(k);
    assert.deepEqual(settings.rows[0], { jit: 'off', workers: '0' }, 'the pool connections plan for short queries');
    // 20,000 cameras on a grid far from the other tests' neighbourhood, inserted in scrambled order.
    await sql`insert into users (id, email, password_hash, display_name, role, totp_enabled, created_at)
      select 'bulk' || g, 'bulk' || g || '@test.invalid', 'x', 'Bulk', 'resident', 0, 0 from generate_series(0, 999) g`.execute(k);
    await sql`insert into cameras (id, owner_id, name, lat, lon, kind, community_requests, created_at)
      select 'bulkcam' || g, 'bulk' || (g % 1000), 'Cam', 10 + (g / 200) * 0.001, 20 + (g % 200) * 0.001, 'doorbell', 1, 0
      from generate_series(0, 19999) g order by md5(g::text)`.execute(k);
    await sql`analyze camera_points`.execute(k);
    const area = { type: 'Polygon' as const, coordinates: [[[20.0505, 10.0205], [20.0595, 10.0205], [20.0595, 10.0295], [20.0505, 10.0295], [20.0505, 10.0205]]] };
    const explain = async () => {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers) ${postgisTargeting(area, 'fire')}`.execute(k);
      const text = rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(text, /Bitmap Index Scan on camera_points_geom\s[^]*Index Cond: \(geom @/, text);
      assert.doesNotMatch(text, /Gather|JIT|Seq Scan/, text);
      return Number(/Heap Blocks: exact=(\d+)/.exec(text)?.[1]);
    };
    const scattered = await explain();
    await sql`cluster camera_points`.execute(k);
    await sql`analyze camera_points`.execute(k);
    const clustered = await explain();
    // 9 × 9 grid points inside: one page each in insertion order, a few pages once clustered.
    assert.equal((await targetCameras(t.ctx.db, k, area, 'fire')).length, 81);
    assert.ok(scattered >= 40, `heap blocks before CLUSTER: ${scattered}`);
    assert.ok(clustered * 3 <= scattered, `heap blocks ${scattered} before CLUSTER, ${clustered} after`);
  });
});
