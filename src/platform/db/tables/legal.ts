import type { Generated } from 'kysely';

// Legal demands, emergency requests, the reviewers' audit trail and owner
// notices (PRODUCT.md D and E; issue 6). Scopes are JSON text of
// { cameraIds, area: { lat, lon, radiusM } | null, ranges: [{ from, to }] } in epoch ms.

export type DemandType = 'search_warrant' | 'court_order' | 'subpoena' | 'preservation';
export type DemandStatus = 'pending' | 'approved' | 'rejected';
/** An emergency request's state; the transitions between them are in emergency/states.ts. */
export type EmergencyState =
  | 'awaiting_callback' | 'awaiting_first_determination' | 'awaiting_second_determination' | 'denied' | 'approved' | 'resolved';

export interface LegalDemandsTable {
  id: string;
  agency_id: string;
  type: DemandType;
  status: DemandStatus;
  issuing_authority: string;
  case_number: string;
  /** End of a nondisclosure order; owners are told on this date, not before. */
  nondisclosure_until: number | null;
  /** The scope as submitted, and the scope in force (narrower after a narrowing review). */
  scope_requested: string;
  scope: string;
  /** The PDF, sealed in the legal document store. */
  document_key: string;
  document_wrapped_key: Uint8Array;
  document_sha256: string;
  document_size: number;
  submitted_by: string;
  created_at: number;
  reviewed_by: string | null;
  reviewed_at: number | null;
  /** 'approve' | 'narrow' | 'reject' */
  review_decision: string | null;
  review_reason: string | null;
  /** JSON of the non-content records a subpoena or court order released. */
  records: string | null;
  /** Preservation: when the holds end, and whether the one extension was used. */
  hold_until: number | null;
  hold_extended: number;
  /** Clips in scope refused as "not disclosable: end-to-end encrypted". */
  refused_e2ee: Generated<number>;
}


export interface EmergencyRequestsTable {
  id: string;
  agency_id: string;
  /** The signed-in member who submitted it, and the officer named on the form. */
  submitted_by: string;
  officer_name: string;
  callback_phone: string;
  nature: string;
  imminent_danger: string;
  why_no_process: string;
  scope: string;
  /** emergency/states.ts: where the request is in its life. */
  state: EmergencyState;
  created_at: number;
  callback_by: string | null;
  callback_number: string | null;
  callback_at: number | null;
  callback_confirmed: number | null;
  decided_at: number | null;
  disclosed_at: number | null;
  resolved_at: number | null;
  /** Court-ordered delay of the owner notice, with the order, sealed like demand documents. */
  notice_delay_until: number | null;
  notice_delay_order_key: string | null;
  notice_delay_order_wrapped_key: Uint8Array | null;
  notice_delay_order_sha256: string | null;
  /** A requested delay waiting for a reviewer: the court's date and when it was asked for. */
  notice_delay_requested_until: number | null;
  notice_delay_requested_at: number | null;
  follow_up_demand_id: string | null;
  /** Set on day 7 when no follow-up legal process was linked: the "no follow-up" flag. */
  no_follow_up_at: number | null;
  /** Clips in scope refused as "not disclosable: end-to-end encrypted". */
  refused_e2ee: Generated<number>;
}

export interface EmergencyDeterminationsTable {
  id: string;
  emergency_id: string;
  reviewer_id: string;
  decision: 'approve' | 'deny';
  reasons: string;
  created_at: number;
}

/** Every reviewer action: who, what, when and why (issue 6 §3). Append-only. */
export interface ReviewAuditTable {
  id: string;
  actor_id: string;
  action: string;
  subject_kind: string;
  subject_id: string;
  reason: string;
  /** JSON of anything else worth keeping (the narrowed scope, the callback number). */
  details: string;
  created_at: number;
}

/** Notices owed to owners, sent by a job when due, so a restart loses none. */
export interface OwnerNoticesTable {
  id: string;
  owner_id: string;
  /** 'legal_demand' | 'emergency' */
  subject_kind: string;
  subject_id: string;
  due_at: number;
  sent_at: number | null;
  created_at: number;
}

export interface LegalTables {
  legal_demands: LegalDemandsTable;
  emergency_requests: EmergencyRequestsTable;
  emergency_determinations: EmergencyDeterminationsTable;
  review_audit: ReviewAuditTable;
  owner_notices: OwnerNoticesTable;
}
