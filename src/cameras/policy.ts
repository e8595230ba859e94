// Pure camera rules: what a valid camera, location, heading and privacy zone
// are, and how enrolment codes look. No I/O. The routes' TypeBox schemas check
// shapes and ranges first; these checks repeat the ranges (services may be
// called from elsewhere) and add what a schema cannot say: polygon validity,
// control characters, code normal form.
import { kinks } from '@turf/kinks';
import { polygon as turfPolygon } from '@turf/helpers';
import type { FieldProblem } from '../platform/problems.ts';

export const CAMERA_KINDS = ['doorbell', 'outdoor', 'indoor'] as const;
export type CameraKind = (typeof CAMERA_KINDS)[number];

/** A point in normalised frame coordinates: x from the left, y from the top, both 0..1. */
export type FramePoint = [number, number];
/** A privacy zone: a simple polygon, listed without repeating the first point. */
export type PrivacyZone = FramePoint[];

export const LIMITS = {
  nameMaxLength: 80,
  maxZones: 16,
  minZonePoints: 3,
  maxZonePoints: 64,
  /** A zone smaller than this share of the frame is a slip of the pointer, not a zone. */
  minZoneArea: 1e-6,
} as const;


export function isCameraKind(v: unknown): v is CameraKind {
  return typeof v === 'string' && (CAMERA_KINDS as readonly string[]).includes(v);
}

// Control characters (C0, DEL, C1) and bidi overrides can disguise a name in lists and logs.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Trims the name; returns it, or a problem. */
export function checkName(raw: string, field = 'name'): { value: string } | FieldProblem {
  const value = raw.trim();
  if (value.length === 0) return { field, message: 'must not be empty' };
  if (value.length > LIMITS.nameMaxLength) return { field, message: `must be at most ${LIMITS.nameMaxLength} characters` };
  if (UNPRINTABLE.test(value)) return { field, message: 'must not contain control characters' };
  return { value };
}

export function checkLocation(lat: number, lon: number, field = 'location'): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) out.push({ field: `${field}.lat`, message: 'must be a number from -90 to 90' });
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) out.push({ field: `${field}.lon`, message: 'must be a number from -180 to 180' });
  return out;
}

/** Heading is the compass bearing the lens faces: 0 (north) up to but not including 360. */
export function checkHeading(h: number | null, field = 'heading'): FieldProblem[] {
  if (h === null) return [];
  return Number.isFinite(h) && h >= 0 && h < 360 ? [] : [{ field, message: 'must be a bearing from 0 up to (not including) 360 degrees' }];
}

export function checkFov(f: number | null, field = 'fovDegrees'): FieldProblem[] {
  if (f === null) return [];
  return Number.isFinite(f) && f > 0 && f <= 360 ? [] : [{ field, message: 'must be more than 0 and at most 360 degrees' }];
}

/** Twice the signed area (shoelace formula); the sign gives the winding. */
function doubleArea(points: readonly FramePoint[]): number {
  let s = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i];
    const [x2, y2] = points[(i + 1) % points.length];
    s += x1 * y2 - x2 * y1;
  }
  return s;
}

/**
 * Checks privacy zones and returns them in normal form (a closing point equal to
 * the first is dropped). Attacker-controlled input: every element is checked for
 * type before use, so a malformed value yields a problem, never an exception.
 */
export function checkPrivacyZones(raw: unknown, field = 'privacyZones'): { value: PrivacyZone[] } | { problems: FieldProblem[] } {
  if (!Array.isArray(raw)) return { problems: [{ field, message: 'must be an array of polygons' }] };
  if (raw.length > LIMITS.maxZones) return { problems: [{ field, message: `must have at most ${LIMITS.maxZones} zones` }] };
  const problems: FieldProblem[] = [];
  const zones: PrivacyZone[] = [];
  raw.forEach((zone: unknown, zi) => {
    const zf = `${field}.${zi}`;
    if (!Array.isArray(zone)) return problems.push({ field: zf, message: 'must be an array of [x, y] points' });
    // One more than the limit, for a closing point that repeats the first.
    if (zone.length > LIMITS.maxZonePoints + 1) return problems.push({ field: zf, message: `must have at most ${LIMITS.maxZonePoints} points` });
    const points: FramePoint[] = [];
    for (let pi = 0; pi < zone.length; pi++) {
      const p: unknown = zone[pi];
      if (!Array.isArray(p) || p.length !== 2 || !p.every((c) => typeof c === 'number' && Number.isFinite(c) && c >= 0 && c <= 1)) {
        return problems.push({ field: `${zf}.${pi}`, message: 'must be [x, y] with both from 0 to 1' });
      }
      points.push([p[0], p[1]]);
    }
    // Drawing tools repeat points (a double click, a closed GeoJSON-style ring); drop the repeats.
    const simple = points.filter((p, i) => {
      const next = points[(i + 1) % points.length];
      return p[0] !== next[0] || p[1] !== next[1];
    });
    if (simple.length < LIMITS.minZonePoints) return problems.push({ field: zf, message: `must have at least ${LIMITS.minZonePoints} distinct points` });
    if (simple.length > LIMITS.maxZonePoints) return problems.push({ field: zf, message: `must have at most ${LIMITS.maxZonePoints} points` });
    // A self-crossing outline has no agreed inside (even-odd and non-zero fills
    // differ), so redaction could leave part of what the owner meant to hide.
    const ring = [...simple, simple[0]];
    if (kinks(turfPolygon([ring])).features.length > 0) return problems.push({ field: zf, message: 'must not cross or touch itself' });
    if (Math.abs(doubleArea(simple)) / 2 < LIMITS.minZoneArea) return problems.push({ field: zf, message: 'must enclose an area (its points are all on a line)' });
    zones.push(simple);
  });
  return problems.length ? { problems } : { value: zones };
}

// Enrolment codes are typed by a person into a camera, so they use Crockford's
// base32 (no I, L, O, U) in groups of four. Twelve symbols carry 60 bits: the
// enrol route is public, and with codes living 15 minutes an online guesser
// cannot get near one.
export const ENROLMENT = {
  ttlMs: 15 * 60_000,
  symbols: 12,
  alphabet: '0123456789ABCDEFGHJKMNPQRSTVWXYZ',
} as const;

/** Renders random bytes (at least 8) as a grouped code, e.g. "7K3M-Q9TX-2HBD". */
export function formatEnrolmentCode(random: Uint8Array): string {
  if (random.length * 8 < ENROLMENT.symbols * 5) throw new RangeError('not enough random bytes for an enrolment code');
  let bits = 0n;
  for (const b of random) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < ENROLMENT.symbols; i++) {
    out += ENROLMENT.alphabet[Number(bits & 31n)];
    bits >>= 5n;
  }
  return out.match(/.{4}/g)!.join('-');
}

/**
 * Normal form of a typed code: upper case, separators dropped, and the letters
 * people confuse read as Crockford says (I and L as 1, O as 0). Null when it
 * cannot be a code, so the caller can refuse it without a database lookup.
 */
export function normaliseEnrolmentCode(raw: string): string | null {
  const s = raw.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (s.length !== ENROLMENT.symbols) return null;
  for (const ch of s) if (!ENROLMENT.alphabet.includes(ch)) return null;
  return s;
}

/** Why an enrolment code cannot be redeemed, in words the device's user can act on. */
export function enrolmentRefusal(row: { used_at: number | null; expires_at: number } | undefined, now: number): string {
  if (!row) return 'unknown enrolment code; create a new one in the camera settings';
  if (row.used_at !== null) return 'this enrolment code has already been used; create a new one';
  if (row.expires_at <= now) return 'this enrolment code has expired; create a new one';
  return 'this enrolment code cannot be used';
}
