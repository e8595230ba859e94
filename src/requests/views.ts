// What each audience sees of a request. Agency views carry no recipient
// counts, no answers and nothing about owners (PRODUCT.md principle 4); the
// public post carries only a coarse shape of the area.
import type { Polygon } from 'geojson';
import { coarseShape } from '../agencies/geo.ts';
import { lifecycleOf, type Lifecycle } from './policy.ts';
import type { RequestRow } from './repository.ts';

const iso = (t: number | null) => (t === null ? null : new Date(Number(t)).toISOString());

export interface Review {
  decision: 'approved' | 'rejected';
  reason: string | null;
  note: string | null;
  at: string;
}

export interface AgencyRequestView {
  id: string;
  agencyId: string;
  caseNumber: string;
  incidentType: string;
  description: string;
  investigatorContact: string;
  area: Polygon;
  window: { start: string; end: string };
  status: Lifecycle;
  review: Review | null;
  sentAt: string | null;
  expiresAt: string | null;
  closedAt: string | null;
  resolvedAt: string | null;
  createdAt: string;
}

function reviewOf(r: RequestRow): Review | null {
  if (r.status === 'pending' || r.reviewed_at === null) return null;
  return { decision: r.status === 'rejected' ? 'rejected' : 'approved', reason: r.review_reason, note: r.review_note, at: iso(r.reviewed_at)! };
}

export function toAgencyView(r: RequestRow, now: number): AgencyRequestView {
  return {
    id: r.id, agencyId: r.agency_id, caseNumber: r.case_number, incidentType: r.incident_type, description: r.description,
    investigatorContact: r.investigator_contact, area: JSON.parse(r.area) as Polygon,
    window: { start: iso(r.window_start)!, end: iso(r.window_end)! }, status: lifecycleOf(r, now), review: reviewOf(r),
    sentAt: iso(r.sent_at), expiresAt: iso(r.expires_at), closedAt: iso(r.closed_at), resolvedAt: iso(r.resolved_at), createdAt: iso(r.created_at)!,
  };
}

export interface ReviewerRequestView extends AgencyRequestView {
  agency: { id: string; name: string; type: string };
  createdBy: string;
  reviewedBy: string | null;
  areaSqMi: number;
  /** Homes an approval would reach now (issue 19): owners of opted-in cameras in the area who do not block this agency's type. Only on one pending request. */
  reach: number | null;
}

export interface PublicRequestPost {
  id: string;
  agency: { id: string; name: string; type: string };
  incidentType: string;
  /** The agency's own case reference, so the public can follow one case across requests and the log. */
  caseNumber: string;
  /** A coarse rectangle around the area, on a ~200 m grid; never the exact polygon. */
  area: Polygon;
  window: { start: string; end: string };
  status: 'open' | 'closed' | 'expired' | 'resolved';
  postedAt: string;
}

export function toPublicPost(r: RequestRow, agency: { id: string; name: string; type: string }, now: number): PublicRequestPost {
  const life = lifecycleOf(r, now);
  const status = r.resolved_at !== null ? 'resolved' : life === 'open' || life === 'closed' || life === 'expired' ? life : 'closed';
  return {
    id: r.id, agency, incidentType: r.incident_type, caseNumber: r.case_number, area: coarseShape(JSON.parse(r.area) as Polygon),
    window: { start: iso(r.window_start)!, end: iso(r.window_end)! }, status, postedAt: iso(r.sent_at ?? r.reviewed_at ?? r.created_at)!,
  };
}

export interface InboxItem {
  id: string;
  agency: { id: string; name: string; type: string };
  caseNumber: string;
  incidentType: string;
  description: string;
  investigatorContact: string;
  area: Polygon;
  window: { start: string; end: string };
  status: Lifecycle;
  receivedAt: string;
  expiresAt: string | null;
  answer: 'shared' | 'declined' | null;
  answeredAt: string | null;
}

export function toInboxItem(r: RequestRow & { notified_at: number; answered_at: number | null; answer: 'shared' | 'declined' | null; agency_name: string; agency_type: string }, now: number): InboxItem {
  return {
    id: r.id, agency: { id: r.agency_id, name: r.agency_name, type: r.agency_type }, caseNumber: r.case_number, incidentType: r.incident_type,
    description: r.description, investigatorContact: r.investigator_contact, area: JSON.parse(r.area) as Polygon,
    window: { start: iso(r.window_start)!, end: iso(r.window_end)! }, status: lifecycleOf(r, now), receivedAt: iso(r.notified_at)!,
    expiresAt: iso(r.expires_at), answer: r.answer, answeredAt: iso(r.answered_at),
  };
}
