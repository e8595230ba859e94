// Pure decisions for clips: upload metadata, byte ranges, retention bounds.
// No I/O, no HTTP errors (platform/problems.ts); every input here is attacker-controlled.
import { accept, refuse, type Checked } from '../platform/problems.ts';
import { DAY } from '../platform/clock.ts';

export const CLIP_KINDS = ['motion', 'doorbell', 'glass_break', 'manual'] as const;
export type ClipKind = (typeof CLIP_KINDS)[number];

export const LIMITS = {
  /** Clock skew allowed for times in the future (issue 3, Bad input). */
  maxFutureMs: 5 * 60_000,
  /** Longest clip a camera may claim. */
  maxDurationMs: DAY,
  retentionMinDays: 1,
  retentionMaxDays: 180,
  retentionDefaultDays: 60,
  pageDefault: 50,
  pageMax: 200,
} as const;

export interface UploadTimes {
  startedAt: number;
  endedAt: number;
}

/** Checks the times of an upload against `now`; ISO strings were format-checked at the route. */
export function checkUploadTimes(startedAtIso: string, endedAtIso: string, now: number): Checked<UploadTimes> {
  const startedAt = Date.parse(startedAtIso);
  const endedAt = Date.parse(endedAtIso);
  if (!Number.isFinite(startedAt)) return refuse('startedAt is not a valid time', 'querystring.startedAt', 'not a valid ISO 8601 time');
  if (!Number.isFinite(endedAt)) return refuse('endedAt is not a valid time', 'querystring.endedAt', 'not a valid ISO 8601 time');
  if (endedAt < startedAt) return refuse('endedAt is before startedAt', 'querystring.endedAt', 'must not be before startedAt');
  if (endedAt - startedAt > LIMITS.maxDurationMs) return refuse('a clip may span at most 24 hours', 'querystring.endedAt', 'more than 24 hours after startedAt');
  if (endedAt > now + LIMITS.maxFutureMs) {
    return refuse('clip times may be at most 5 minutes in the future', endedAt > startedAt ? 'querystring.endedAt' : 'querystring.startedAt', 'more than 5 minutes in the future');
  }
  return accept({ startedAt, endedAt });
}

export type RangeDecision = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * One byte range (RFC 9110 §14.1.2). A range ending past the end is trimmed, as
 * the RFC says; a range starting past the end, a negative or empty suffix, an
 * inverted range, a malformed header or several ranges answer 416, so a client
 * always learns that its request was not honoured as asked.
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'unsatisfiable' };
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || Number(m[2] || start) < start) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

export function checkRetentionDays(days: number): Checked<number> {
  if (!Number.isInteger(days) || days < LIMITS.retentionMinDays || days > LIMITS.retentionMaxDays) {
    return refuse(`retention must be ${LIMITS.retentionMinDays} to ${LIMITS.retentionMaxDays} days`, 'body.days', 'out of range');
  }
  return accept(days);
}

/** The days a clip is kept: its camera's own setting, else its owner's default. */
export const effectiveRetentionDays = (cameraDays: number | null, ownerDays: number): number => cameraDays ?? ownerDays;

/**
 * When a clip passes its retention period: counted from the recording's start,
 * so a clip uploaded late does not live longer than its footage should. The
 * sweeper deletes it once `now` is past this instant (strictly after), unless a
 * hold keeps it; repository.expiredClips states the same rule in SQL.
 */
export const retentionEndsAt = (startedAt: number, cameraDays: number | null, ownerDays: number): number =>
  startedAt + effectiveRetentionDays(cameraDays, ownerDays) * DAY;

/** Idempotency keys: printable ASCII, 1–200 characters (draft-ietf-httpapi-idempotency-key-header). */
export function checkIdempotencyKey(raw: string | string[] | undefined): Checked<string | undefined> {
  if (raw === undefined) return accept(undefined);
  if (typeof raw !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(raw)) {
    return refuse('Idempotency-Key must be 1 to 200 printable ASCII characters', 'headers.idempotency-key', 'invalid');
  }
  return accept(raw);
}
