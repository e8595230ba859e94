// Pure geometry checks for jurisdictions and request areas (RFC 7946 GeoJSON,
// positions are [longitude, latitude]). Input is attacker-controlled: every
// shape and number is checked before turf sees it, and each failure names the
// field. Areas are geodesic (turf's spherical approximation, @turf/area).
import turfArea from '@turf/area';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import booleanWithin from '@turf/boolean-within';
import kinks from '@turf/kinks';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { FieldProblem } from '../platform/problems.ts';

export type Area = Polygon | MultiPolygon;


export type Checked<T> = { value: T } | { problems: FieldProblem[] };

export const SQ_MILE_M2 = 2_589_988.110336;

export const GEO_LIMITS = {
  /** Positions in one shape, all rings together: enough for a county line, small enough to check quickly. */
  maxPositions: 5000,
  maxPolygons: 50,
} as const;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkPosition(p: unknown, field: string): FieldProblem | null {
  if (!Array.isArray(p) || p.length < 2 || p.length > 3) return { field, message: 'must be a position [longitude, latitude]' };
  const [lon, lat] = p as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat)) return { field, message: 'must hold finite numbers' };
  if (lon < -180 || lon > 180) return { field, message: 'longitude must be between -180 and 180' };
  if (lat < -90 || lat > 90) return { field, message: 'latitude must be between -90 and 90' };
  return null;
}

/** Checks one polygon's rings: positions, closure, no antimeridian crossing. */
function checkRings(rings: unknown, field: string, counter: { n: number }): FieldProblem[] {
  if (!Array.isArray(rings) || rings.length === 0) return [{ field, message: 'must be a list of linear rings' }];
  for (const [r, ring] of rings.entries()) {
    const f = `${field}[${r}]`;
    if (!Array.isArray(ring) || ring.length < 4) return [{ field: f, message: 'a linear ring needs at least 4 positions (RFC 7946 §3.1.6)' }];
    counter.n += ring.length;
    if (counter.n > GEO_LIMITS.maxPositions) return [{ field, message: `at most ${GEO_LIMITS.maxPositions} positions in all` }];
    for (const [i, p] of ring.entries()) {
      const bad = checkPosition(p, `${f}[${i}]`);
      if (bad) return [bad];
    }
    const first = ring[0] as number[];
    const last = ring[ring.length - 1] as number[];
    if (first[0] !== last[0] || first[1] !== last[1]) return [{ field: f, message: 'the ring is not closed: the last position must equal the first' }];
    for (let i = 1; i < ring.length; i++) {
      // An edge longer than half the globe in longitude only makes sense across the antimeridian.
      if (Math.abs((ring[i] as number[])[0] - (ring[i - 1] as number[])[0]) > 180) return [{ field: f, message: 'crosses the antimeridian; split the shape in two (RFC 7946 §3.1.9)' }];
    }
  }
  return [];
}

/** A GeoJSON Polygon (or MultiPolygon when allowed), checked for shape, closure and self-intersection. */
export function checkArea(v: unknown, field: string, opts: { multi: boolean; holes: boolean }): Checked<Area> {
  if (!isObj(v)) return { problems: [{ field, message: 'must be a GeoJSON geometry object' }] };
  const allowed = opts.multi ? ['Polygon', 'MultiPolygon'] : ['Polygon'];
  if (typeof v.type !== 'string' || !allowed.includes(v.type)) return { problems: [{ field: `${field}.type`, message: `must be ${allowed.join(' or ')}` }] };
  const counter = { n: 0 };
  const polys: unknown[] = v.type === 'Polygon' ? [v.coordinates] : Array.isArray(v.coordinates) ? v.coordinates : [null];
  if (polys.length === 0 || polys.length > GEO_LIMITS.maxPolygons) return { problems: [{ field: `${field}.coordinates`, message: `must hold 1 to ${GEO_LIMITS.maxPolygons} polygons` }] };
  for (const [i, rings] of polys.entries()) {
    const f = v.type === 'Polygon' ? `${field}.coordinates` : `${field}.coordinates[${i}]`;
    const problems = checkRings(rings, f, counter);
    if (problems.length) return { problems };
    if (!opts.holes && (rings as unknown[]).length > 1) return { problems: [{ field: f, message: 'must be one ring, without holes' }] };
    // RFC 7946 §3.1.6: holes lie inside the exterior ring. A "hole" outside it
    // would make the computed area smaller than the shape really covers.
    const [outer, ...holes] = rings as Position[][];
    const shell: Polygon = { type: 'Polygon', coordinates: [outer] };
    for (const [h, hole] of holes.entries()) {
      if (!booleanWithin({ type: 'Polygon', coordinates: [hole] }, shell)) return { problems: [{ field: `${f}[${h + 1}]`, message: 'a hole must lie inside the outer ring' }] };
    }
  }
  const geometry = (v.type === 'Polygon' ? { type: 'Polygon', coordinates: v.coordinates } : { type: 'MultiPolygon', coordinates: v.coordinates }) as Area;
  if (kinks(geometry).features.length > 0) return { problems: [{ field, message: 'must not intersect itself' }] };
  return { value: geometry };
}

export function areaM2(a: Area): number {
  return turfArea(a);
}

export function containsPoint(a: Area, lat: number, lon: number): boolean {
  return booleanPointInPolygon([lon, lat], a);
}

/**
 * A point-in-polygon test prepared once for many points (targeting checks
 * thousands of candidates per request). For one ring without holes it is the
 * crossing-number test, planar in longitude/latitude like turf's, with points
 * on an edge or vertex counted inside (as turf and PostGIS ST_Covers do); a
 * property test checks it against turf. Other shapes use turf.
 */
export function pointTester(a: Area): (lat: number, lon: number) => boolean {
  if (a.type !== 'Polygon' || a.coordinates.length !== 1) return (lat, lon) => containsPoint(a, lat, lon);
  const ring = a.coordinates[0];
  const n = ring.length - 1;
  const xs = new Float64Array(n + 1), ys = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    xs[i] = ring[i][0];
    ys[i] = ring[i][1];
  }
  const b = bboxOf(a);
  return (lat, lon) => {
    if (lat < b.minLat || lat > b.maxLat || lon < b.minLon || lon > b.maxLon) return false;
    let inside = false;
    for (let i = 0; i < n; i++) {
      const x1 = xs[i], y1 = ys[i], x2 = xs[i + 1], y2 = ys[i + 1];
      // On the edge: collinear (zero cross product) and within the segment's box.
      const cross = (x2 - x1) * (lat - y1) - (y2 - y1) * (lon - x1);
      if (cross === 0 && lon >= Math.min(x1, x2) && lon <= Math.max(x1, x2) && lat >= Math.min(y1, y2) && lat <= Math.max(y1, y2)) return true;
      if ((y1 > lat) !== (y2 > lat) && lon < ((x2 - x1) * (lat - y1)) / (y2 - y1) + x1) inside = !inside;
    }
    return inside;
  };
}

/** True when the polygon lies inside the area (inside one part of a MultiPolygon). */
export function polygonWithin(p: Polygon, a: Area): boolean {
  if (a.type === 'Polygon') return booleanWithin(p, a);
  return a.coordinates.some((rings) => booleanWithin(p, { type: 'Polygon', coordinates: rings }));
}

export function bboxOf(a: Area): { minLat: number; maxLat: number; minLon: number; maxLon: number } {
  let minLat = 90, maxLat = -90, minLon = 180, maxLon = -180;
  const rings: Position[][] = a.type === 'Polygon' ? a.coordinates : a.coordinates.flat();
  for (const ring of rings) {
    for (const [lon, lat] of ring) {
      if (lat < minLat) minLat = lat;
      if (lat > maxLat) maxLat = lat;
      if (lon < minLon) minLon = lon;
      if (lon > maxLon) maxLon = lon;
    }
  }
  return { minLat, maxLat, minLon, maxLon };
}

/**
 * A coarse public shape for a request area (PRODUCT.md principle 4: locations
 * fuzzed to about 150 m): the bounding box, widened outward to a grid of
 * 0.002° (about 220 m north–south), so the post never shows the exact polygon.
 */
export function coarseShape(a: Area): Polygon {
  const g = 0.002;
  const b = bboxOf(a);
  const s = Math.floor(b.minLat / g) * g, n = Math.ceil(b.maxLat / g) * g;
  const w = Math.floor(b.minLon / g) * g, e = Math.ceil(b.maxLon / g) * g;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { type: 'Polygon', coordinates: [[[r(w), r(s)], [r(e), r(s)], [r(e), r(n)], [r(w), r(n)], [r(w), r(s)]]] };
}
