// Pure decisions for clips: upload metadata, byte ranges, retention bounds,
// cursors. No I/O; every input here is attacker-controlled.
import { badRequest } from '../platform/http/errors.ts';
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
export function checkUploadTimes(startedAtIso: string, endedAtIso: string, now: number): UploadTimes {
  const startedAt = Date.parse(startedAtIso);
  const endedAt = Date.parse(endedAtIso);
  if (!Number.isFinite(startedAt)) throw badRequest('startedAt is not a valid time', [{ field: 'querystring.startedAt', message: 'not a valid ISO 8601 time' }]);
  if (!Number.isFinite(endedAt)) throw badRequest('endedAt is not a valid time', [{ field: 'querystring.endedAt', message: 'not a valid ISO 8601 time' }]);
  if (endedAt < startedAt) throw badRequest('endedAt is before startedAt', [{ field: 'querystring.endedAt', message: 'must not be before startedAt' }]);
  if (endedAt - startedAt > LIMITS.maxDurationMs) throw badRequest('a clip may span at most 24 hours', [{ field: 'querystring.endedAt', message: 'more than 24 hours after startedAt' }]);
  if (endedAt > now + LIMITS.maxFutureMs) {
    throw badRequest('clip times may be at most 5 minutes in the future', [{ field: endedAt > startedAt ? 'querystring.endedAt' : 'querystring.startedAt', message: 'more than 5 minutes in the future' }]);
  }
  return { startedAt, endedAt };
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

export function checkRetentionDays(days: number): number {
  if (!Number.isInteger(days) || days < LIMITS.retentionMinDays || days > LIMITS.retentionMaxDays) {
    throw badRequest(`retention must be ${LIMITS.retentionMinDays} to ${LIMITS.retentionMaxDays} days`, [{ field: 'body.days', message: 'out of range' }]);
  }
  return days;
}

/** Opaque keyset cursors: base64url of "<time>.<id>". */
export function encodeCursor(t: number, id: string): string {
  return Buffer.from(`${t}.${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { t: number; id: string } {
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badRequest('invalid cursor', [{ field: 'querystring.cursor', message: 'not a cursor this server issued' }]);
  return { t: Number(m[1]), id: m[2] };
}

/** Idempotency keys: printable ASCII, 1–200 characters (draft-ietf-httpapi-idempotency-key-header). */
export function checkIdempotencyKey(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(raw)) {
    throw badRequest('Idempotency-Key must be 1 to 200 printable ASCII characters', [{ field: 'headers.idempotency-key', message: 'invalid' }]);
  }
  return raw;
}
