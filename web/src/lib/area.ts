// Client-side checks of a community request against the limits the server
// enforces (PRODUCT.md C): 0.025–0.5 sq mi geodesic area, inside the agency's
// jurisdiction, a 15 min–12 h window that has ended. These give immediate
// feedback only; the server decides.
import turfArea from '@turf/area';
import booleanWithin from '@turf/boolean-within';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { LatLon } from '../components/MapView';

export const SQ_M_PER_SQ_MI = 2_589_988.110336;
export const AREA_LIMITS = { minSqMi: 0.025, maxSqMi: 0.5 };
export const WINDOW_LIMITS = { minMs: 15 * 60_000, maxMs: 12 * 3600_000 };

/** GeoJSON rings are [lon, lat] and closed (RFC 7946 §3.1.6). */
export function toPolygon(ring: LatLon[]): Polygon {
  const coords = ring.map((p) => [p.lon, p.lat]);
  if (coords.length && (coords[0][0] !== coords[coords.length - 1][0] || coords[0][1] !== coords[coords.length - 1][1])) coords.push(coords[0]);
  return { type: 'Polygon', coordinates: [coords] };
}

/** GeoJSON as the API types it ({ type, coordinates: unknown[] }); the server validated its shape. */
export type LooseGeometry = { type: string; coordinates: unknown[] };

export function asArea(g: LooseGeometry | null | undefined): Polygon | MultiPolygon | null {
  return g && (g.type === 'Polygon' || g.type === 'MultiPolygon') ? (g as Polygon | MultiPolygon) : null;
}

/** The outer rings of a Polygon or MultiPolygon as lat/lon points (without the closing point). */
export function fromPolygon(loose: LooseGeometry): LatLon[][] {
  const g = asArea(loose);
  if (!g) return [];
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.map((rings) => rings[0].slice(0, -1).map(([lon, lat]) => ({ lat, lon })));
}

export function areaSqMi(ring: LatLon[]): number {
  if (ring.length < 3) return 0;
  return turfArea(toPolygon(ring)) / SQ_M_PER_SQ_MI;
}

export type Check = { ok: boolean; message: string };

export function checkArea(ring: LatLon[]): Check {
  if (ring.length < 3) return { ok: false, message: 'Draw the area on the map, or enter a centre and radius.' };
  const a = areaSqMi(ring);
  const shown = a.toFixed(3);
  if (a < AREA_LIMITS.minSqMi) return { ok: false, message: `${shown} sq mi is smaller than the ${AREA_LIMITS.minSqMi} sq mi minimum.` };
  if (a > AREA_LIMITS.maxSqMi) return { ok: false, message: `${shown} sq mi is larger than the ${AREA_LIMITS.maxSqMi} sq mi maximum.` };
  return { ok: true, message: `${shown} sq mi, within the 0.025–0.5 sq mi limit.` };
}

export function checkJurisdiction(ring: LatLon[], loose: LooseGeometry | null): Check {
  const jurisdiction = asArea(loose);
  if (!jurisdiction) return { ok: true, message: 'Jurisdiction not loaded yet.' };
  if (ring.length < 3) return { ok: false, message: 'No area yet.' };
  const f: Feature<Polygon> = { type: 'Feature', properties: {}, geometry: toPolygon(ring) };
  const j: Feature<Polygon | MultiPolygon> = { type: 'Feature', properties: {}, geometry: jurisdiction };
  const inside = jurisdiction.type === 'Polygon'
    ? booleanWithin(f, j as Feature<Polygon>)
    : jurisdiction.coordinates.some((c) => booleanWithin(f, { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: c } }));
  return inside ? { ok: true, message: 'Inside your jurisdiction.' } : { ok: false, message: 'Part of the area lies outside your jurisdiction.' };
}

export function checkWindow(start: Date | null, end: Date | null, now = Date.now()): Check {
  if (!start || !end || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return { ok: false, message: 'Enter the start and end of the time window.' };
  const ms = end.getTime() - start.getTime();
  if (ms <= 0) return { ok: false, message: 'The window must end after it starts.' };
  if (end.getTime() > now) return { ok: false, message: 'The window must end in the past.' };
  const mins = Math.round(ms / 60000);
  if (ms < WINDOW_LIMITS.minMs) return { ok: false, message: `${mins} min is shorter than the 15 minute minimum.` };
  if (ms > WINDOW_LIMITS.maxMs) return { ok: false, message: `${(ms / 3600000).toFixed(1)} h is longer than the 12 hour maximum.` };
  return { ok: true, message: `${mins >= 60 ? `${Math.floor(mins / 60)} h ${mins % 60} min` : `${mins} min`}, within 15 min–12 h.` };
}

/** A regular polygon approximating a circle, for keyboard users who cannot draw. */
export function circleRing(center: LatLon, radiusM: number, sides = 24): LatLon[] {
  const out: LatLon[] = [];
  const dLat = radiusM / 111_320;
  const dLon = radiusM / (111_320 * Math.cos((center.lat * Math.PI) / 180));
  for (let i = 0; i < sides; i++) {
    const t = (2 * Math.PI * i) / sides;
    out.push({ lat: center.lat + dLat * Math.sin(t), lon: center.lon + dLon * Math.cos(t) });
  }
  return out;
}
