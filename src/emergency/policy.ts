// Pure rules for emergency requests (issue 6 §2; PRODUCT.md E). No I/O.
// The form, the callback, and who may record which determination: reviewer 1
// confirms the callback and records the first determination; reviewer 2, a
// different person, records an independent one; only two approvals disclose.
import { DAY, HOUR } from '../platform/clock.ts';
import type { FieldProblem } from '../legal/policy.ts';
import { conflictRefusal, type RequestParties } from '../disclosure/conflict.ts';

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

/** The request's parties (disclosure/conflict.ts) and where its review stands. */
export interface DeterminationState extends RequestParties {
  status: 'pending' | 'approved' | 'denied';
  callbackBy: string | null;
  callbackConfirmed: boolean | null;
  determinations: readonly { reviewerId: string; decision: 'approve' | 'deny' }[];
}

export type DeterminationRefusal = { status: 403 | 409; reason: string };

/**
 * Whether `reviewer` may record `decision` now. 403: a conflict of interest
 * (disclosure/conflict.ts: a member of the requesting agency, the requester, or
 * whoever created or verified the agency); 409: the state does not allow it
 * (decided already, the same reviewer twice, no callback yet, reviewer 1 not the
 * callback's).
 */
export function determinationRefusal(s: DeterminationState, reviewer: { id: string; agencyId: string | null }, decision: 'approve' | 'deny'): DeterminationRefusal | null {
  const conflicted = conflictRefusal(s, reviewer, 'emergency request', 'requesting');
  if (conflicted) return { status: 403, reason: conflicted };
  if (s.status !== 'pending') return { status: 409, reason: `the emergency request is already ${s.status}` };
  if (s.determinations.some((d) => d.reviewerId === reviewer.id)) {
    return { status: 409, reason: 'this reviewer has already recorded a determination; the second must come from a different reviewer' };
  }
  if (s.determinations.length === 0) {
    if (s.callbackBy === null) return { status: 409, reason: 'reviewer 1 records the callback before the first determination' };
    if (s.callbackBy !== reviewer.id) return { status: 409, reason: 'the first determination is recorded by reviewer 1, who made the callback' };
    if (decision === 'approve' && s.callbackConfirmed !== true) return { status: 409, reason: 'the callback did not confirm the requester, so the request cannot be approved' };
  }
  return null;
}

/** The state after recording a determination: a denial ends it; two approvals approve it. */
export function outcomeAfter(dets: readonly { decision: 'approve' | 'deny' }[]): 'pending' | 'approved' | 'denied' {
  if (dets.some((d) => d.decision === 'deny')) return 'denied';
  return dets.filter((d) => d.decision === 'approve').length >= 2 ? 'approved' : 'pending';
}

/** When the owner is told: at resolution or 72 h after disclosure, whichever is first, but never before a court-ordered date. */
export function noticeDue(disclosedAt: number, resolvedAt: number | null, delayUntil: number | null): number {
  const due = Math.min(disclosedAt + EMERGENCY.noticeAfterMs, resolvedAt ?? Infinity);
  return delayUntil !== null ? Math.max(due, delayUntil) : due;
}
