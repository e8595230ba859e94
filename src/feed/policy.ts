// The feed's pure decisions (issue 12; PRODUCT.md B): categories, limits, the
// fuzzed public point, the grid cells a radius covers, and the checks on what
// a post, comment, report or page query may hold. No I/O, no clock, no
// randomness of its own: callers pass the time and the random numbers.
import { accept, refuse, type Checked, type FieldProblem } from '../platform/problems.ts';

export const CATEGORIES = ['crime', 'safety', 'suspicious_activity', 'lost_found_pet', 'unexpected_activity', 'community'] as const;
export type Category = (typeof CATEGORIES)[number];

export const REPORT_REASONS = ['spam', 'harassment', 'hate', 'violence', 'personal_information', 'misinformation', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const FEED_LIMITS = {
  titleMaxLength: 120,
  bodyMaxLength: 2000,
  commentMaxLength: 1000,
  reportNoteMaxLength: 500,
  clipsPerPost: 3,
  /** PRODUCT.md B: readers choose 0.5 to 10 miles. */
  minRadiusMi: 0.5,
  maxRadiusMi: 10,
  defaultRadiusMi: 2,
  pageSize: 50,
  editWindowMs: 15 * MINUTE,
  /** How far from the author's home a post may be placed ("far outside any home's area" is refused). */
  maxPostDistanceMi: 10,
  postsPerHour: 10,
  commentsPerHour: 60,
  rateWindowMs: HOUR,
  /** The public point lies 50–150 m from the true one (PRODUCT.md B: "fuzzed to about 150 m"). */
  fuzzMinM: 50,
  fuzzMaxM: 150,
} as const;

export const METRES_PER_MILE = 1609.344;
const EARTH_RADIUS_M = 6_371_008.8;
const M_PER_DEG_LAT = (Math.PI / 180) * EARTH_RADIUS_M;

export interface Point {
  lat: number;
  lon: number;
}

/** Great-circle distance in metres (haversine, mean Earth radius). */
export function distanceM(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The public point: the true one moved 50–150 m in a random direction, area-
 * uniform over that ring. Drawn once when the post is made and stored: drawn
 * again per read, many reads would average to the truth. Never zero distance,
 * so the public point is never the true one. `u1`, `u2` are uniform in [0, 1).
 */
export function fuzzPoint(p: Point, u1: number, u2: number): Point {
  const { fuzzMinM: r0, fuzzMaxM: r1 } = FEED_LIMITS;
  const d = Math.sqrt(r0 * r0 + u1 * (r1 * r1 - r0 * r0));
  const bearing = 2 * Math.PI * u2;
  const lat = p.lat + (d * Math.cos(bearing)) / M_PER_DEG_LAT;
  const lon = p.lon + (d * Math.sin(bearing)) / (M_PER_DEG_LAT * Math.cos((p.lat * Math.PI) / 180));
  return { lat: Math.max(-89.9, Math.min(89.9, lat)), lon: ((lon + 540) % 360) - 180 };
}

/** The index grid: cells of 0.1° (about 11 km north–south), numbered row-major. */
export const CELL_DEG = 0.1;
const COLS = Math.round(360 / CELL_DEG);
const rowOf = (lat: number) => Math.floor((lat + 90) / CELL_DEG);
const colOf = (lon: number) => Math.floor((lon + 180) / CELL_DEG) % COLS;

export function cellOf(p: Point): number {
  return rowOf(p.lat) * COLS + colOf(p.lon);
}

/** A cell a circle touches; `inside` when the whole cell lies in the circle (no distance check needed). */
export interface CoveredCell {
  cell: number;
  inside: boolean;
}

/**
 * The box a circle fits in, in degrees, and the planar distance test that the
 * SQL runs: equirectangular at the centre's latitude, which over 10 miles is
 * within 0.1% of the great-circle distance. Same arithmetic on both engines.
 */
export function circleOf(centre: Point, radiusM: number) {
  const dLat = radiusM / M_PER_DEG_LAT;
  const kx = Math.cos((centre.lat * Math.PI) / 180);
  const dLon = dLat / kx;
  return { centre, dLat, dLon, kx, r2: dLat * dLat, minLat: centre.lat - dLat, maxLat: centre.lat + dLat, minLon: centre.lon - dLon, maxLon: centre.lon + dLon };
}
export type Circle = ReturnType<typeof circleOf>;

export const inCircle = (c: Circle, p: Point): boolean => (p.lat - c.centre.lat) ** 2 + ((p.lon - c.centre.lon) * c.kx) ** 2 <= c.r2;

/** Every grid cell the circle touches (antimeridian crossings are not served: no homes lie there). */
export function cellsCovering(c: Circle): CoveredCell[] {
  const out: CoveredCell[] = [];
  for (let row = rowOf(c.minLat); row <= rowOf(c.maxLat); row++) {
    const s = row * CELL_DEG - 90, n = s + CELL_DEG;
    for (let col = colOf(c.minLon); col <= colOf(c.maxLon); col++) {
      const w = col * CELL_DEG - 180, e = w + CELL_DEG;
      // The cell's nearest point to the centre decides whether it touches; its corners whether it lies inside.
      const near = { lat: Math.max(s, Math.min(n, c.centre.lat)), lon: Math.max(w, Math.min(e, c.centre.lon)) };
      if (!inCircle(c, near)) continue;
      const inside = [[s, w], [s, e], [n, w], [n, e]].every(([lat, lon]) => inCircle(c, { lat, lon }));
      out.push({ cell: row * COLS + col, inside });
    }
  }
  return out;
}

const isCategory = (v: string): v is Category => (CATEGORIES as readonly string[]).includes(v);

/** Text as typed, without control characters other than newlines and tabs; never empty once trimmed. */
function checkText(v: string, field: string, max: number, problems: FieldProblem[]): string {
  const text = v.replace(/\r\n?/g, '\n').trim();
  if (text.length === 0) problems.push({ field, message: 'must not be empty' });
  else if (text.length > max) problems.push({ field, message: `must be at most ${max} characters` });
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) problems.push({ field, message: 'must not hold control characters' });
  return text;
}

export interface PostInput {
  title: string;
  body: string;
  category: string;
}

export interface CheckedPost {
  title: string;
  body: string;
  category: Category;
}

/** Title, text and category; HTML is text like any other (stored as typed, rendered escaped). */
export function checkPost(input: PostInput): Checked<CheckedPost> {
  const problems: FieldProblem[] = [];
  const title = checkText(input.title, 'body.title', FEED_LIMITS.titleMaxLength, problems);
  const body = checkText(input.body, 'body.body', FEED_LIMITS.bodyMaxLength, problems);
  if (!isCategory(input.category)) problems.push({ field: 'body.category', message: `must be one of ${CATEGORIES.join(', ')}` });
  if (problems.length) return { ok: false, detail: problems.map((p) => `${p.field} ${p.message}`).join('; '), problems };
  return accept({ title, body, category: input.category as Category });
}

export function checkComment(body: string): Checked<string> {
  const problems: FieldProblem[] = [];
  const text = checkText(body, 'body.body', FEED_LIMITS.commentMaxLength, problems);
  return problems.length ? { ok: false, detail: `body.body ${problems[0].message}`, problems } : accept(text);
}

/** A resident's post lies near their own home: a point far outside it is refused. */
export function checkPlace(point: Point, home: Point): Checked<Point> {
  const max = FEED_LIMITS.maxPostDistanceMi;
  if (distanceM(point, home) > max * METRES_PER_MILE) return refuse(`body.location is more than ${max} miles from your home`, 'body.location', `must be within ${max} miles of your home`);
  return accept(point);
}

export function checkRadius(radiusMi: number): Checked<number> {
  const { minRadiusMi: lo, maxRadiusMi: hi } = FEED_LIMITS;
  if (!Number.isFinite(radiusMi) || radiusMi < lo || radiusMi > hi) return refuse(`radius must be ${lo} to ${hi} miles`, 'querystring.radiusMi', `must be between ${lo} and ${hi}`);
  return accept(radiusMi);
}

export function checkCategories(list: readonly string[]): Checked<Category[]> {
  const bad = list.find((c) => !isCategory(c));
  if (bad !== undefined) return refuse(`unknown category "${bad.slice(0, 40)}"`, 'querystring.category', `must be one of ${CATEGORIES.join(', ')}`);
  return accept([...new Set(list as Category[])].sort());
}

/** Whether the author may still edit: within 15 minutes of posting, and not removed or deleted. */
export function editCheck(p: { created_at: number; removed_at: number | null; deleted_at: number | null }, now: number): Checked<true> {
  if (p.deleted_at !== null || p.removed_at !== null) return refuse('this post can no longer be edited', 'post', 'is deleted or removed');
  if (now - Number(p.created_at) > FEED_LIMITS.editWindowMs) return refuse('a post can be edited for 15 minutes after it is made; delete it and post again', 'post', 'is past its 15-minute edit window');
  return accept(true);
}

/**
 * A rolling-window rate limit: refused with the seconds until the oldest
 * counted event leaves the window (the 429's Retry-After, RFC 9110 §10.2.3).
 */
export function rateCheck(timesInWindow: readonly number[], limit: number, now: number): { ok: true } | { ok: false; retryAfterS: number } {
  if (timesInWindow.length < limit) return { ok: true };
  const oldest = Math.min(...timesInWindow);
  return { ok: false, retryAfterS: Math.max(1, Math.ceil((oldest + FEED_LIMITS.rateWindowMs - now) / 1000)) };
}

/** The text a reviewer's removal leaves in place of the item. */
export const tombstoneOf = (reason: string): string => `removed by a reviewer: ${reason.replace(/_/g, ' ')}`;
