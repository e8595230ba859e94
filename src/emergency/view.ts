// What an emergency request looks like to its agency and to reviewers. The
// agency sees its own form, the outcome and what it received; never owners.
import type { DisclosureView } from '../disclosure/service.ts';
import { parseScope, scopeView } from '../legal/policy.ts';
import { E2EE_REFUSAL } from '../disclosure/policy.ts';
import { EMERGENCY } from './policy.ts';
import { statusOf } from './states.ts';
import type { DeterminationRow, EmergencyRow } from './repository.ts';

const iso = (t: number | null) => (t === null ? null : new Date(Number(t)).toISOString());

export function toEmergencyView(e: EmergencyRow, dets: DeterminationRow[], released: DisclosureView[], now: number, audience: 'agency' | 'staff') {
  const disclosedAt = e.disclosed_at === null ? null : Number(e.disclosed_at);
  return {
    id: e.id,
    agencyId: e.agency_id,
    status: statusOf(e.state),
    /** Where the request is in its life (emergency/states.ts). */
    state: e.state,
    officerName: e.officer_name,
    callbackPhone: e.callback_phone,
    nature: e.nature,
    imminentDanger: e.imminent_danger,
    whyNoProcess: e.why_no_process,
    scope: scopeView(parseScope(e.scope)),
    createdAt: iso(e.created_at)!,
    ageMs: Math.max(0, now - Number(e.created_at)),
    callback: e.callback_by === null ? null : {
      reviewerId: e.callback_by, numberDialled: audience === 'staff' ? e.callback_number : null, at: iso(e.callback_at)!, confirmed: e.callback_confirmed === 1,
    },
    determinations: dets.map((d) => ({ reviewerId: d.reviewer_id, decision: d.decision, reasons: audience === 'staff' ? d.reasons : null, at: iso(d.created_at)! })),
    decidedAt: iso(e.decided_at),
    released: released.map((r) => ({ disclosureId: r.id, clipId: r.clipId, sha256: r.originalSha256, at: r.createdAt })),
    disclosedAt: iso(disclosedAt),
    resolvedAt: iso(e.resolved_at),
    noticeDelayUntil: iso(e.notice_delay_until),
    /** A court-ordered delay waiting for a reviewer: notice keeps its schedule until one approves it. */
    noticeDelayRequested: e.notice_delay_requested_until === null ? null : { until: iso(e.notice_delay_requested_until)!, at: iso(e.notice_delay_requested_at)! },
    refused: Number(e.refused_e2ee) > 0 ? { clips: Number(e.refused_e2ee), reason: E2EE_REFUSAL } : null,
    followUp: {
      dueAt: disclosedAt === null ? null : iso(disclosedAt + EMERGENCY.followUpMs),
      demandId: e.follow_up_demand_id,
      /** The "no follow-up legal process" flag, set on day 7 with its log entry. */
      noFollowUp: e.no_follow_up_at !== null,
    },
  };
}

export type EmergencyView = ReturnType<typeof toEmergencyView>;
