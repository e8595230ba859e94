// The prepared point-in-polygon test agrees with turf's on random simple
// polygons and on points chosen to be hard: vertices, edge points, and points
// just beside them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Polygon } from 'geojson';
import { containsPoint, pointTester } from '../../src/agencies/geo.ts';

const runs = process.env.DEEP ? 2000 : 200;

/** A star-shaped (hence simple) polygon around a centre: angles sorted, radii random. */
const starPolygon = fc.record({
  cx: fc.double({ min: -170, max: 170, noNaN: true }),
  cy: fc.double({ min: -80, max: 80, noNaN: true }),
  radii: fc.array(fc.double({ min: 0.0005, max: 0.01, noNaN: true }), { minLength: 3, maxLength: 12 }),
}).map(({ cx, cy, radii }): Polygon => {
  const ring = radii.map((r, i) => {
    const a = (2 * Math.PI * i) / radii.length;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
  return { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
});

/** Distance in degrees (planar) from a point to the ring's nearest edge. */
function edgeDistance(ring: number[][], lat: number, lon: number): number {
  let best = Infinity;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i], [x2, y2] = ring[i + 1];
    const dx = x2 - x1, dy = y2 - y1;
    const t = Math.max(0, Math.min(1, ((lon - x1) * dx + (lat - y1) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(lon - (x1 + t * dx), lat - (y1 + t * dy)));
  }
  return best;
}

// Within a hair of an edge (1e-9°, 0.1 mm) floating-point rounding decides either way; elsewhere they must agree.
test('prepared point-in-polygon equals turf away from the boundary, and counts vertices inside', () => {
  fc.assert(fc.property(starPolygon, fc.array(fc.tuple(fc.double({ min: -1.5, max: 1.5, noNaN: true }), fc.double({ min: -1.5, max: 1.5, noNaN: true })), { maxLength: 40 }), fc.integer({ min: 0, max: 100 }), (poly, offs, k) => {
    const inside = pointTester(poly);
    const ring = poly.coordinates[0];
    const [cx, cy] = ring.reduce(([x, y], [a, b]) => [x + a / ring.length, y + b / ring.length], [0, 0]);
    const v = ring[k % (ring.length - 1)];
    const pts: [number, number][] = offs.map(([dx, dy]) => [cy + dy * 0.01, cx + dx * 0.01]);
    // Just inside and just outside a vertex, along the line to the centre.
    pts.push([v[1] + (cy - v[1]) * 1e-3, v[0] + (cx - v[0]) * 1e-3], [v[1] - (cy - v[1]) * 1e-3, v[0] - (cx - v[0]) * 1e-3]);
    for (const [lat, lon] of pts) {
      if (edgeDistance(ring, lat, lon) < 1e-9) continue;
      assert.equal(inside(lat, lon), containsPoint(poly, lat, lon), `${lat},${lon} in ${JSON.stringify(poly)}`);
    }
    assert.equal(inside(v[1], v[0]), true, 'a vertex is inside');
  }), { numRuns: runs });
});

test('an axis-aligned square: corners and edges are inside, just outside is outside', () => {
  const sq: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] };
  const inside = pointTester(sq);
  for (const [lat, lon] of [[0, 0], [0, 1], [1, 1], [0.5, 0], [0, 0.5], [1, 0.5], [0.5, 0.5]]) assert.equal(inside(lat, lon), true, `${lat},${lon}`);
  for (const [lat, lon] of [[-1e-12, 0.5], [0.5, 1 + 1e-12], [2, 2]]) assert.equal(inside(lat, lon), false, `${lat},${lon}`);
});
