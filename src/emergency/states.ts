// The life of an emergency request as an explicit state table (PRODUCT.md E;
// issue 11 §3): every state, every step between states, and who may take it.
// Pure: the service loads the record and the actor and asks `stepRefusal`
// before it writes `to`, guarded by `from`, in one statement.
//
//   awaiting_callback ──callback (any reviewer)──▶ awaiting_first_determination
//   awaiting_first_determination ──approve (the callback's reviewer; confirmed)──▶ awaiting_second_determination
//   awaiting_first_determination ──deny (the callback's reviewer)──▶ denied
//   awaiting_second_determination ──approve (a different reviewer)──▶ approved   (releases in the same transaction)
//   awaiting_second_determination ──deny (a different reviewer)──▶ denied
//   approved ──resolve (a member of the requesting agency)──▶ resolved          (owners told now)
//
// Owner-notice delay is a second, smaller table beside it, since a delay can be
// asked for while the request is still under review:
//   none ──request (agency member)──▶ requested ──approve (reviewer)──▶ in_force
//                                     requested ──reject (reviewer)──▶ none
import { conflictRefusal, type Decider, type RequestParties } from '../disclosure/conflict.ts';
import type { EmergencyState } from '../platform/db/tables/legal.ts';

export type { EmergencyState };

/** Every state, in the order of a request's life (the column's type lists the same names). */
export const EMERGENCY_STATES: readonly EmergencyState[] = [
  'awaiting_callback', 'awaiting_first_determination', 'awaiting_second_determination', 'denied', 'approved', 'resolved',
];

export type EmergencyStep = 'callback' | 'approve' | 'deny' | 'resolve';

/**
 * Who may take a step. Every reviewer kind also excludes a conflict of interest
 * (disclosure/conflict.ts), which is a 403 rather than a 409.
 */
export type Taker =
  | 'reviewer' // any staff reviewer without a conflict
  | 'callback reviewer' // the reviewer who recorded the callback
  | 'different reviewer' // a reviewer who has not recorded a determination on this request
  | 'agency member'; // a member of the requesting agency

export interface Transition<S extends string, T extends string> {
  from: S;
  step: T;
  to: S;
  by: Taker;
}

export const EMERGENCY_TRANSITIONS: readonly Transition<EmergencyState, EmergencyStep>[] = [
  { from: 'awaiting_callback', step: 'callback', to: 'awaiting_first_determination', by: 'reviewer' },
  { from: 'awaiting_first_determination', step: 'approve', to: 'awaiting_second_determination', by: 'callback reviewer' },
  { from: 'awaiting_first_determination', step: 'deny', to: 'denied', by: 'callback reviewer' },
  { from: 'awaiting_second_determination', step: 'approve', to: 'approved', by: 'different reviewer' },
  { from: 'awaiting_second_determination', step: 'deny', to: 'denied', by: 'different reviewer' },
  { from: 'approved', step: 'resolve', to: 'resolved', by: 'agency member' },
];

export const NOTICE_DELAY_STATES = ['none', 'requested', 'in_force'] as const;
export type NoticeDelayState = (typeof NOTICE_DELAY_STATES)[number];
export type NoticeDelayStep = 'request' | 'approve' | 'reject';

export const NOTICE_DELAY_TRANSITIONS: readonly Transition<NoticeDelayState, NoticeDelayStep>[] = [
  { from: 'none', step: 'request', to: 'requested', by: 'agency member' },
  { from: 'requested', step: 'approve', to: 'in_force', by: 'reviewer' },
  { from: 'requested', step: 'reject', to: 'none', by: 'reviewer' },
];

/** The outward status the API and the disclosure door have always used. */
export function statusOf(state: EmergencyState): 'pending' | 'approved' | 'denied' {
  if (state === 'denied') return 'denied';
  return state === 'approved' || state === 'resolved' ? 'approved' : 'pending';
}

/** What a request's record says about who has acted on it. */
export interface EmergencyRecord extends RequestParties {
  state: EmergencyState;
  callbackBy: string | null;
  callbackConfirmed: boolean | null;
  determinedBy: readonly string[];
}

export type Refusal = { status: 403 | 409; reason: string };
export type StepDecision = { to: EmergencyState } | { refused: Refusal };

const STATE_WORDS: Record<EmergencyState, string> = {
  awaiting_callback: 'awaiting the callback',
  awaiting_first_determination: 'awaiting the first determination',
  awaiting_second_determination: 'awaiting the second determination',
  denied: 'denied',
  approved: 'approved',
  resolved: 'resolved',
};

const STEP_WORDS: Record<EmergencyStep, string> = { callback: 'record the callback', approve: 'approve', deny: 'deny', resolve: 'resolve' };

/** Why `taker` may not take this transition (409), or null. Conflicts are checked before, by `decide`. */
function takerRefusal(t: Transition<EmergencyState, EmergencyStep>, r: EmergencyRecord, actor: Decider): string | null {
  switch (t.by) {
    case 'reviewer':
      return null;
    case 'callback reviewer':
      if (r.callbackBy !== actor.id) return 'the first determination is recorded by reviewer 1, who made the callback';
      if (t.step === 'approve' && r.callbackConfirmed !== true) return 'the callback did not confirm the requester, so the request cannot be approved';
      return null;
    case 'different reviewer':
      return r.determinedBy.includes(actor.id) ? 'this reviewer has already recorded a determination; the second must come from a different reviewer' : null;
    case 'agency member':
      return actor.agencyId === r.agencyId ? null : 'only the requesting agency can do this';
  }
}

/** The transition for `step` from the record's state, or a refusal (403 conflict of interest, 409 wrong state or wrong person). */
export function decide(r: EmergencyRecord, step: EmergencyStep, actor: Decider): StepDecision {
  if (step !== 'resolve') {
    const conflicted = conflictRefusal(r, actor, 'emergency request', 'requesting');
    if (conflicted) return { refused: { status: 403, reason: conflicted } };
  }
  const t = EMERGENCY_TRANSITIONS.find((x) => x.from === r.state && x.step === step);
  if (!t) return { refused: { status: 409, reason: wrongState(r, step) } };
  const refusal = takerRefusal(t, r, actor);
  return refusal ? { refused: { status: 409, reason: refusal } } : { to: t.to };
}

function wrongState(r: EmergencyRecord, step: EmergencyStep): string {
  if (step === 'callback' && r.callbackBy !== null) return 'the callback has already been recorded';
  if ((step === 'approve' || step === 'deny') && r.state === 'awaiting_callback') return 'reviewer 1 records the callback before the first determination';
  if (step === 'resolve' && r.state === 'resolved') return 'the emergency is already resolved';
  if (step === 'resolve') return `only an approved emergency can be resolved; this one is ${statusOf(r.state)}`;
  const settled = r.state === 'denied' || r.state === 'approved' || r.state === 'resolved';
  return `cannot ${STEP_WORDS[step]}: the emergency request is ${settled ? 'already ' : ''}${STATE_WORDS[r.state]}`;
}

/** The notice-delay transition for `step`, or null when the delay's state does not allow it. */
export function noticeDelayStep(from: NoticeDelayState, step: NoticeDelayStep): NoticeDelayState | null {
  return NOTICE_DELAY_TRANSITIONS.find((t) => t.from === from && t.step === step)?.to ?? null;
}
