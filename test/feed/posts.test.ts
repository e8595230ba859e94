// Posts on both engines (issue 12 §1, §2, §4): the point fuzzed once and the
// exact one only to the author, the radius, keyset pages and their cursors,
// categories, bad input, edits and deletes, and rate limits.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { distanceM } from '../../src/feed/policy.ts';
import { MILE, feed, offset, post, postBody, residentAt } from './helpers.ts';

forEachEngine('feed posts', (getDb) => {
  let t: TestApp;
  let ann: TestUser, bob: TestUser, far: TestUser;
  before(async () => {
    t = await buildTestApp(getDb());
    ann = await residentAt(t);
    bob = await residentAt(t, 800, 300);
    far = await residentAt(t, 20 * MILE, 0);
  });
  after(async () => t.app.close());

  test('1,000 reads of a post give one point, at most 250 m from the truth and not the truth; only the author gets the exact point', async () => {
    const exact = offset(120, -40);
    const p = await post(t, ann, { location: exact });
    assert.deepEqual(p.exactLocation, exact);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const res = await as(t, bob, { method: 'GET', url: `/api/v1/feed/posts/${p.id}` });
      assert.equal(res.statusCode, 200);
      const v = res.json();
      assert.equal(v.exactLocation, undefined);
      seen.add(JSON.stringify(v.location));
    }
    assert.equal(seen.size, 1);
    const point = JSON.parse([...seen][0]) as { lat: number; lon: number };
    const d = distanceM(point, exact);
    assert.ok(d <= 250 && d > 0, `${d} m`);
    assert.notDeepEqual(point, exact);
  });

  test('no response to anyone but the author carries the exact point', async () => {
    const exact = { lat: 45.52412345, lon: -122.67123456 };
    const p = await post(t, ann, { location: exact, title: 'Package thief', category: 'crime' });
    await as(t, bob, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/comments`, payload: { body: 'Saw him too' } });
    await t.services.outbox.worker.run();
    const urls = ['/api/v1/feed', '/api/v1/feed?radiusMi=10', `/api/v1/feed/posts/${p.id}`, `/api/v1/feed/posts/${p.id}/comments`, '/api/v1/me/notifications', '/api/v1/me/feed-settings'];
    for (const url of urls) {
      const res = await as(t, bob, { method: 'GET', url });
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      assert.ok(!res.body.includes('45.52412345') && !res.body.includes('122.67123456'), `${url} leaks the exact point`);
    }
    const page = await as(t, null, { method: 'GET', url: '/feed' });
    assert.ok(!page.body.includes('45.52412345'));
    assert.ok((await as(t, ann, { method: 'GET', url: `/api/v1/feed/posts/${p.id}` })).body.includes('45.52412345'), 'the author sees it');
  });

  test('the radius: near posts show, a resident 20 miles away never sees them, not even by id', async () => {
    // Public points lie at most 150 m from the true ones: 50 m away is inside half a mile whatever the draw.
    const near = await post(t, bob, { title: 'Near', location: offset(50, 0) });
    const mid = await post(t, bob, { title: 'Three miles', location: offset(3 * MILE, 0) });
    const ids = (await feed(t, ann, '?radiusMi=0.5')).items.map((i) => i.id);
    assert.ok(ids.includes(near.id) && !ids.includes(mid.id));
    assert.ok((await feed(t, ann, '?radiusMi=5')).items.some((i) => i.id === mid.id));
    assert.ok(!(await feed(t, far, '?radiusMi=10')).items.some((i) => i.id === near.id));
    assert.equal((await as(t, far, { method: 'GET', url: `/api/v1/feed/posts/${near.id}` })).statusCode, 404);
    assert.equal((await as(t, far, { method: 'POST', url: `/api/v1/feed/posts/${near.id}/comments`, payload: { body: 'hi' } })).statusCode, 404);
  });

  test('newest first, keyset pages without repeats; a tampered or moved cursor is a 400', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1000);
      mine.push((await post(t, bob, { title: `Page ${i}`, category: 'community' })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `?radiusMi=1&category=community&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await feed(t, ann, q);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      if (cursor) {
        const [b64, tag] = cursor.split('.');
        const forged = Buffer.from(Buffer.from(b64, 'base64url').toString().replace(/^\d/, '9')).toString('base64url');
        for (const bad of [`${forged}.${tag}`, `${b64}.${tag.slice(0, -2)}AA`, 'bm90LmEuY3Vyc29y', `${b64}`]) {
          const res = await as(t, ann, { method: 'GET', url: `/api/v1/feed?radiusMi=1&category=community&cursor=${encodeURIComponent(bad)}` });
          assert.equal(res.statusCode, 400, bad);
        }
        assert.equal((await as(t, ann, { method: 'GET', url: `/api/v1/feed?radiusMi=2&category=community&cursor=${encodeURIComponent(cursor)}` })).statusCode, 400, 'another radius');
        assert.equal((await as(t, bob, { method: 'GET', url: `/api/v1/feed?radiusMi=1&category=community&cursor=${encodeURIComponent(cursor)}` })).statusCode, 400, 'another reader');
      }
    } while (cursor);
    assert.deepEqual(seen, [...mine].reverse());
  });

  test('category filters; an unknown category and a radius outside 0.5–10 mi are 400s', async () => {
    const crime = await post(t, bob, { category: 'crime', title: 'Car broken into' });
    const pets = (await feed(t, ann, '?category=lost_found_pet')).items;
    assert.ok(pets.every((i) => i.category === 'lost_found_pet') && !pets.some((i) => i.id === crime.id));
    assert.ok((await feed(t, ann, '?category=crime,safety')).items.some((i) => i.id === crime.id));
    for (const qs of ['?category=arson', '?radiusMi=0.4', '?radiusMi=10.5', '?radiusMi=-1', '?limit=0', '?limit=51']) {
      const res = await as(t, ann, { method: 'GET', url: `/api/v1/feed${qs}` });
      assert.equal(res.statusCode, 400, qs);
      assert.ok(res.json().detail, qs);
    }
  });

  test('bad posts are 400s and write nothing; HTML is stored as text', async () => {
    const count = async () => Number((await getDb().kysely.selectFrom('feed_posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const bad = [
      postBody({ title: '   ' }), postBody({ body: '' }), postBody({ body: 'x'.repeat(2001) }), postBody({ category: 'gossip' }),
      postBody({ location: { lat: 91, lon: 0 } }), postBody({ location: offset(20 * MILE, 0) }), postBody({ extra: 1 }),
      postBody({ clipIds: ['a', 'b', 'c', 'd'] }), postBody({ body: 'bell \u0007' }),
    ];
    for (const payload of bad) {
      const res = await as(t, ann, { method: 'POST', url: '/api/v1/feed/posts', payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 80) + res.body);
    }
    assert.equal(await count(), before);
    const html = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const p = await post(t, ann, { title: html, body: html });
    assert.equal(p.title, html);
    assert.equal(p.body, html);
  });

  test('the author edits within 15 minutes, not after; deletes any time; others get 404', async () => {
    const p = await post(t, ann);
    assert.equal((await as(t, bob, { method: 'PATCH', url: `/api/v1/feed/posts/${p.id}`, payload: postBody({ title: 'Mine now' }) })).statusCode, 404);
    t.clock.advance(14 * 60_000);
    const ok = await as(t, ann, { method: 'PATCH', url: `/api/v1/feed/posts/${p.id}`, payload: postBody({ title: 'Found her!' }) });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().title, 'Found her!');
    assert.ok(ok.json().editedAt);
    t.clock.advance(2 * 60_000);
    const late = await as(t, ann, { method: 'PATCH', url: `/api/v1/feed/posts/${p.id}`, payload: postBody({ title: 'Again' }) });
    assert.equal(late.statusCode, 409);
    assert.match(late.json().detail, /15 minutes/);
    assert.equal((await as(t, bob, { method: 'DELETE', url: `/api/v1/feed/posts/${p.id}` })).statusCode, 404);
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/feed/posts/${p.id}` })).statusCode, 204);
    assert.equal((await as(t, bob, { method: 'GET', url: `/api/v1/feed/posts/${p.id}` })).statusCode, 404);
    assert.ok(!(await feed(t, bob, '?radiusMi=10')).items.some((i) => i.id === p.id));
  });

  test('posting and commenting are rate limited with a 429 and Retry-After', async () => {
    t.clock.advance(2 * 3_600_000);
    const carl = await residentAt(t, 100, 100);
    let last;
    for (let i = 0; i < 11; i++) last = await as(t, carl, { method: 'POST', url: '/api/v1/feed/posts', payload: postBody({ title: `n${i}` }) });
    assert.equal(last!.statusCode, 429);
    const retry = Number(last!.headers['retry-after']);
    assert.ok(retry > 0 && retry <= 3600, String(retry));
    assert.match(last!.json().detail, /10 posts an hour/);
    const target = (await feed(t, carl, '?radiusMi=1')).items[0].id;
    for (let i = 0; i < 61; i++) last = await as(t, carl, { method: 'POST', url: `/api/v1/feed/posts/${target}/comments`, payload: { body: `c${i}` } });
    assert.equal(last!.statusCode, 429);
    assert.ok(Number(last!.headers['retry-after']) > 0);
    t.clock.advance(3_600_000 + 1000);
    assert.equal((await as(t, carl, { method: 'POST', url: '/api/v1/feed/posts', payload: postBody() })).statusCode, 201);
  });

  test('feed settings: the saved radius is the default; a reader without a home gets a 409', async () => {
    const put = await as(t, ann, { method: 'PUT', url: '/api/v1/me/feed-settings', payload: { radiusMi: 0.5, push: { posts: true, replies: false } } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal((await feed(t, ann)).items.length >= 0, true);
    assert.equal((await as(t, ann, { method: 'GET', url: '/api/v1/feed' })).json().radiusMi, 0.5);
    assert.equal((await as(t, ann, { method: 'PUT', url: '/api/v1/me/feed-settings', payload: { radiusMi: 20, push: { posts: true, replies: false } } })).statusCode, 400);
  });
});
