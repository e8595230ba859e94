// Shared set-up for the community-request tests: an agency over the demo
// town, its member, owners with cameras at chosen places, and request bodies.
import assert from 'node:assert/strict';
import { as, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { DEMO_CENTRE, demoJurisdiction } from '../../src/demo/neighbourhood.ts';
import { newOwner, type Owner } from '../clips/helpers.ts';

export const CENTRE = DEMO_CENTRE;
const M_LAT = 111_320;
const mLon = (lat: number) => M_LAT * Math.cos((lat * Math.PI) / 180);

/** A point `north`/`east` metres from the demo centre. */
export function offset(north: number, east: number, from = CENTRE) {
  return { lat: from.lat + north / M_LAT, lon: from.lon + east / mLon(from.lat) };
}

/** A square GeoJSON polygon of `side` metres centred on a point. */
export function square(side: number, centre = CENTRE): { type: 'Polygon'; coordinates: number[][][] } {
  const h = side / 2;
  const sw = offset(-h, -h, centre), ne = offset(h, h, centre);
  return { type: 'Polygon', coordinates: [[[sw.lon, sw.lat], [ne.lon, sw.lat], [ne.lon, ne.lat], [sw.lon, ne.lat], [sw.lon, sw.lat]]] };
}

export async function createAgency(t: TestApp, reviewer: TestUser, extra: object = {}): Promise<{ id: string; name: string }> {
  const res = await as(t, reviewer, {
    method: 'POST', url: '/api/v1/agencies',
    payload: { name: `Riverside Police ${Math.random().toString(36).slice(2, 6)}`, type: 'law_enforcement', jurisdiction: demoJurisdiction(), description: 'City police', ...extra },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

export async function agencyMember(t: TestApp, agencyId: string): Promise<TestUser> {
  return createStaff(t, 'agency', { agencyId });
}

export async function ownerAt(t: TestApp, where: { lat: number; lon: number }, extra: object = {}): Promise<Owner> {
  return newOwner(t, { location: where, ...extra });
}

/** A valid request body: a 500 m square (~0.097 sq mi) at the centre, window 3 h to 1 h ago. */
export function requestBody(t: TestApp, over: object = {}) {
  const now = t.clock.now();
  return {
    caseNumber: 'RPD-2026-0415',
    incidentType: 'burglary',
    description: 'A house on Alder St was broken into between 9 and 11. Looking for people walking by.',
    investigatorContact: 'Det. Lane, 555-0100, lane@riverside.example',
    area: square(500),
    window: { start: new Date(now - 3 * 3_600_000).toISOString(), end: new Date(now - 3_600_000).toISOString() },
    ...over,
  };
}
