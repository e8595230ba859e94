// Pure rules for legal demands and emergency scopes (issue 6 §1, §2; PRODUCT.md
// D, E). No I/O. Every input is attacker-controlled; problems come back as
// field problems that the service turns into one 400 naming each of them.
import { DAY, HOUR } from '../platform/clock.ts';
import { distanceM, type Scope, type TimeRange } from '../disclosure/policy.ts';
import type { FieldProblem } from '../platform/problems.ts';

export const DEMAND_TYPES = ['search_warrant', 'court_order', 'subpoena', 'preservation'] as const;
export type DemandType = (typeof DEMAND_TYPES)[number];

export const LIMITS = {
  /** Overbroad at intake (issue 6 §1). */
  maxCameras: 50,
  maxRadiusM: 100,
  maxDemandWindowMs: 31 * DAY,
  /** An emergency covers at most 6 hours (PRODUCT.md E). */
  maxEmergencyWindowMs: 6 * HOUR,
  maxRanges: 20,
  /** Preservation holds last 90 days, extendable once by 90 (PRODUCT.md D). */
  holdMs: 90 * DAY,
  /** A search warrant is executed within 14 days of approval (Fed. R. Crim. P. 41(e)(2)(A)). */
  warrantLifeMs: 14 * DAY,
  textMax: 4000,
  shortTextMax: 200,
} as const;


export interface ScopeInput {
  cameraIds?: string[];
  address?: { lat: number; lon: number; radiusM: number };
  ranges?: { from: string; to: string }[];
}

// C0/C1 controls (tab and newline allowed in long texts) and bidi overrides.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A required text: trimmed, non-empty, bounded, printable. */
export function checkText(raw: unknown, field: string, max: number = LIMITS.shortTextMax): { value: string } | FieldProblem {
  if (typeof raw !== 'string') return { field, message: 'is required' };
  const value = raw.trim();
  if (!value) return { field, message: 'must not be empty' };
  if (value.length > max) return { field, message: `must be at most ${max} characters` };
  if (CONTROL.test(value) || (max <= LIMITS.shortTextMax && /[\r\n\t]/.test(value))) return { field, message: 'must not contain control characters' };
  return { value };
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

// RFC 3339 date-time (the ISO 8601 profile JSON schemas call "date-time"): a
// date, a time with seconds, and a zone. Date.parse alone also takes numbers
// (Date.parse(1) is the year 2001) and loose forms like "June 1".
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 / ISO 8601 date-time string, or null for anything else. */
export function parseIsoTime(raw: unknown): number | null {
  if (typeof raw !== 'string' || !ISO_TIME.test(raw)) return null;
  const t = Date.parse(raw);
  return Number.isFinite(t) ? t : null;
}

/**
 * Checks a scope: cameras by id and/or an address with a radius, plus time
 * ranges, against the window limit of its kind. Overbroad scopes name their
 * problem: "more than 50 cameras", "radius over 100 m", "window over 31 days",
 * "no time range".
 */
export function checkScope(input: ScopeInput, maxWindowMs: number, field = 'scope'): { scope: Scope } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const cameraIds = [...new Set(input.cameraIds ?? [])];
  if (cameraIds.length > LIMITS.maxCameras) problems.push({ field: `${field}.cameraIds`, message: `overbroad: more than ${LIMITS.maxCameras} cameras (${cameraIds.length})` });
  if (cameraIds.some((id) => typeof id !== 'string' || !ID.test(id))) problems.push({ field: `${field}.cameraIds`, message: 'each camera id is 1 to 64 letters, digits, "_" or "-"' });
  let area: Scope['area'] = null;
  if (input.address) {
    const { lat, lon, radiusM } = input.address;
    if (!Number.isFinite(lat) || lat < -90 || lat > 90 || !Number.isFinite(lon) || lon < -180 || lon > 180) problems.push({ field: `${field}.address`, message: 'lat must be -90..90 and lon -180..180' });
    if (!Number.isFinite(radiusM) || radiusM <= 0) problems.push({ field: `${field}.address.radiusM`, message: 'must be a positive number of metres' });
    else if (radiusM > LIMITS.maxRadiusM) problems.push({ field: `${field}.address.radiusM`, message: `overbroad: radius ${radiusM} m is over ${LIMITS.maxRadiusM} m` });
    area = { lat, lon, radiusM };
  }
  if (cameraIds.length === 0 && !input.address) problems.push({ field, message: 'name the cameras or an address with a radius' });
  const ranges: TimeRange[] = [];
  const raw = input.ranges ?? [];
  if (raw.length === 0) problems.push({ field: `${field}.ranges`, message: 'overbroad: no time range' });
  if (raw.length > LIMITS.maxRanges) problems.push({ field: `${field}.ranges`, message: `at most ${LIMITS.maxRanges} time ranges` });
  raw.slice(0, LIMITS.maxRanges).forEach((r, i) => {
    const from = parseIsoTime(r?.from);
    const to = parseIsoTime(r?.to);
    if (from === null || to === null) problems.push({ field: `${field}.ranges.${i}`, message: 'from and to must be ISO 8601 times' });
    else if (to <= from) problems.push({ field: `${field}.ranges.${i}`, message: 'to must be after from' });
    else ranges.push({ from, to });
  });
  const total = totalWindow(ranges);
  if (total > maxWindowMs) {
    const unit = maxWindowMs >= DAY ? `${(total / DAY).toFixed(1)} days, over ${maxWindowMs / DAY} days` : `${(total / HOUR).toFixed(1)} hours, over ${maxWindowMs / HOUR} hours`;
    problems.push({ field: `${field}.ranges`, message: `overbroad: the time ranges cover ${unit}` });
  }
  if (problems.length) return { problems };
  return { scope: { cameraIds, area, ranges: mergeRanges(ranges) } };
}

/** Sorted, overlapping ranges merged: what the scope covers, once. */
export function mergeRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const out: TimeRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** Total time covered, counting overlaps once. */
export const totalWindow = (ranges: readonly TimeRange[]): number => mergeRanges(ranges).reduce((n, r) => n + (r.to - r.from), 0);

/**
 * Whether `inner` lies within `outer`: every camera inner names, outer names
 * too; inner's circle lies inside outer's; each inner range lies inside one
 * outer range. Follow-up legal process for an emergency must satisfy this.
 */
export function scopeWithin(inner: Scope, outer: Scope): boolean {
  if (!inner.cameraIds.every((c) => outer.cameraIds.includes(c))) return false;
  if (inner.area) {
    if (!outer.area) return false;
    if (distanceM(inner.area, outer.area) + inner.area.radiusM > outer.area.radiusM + 1e-6) return false;
  }
  return inner.ranges.every((r) => outer.ranges.some((o) => r.from >= o.from && r.to <= o.to));
}

/**
 * What is wrong with a narrowing, or null when it only removes cameras, shrinks
 * the circle or shortens ranges. A camera the current scope does not name may be
 * named only when it stands inside the current circle (`locations` gives where
 * the named cameras stand): picking cameras out of an address is narrower.
 */
export function narrowingProblem(proposed: Scope, current: Scope, locations: ReadonlyMap<string, { lat: number; lon: number }> = new Map()): string | null {
  if (proposed.cameraIds.length === 0 && !proposed.area) return 'a narrowed scope still needs a camera or an address';
  if (proposed.ranges.length === 0) return 'a narrowed scope still needs a time range';
  const inCircle = (id: string) => {
    const at = locations.get(id);
    return current.area !== null && at !== undefined && distanceM(current.area, at) <= current.area.radiusM;
  };
  if (!proposed.cameraIds.every((c) => current.cameraIds.includes(c) || inCircle(c))) return 'narrowing may only remove cameras, not add them';
  if (proposed.area && (!current.area || distanceM(proposed.area, current.area) + proposed.area.radiusM > current.area.radiusM + 1e-6)) {
    return 'narrowing may only shrink the address circle, not move or widen it';
  }
  if (!proposed.ranges.every((r) => current.ranges.some((o) => r.from >= o.from && r.to <= o.to))) return 'narrowing may only shorten time ranges, not extend them';
  return null;
}

/** Time overlap, for holds: a clip that overlaps the window holds footage from it, so it is kept. */
export const overlapsRanges = (ranges: readonly TimeRange[], start: number, end: number): boolean => ranges.some((r) => start <= r.to && end >= r.from);

export function parseScope(json: string): Scope {
  const v = JSON.parse(json) as Scope;
  return { cameraIds: v.cameraIds ?? [], area: v.area ?? null, ranges: v.ranges ?? [] };
}

export const scopeView = (s: Scope) => ({
  cameraIds: [...s.cameraIds],
  address: s.area ? { lat: s.area.lat, lon: s.area.lon, radiusM: s.area.radiusM } : null,
  ranges: s.ranges.map((r) => ({ from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() })),
});
