// The feed page query on both engines against a brute-force scan of every
// post (the same oracle the benchmark times), over random posts, centres,
// radii, categories and cursors; and the pure geometry beneath it.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { forEachEngine } from '../helpers/db.ts';
import { CATEGORIES, CELL_DEG, FEED_LIMITS, cellOf, cellsCovering, circleOf, distanceM, fuzzPoint, inCircle, type Category } from '../../src/feed/policy.ts';
import { pageIds, pageIdsByScan } from '../../src/feed/repository.ts';
import { CENTRE } from './helpers.ts';

const MILE = 1609.344;

test('fuzzPoint: always 50–150 m away, never the truth', () => {
  fc.assert(fc.property(fc.double({ min: -60, max: 60, noNaN: true }), fc.double({ min: -179, max: 179, noNaN: true }), fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (lat, lon, u1, u2) => {
    const d = distanceM({ lat, lon }, fuzzPoint({ lat, lon }, u1, u2));
    return d >= FEED_LIMITS.fuzzMinM - 1 && d <= FEED_LIMITS.fuzzMaxM + 1;
  }));
});

test('cellsCovering holds the cell of every point in the circle, and "inside" cells lie wholly inside', () => {
  fc.assert(fc.property(fc.double({ min: 0.5, max: 10, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), (mi, a, b) => {
    const c = circleOf(CENTRE, mi * MILE);
    const cells = new Map(cellsCovering(c).map((x) => [x.cell, x.inside]));
    const p = { lat: CENTRE.lat + a * c.dLat, lon: CENTRE.lon + b * c.dLon };
    if (inCircle(c, p) && !cells.has(cellOf(p))) return false;
    if (!inCircle(c, p) && cells.get(cellOf(p)) === true) return false;
    return true;
  }));
  assert.ok(CELL_DEG > 0);
});

forEachEngine('feed page query', (getDb) => {
  before(async () => {
    const rnd = fc.sample(fc.tuple(fc.double({ min: -0.3, max: 0.3, noNaN: true }), fc.double({ min: -0.4, max: 0.4, noNaN: true }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 50 })), { numRuns: 3000, seed: 12 });
    const rows = rnd.map(([dLat, dLon, cat, t], i) => {
      const lat = CENTRE.lat + dLat, lon = CENTRE.lon + dLon;
      return {
        id: `p${String(i).padStart(5, '0')}`, author_id: 'u', agency_id: null, category: CATEGORIES[cat], title: 't', body: 'b', exact_lat: lat, exact_lon: lon,
        lat, lon, cell: cellOf({ lat, lon }), created_at: 1_000_000 + t * 1000, edited_at: null, deleted_at: i % 97 === 0 ? 1 : null, removed_at: null, removed_by: null, removed_reason: null,
      };
    });
    const db = getDb().kysely;
    await db.insertInto('users').values({ id: 'u', email: 'u@example.test', password_hash: 'x', display_name: 'U', role: 'resident', agency_id: null, home_lat: null, home_lon: null, totp_secret: null, totp_enabled: 0, totp_last_step: null, created_at: 0 }).execute();
    for (let i = 0; i < rows.length; i += 200) await db.insertInto('feed_posts').values(rows.slice(i, i + 200)).execute();
  });

  test('every page equals the brute-force scan, through all pages', async () => {
    const cases = fc.sample(fc.tuple(fc.double({ min: 0.5, max: 10, noNaN: true }), fc.double({ min: -0.1, max: 0.1, noNaN: true }), fc.subarray([...CATEGORIES] as Category[], { maxLength: 3 })), { numRuns: 12, seed: 7 });
    for (const [mi, shift, cats] of cases) {
      const circle = circleOf({ lat: CENTRE.lat + shift, lon: CENTRE.lon - shift }, mi * MILE);
      const categories = [...cats].sort();
      let before: { t: number; id: string } | null = null;
      for (let page = 0; page < 4; page++) {
        const got = await pageIds(getDb().kysely, { circle, cells: cellsCovering(circle), categories, before, limit: 25 });
        const want = await pageIdsByScan(getDb().kysely, { circle, categories, before, limit: 25 });
        assert.deepEqual(got, want, `${mi} mi, ${categories.join(',')}, page ${page}`);
        if (got.length < 25) break;
        before = { t: got[24].created_at, id: got[24].id };
      }
    }
  });
});
