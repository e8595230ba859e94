// Pure rules for emergency requests (issue 6 §2; PRODUCT.md E). No I/O.
// The form's checks and the notice timing. Who may take which step, and in which
// state, is the state table in states.ts.
import { DAY, HOUR } from '../platform/clock.ts';
import type { FieldProblem } from '../platform/problems.ts';

export const EMERGENCY = {
  /** Owner notice at the latest this long after disclosure (PRODUCT.md E "Notice"). */
  noticeAfterMs: 72 * HOUR,
  /** Follow-up legal process is due within this long (PRODUCT.md E "Follow-up"). */
  followUpMs: 7 * DAY,
  /** An approved emergency releases only within this long of its approval. */
  releaseWindowMs: 72 * HOUR,
  /**
   * A court-ordered delay of owner notice reaches at most this far past the
   * disclosure (or past the request, before any disclosure). 90 days is what
   * the Stored Communications Act allows for one delayed-notice order
   * (18 U.S.C. § 2705(a)(1)(A), (b)); a longer delay needs a new order and a
   * new request, reviewed again, rather than one open-ended date.
   */
  maxNoticeDelayMs: 90 * DAY,
} as const;

/** Why a requested notice delay cannot stand, or null. `base` is the disclosure time, or now before any disclosure. */
export function noticeDelayProblem(until: number, now: number, base: number): string | null {
  if (until <= now) return 'must be in the future';
  if (until > base + EMERGENCY.maxNoticeDelayMs) return `must be at most ${EMERGENCY.maxNoticeDelayMs / DAY} days after the disclosure (${new Date(base + EMERGENCY.maxNoticeDelayMs).toISOString()})`;
  return null;
}

/** A callback number: "+", digits and the usual separators; 7 to 15 digits (ITU-T E.164 allows at most 15). */
export function checkPhone(raw: unknown, field: string): { value: string } | FieldProblem {
  if (typeof raw !== 'string' || raw.trim() === '') return { field, message: 'a callback phone number is required' };
  const value = raw.trim();
  const digits = value.replace(/\D/g, '');
  if (!/^\+?[0-9(][0-9 ().-]{5,24}$/.test(value) || digits.length < 7 || digits.length > 15) {
    return { field, message: 'must be a phone number: 7 to 15 digits, optionally starting with +' };
  }
  return { value };
}

/** When the owner is told: at resolution or 72 h after disclosure, whichever is first, but never before a court-ordered date. */
export function noticeDue(disclosedAt: number, resolvedAt: number | null, delayUntil: number | null): number {
  const due = Math.min(disclosedAt + EMERGENCY.noticeAfterMs, resolvedAt ?? Infinity);
  return delayUntil !== null ? Math.max(due, delayUntil) : due;
}
