// Pure rules for community requests (PRODUCT.md C; issue 5 §2). The limits
// follow Ring's published Request for Assistance policy and are kept exactly.
import { LIMITS as CLIP_LIMITS } from '../clips/policy.ts';
import { DAY, HOUR } from '../platform/clock.ts';
import { SQ_MILE_M2, areaM2, bboxOf, checkArea, polygonWithin, type Area } from '../agencies/geo.ts';
import type { Polygon } from 'geojson';
import type { FieldProblem } from '../platform/problems.ts';

export const INCIDENT_TYPES = [
  'burglary', 'theft', 'vehicle_theft', 'vehicle_break_in', 'robbery', 'assault', 'homicide', 'shooting',
  'hit_and_run', 'vandalism', 'arson', 'missing_person', 'fire_investigation',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** Why a reviewer refuses a request (issue 5 §2, "Review"): uses the product does not allow, and quality reasons. */
export const REVIEW_REASONS = [
  'lawful_assembly_or_protest', 'general_announcement', 'victim_identification', 'outside_jurisdiction', 'insufficient_detail', 'other',
] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

export const REQUEST_LIMITS = {
  caseNumberMaxLength: 64,
  descriptionMaxLength: 2000,
  contactMaxLength: 300,
  noteMaxLength: 2000,
  minAreaM2: 0.025 * SQ_MILE_M2,
  maxAreaM2: 0.5 * SQ_MILE_M2,
  minWindowMs: 15 * 60_000,
  maxWindowMs: 12 * HOUR,
  /** The window may start no earlier than the longest retention an owner can choose: older footage cannot exist. */
  maxLookbackMs: CLIP_LIMITS.retentionMaxDays * DAY,
  lifetimeMs: 10 * DAY,
  reminders: [24 * HOUR, 72 * HOUR] as const,
} as const;

export interface RequestInput {
  caseNumber: string;
  incidentType: string;
  description: string;
  investigatorContact: string;
  area: unknown;
  window: { start: string; end: string };
}

export interface CheckedRequest {
  caseNumber: string;
  incidentType: IncidentType;
  description: string;
  investigatorContact: string;
  area: Polygon;
  areaM2: number;
  bbox: ReturnType<typeof bboxOf>;
  windowStart: number;
  windowEnd: number;
}

const sqmi = (m2: number) => (m2 / SQ_MILE_M2).toFixed(3);

/** Every limit of a new request, against the agency's jurisdiction and the current time. */
export function checkRequest(input: RequestInput, jurisdiction: Area, now: number): { value: CheckedRequest } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const caseNumber = input.caseNumber.trim();
  if (!caseNumber) problems.push({ field: 'body.caseNumber', message: 'is required' });
  if (!(INCIDENT_TYPES as readonly string[]).includes(input.incidentType)) problems.push({ field: 'body.incidentType', message: `must be one of ${INCIDENT_TYPES.join(', ')}` });
  if (input.description.length > REQUEST_LIMITS.descriptionMaxLength) problems.push({ field: 'body.description', message: `must be at most ${REQUEST_LIMITS.descriptionMaxLength} characters` });
  const contact = input.investigatorContact.trim();
  if (!contact) problems.push({ field: 'body.investigatorContact', message: 'is required' });

  const geo = checkArea(input.area, 'body.area', { multi: false, holes: false });
  let area = 0;
  if ('problems' in geo) problems.push(...geo.problems);
  else {
    area = areaM2(geo.value);
    if (area < REQUEST_LIMITS.minAreaM2 || area > REQUEST_LIMITS.maxAreaM2) {
      problems.push({ field: 'body.area', message: `covers ${sqmi(area)} sq mi; it must cover 0.025 to 0.5 square miles` });
    } else if (!polygonWithin(geo.value as Polygon, jurisdiction)) {
      problems.push({ field: 'body.area', message: "must lie inside the agency's jurisdiction" });
    }
  }

  const start = Date.parse(input.window.start);
  const end = Date.parse(input.window.end);
  if (!Number.isFinite(start) || !Number.isFinite(end)) problems.push({ field: 'body.window', message: 'start and end must be ISO 8601 times' });
  else {
    const len = end - start;
    if (end > now) problems.push({ field: 'body.window.end', message: 'must be in the past' });
    if (len < REQUEST_LIMITS.minWindowMs) problems.push({ field: 'body.window', message: 'must be at least 15 minutes long' });
    if (len > REQUEST_LIMITS.maxWindowMs) problems.push({ field: 'body.window', message: 'must be at most 12 hours long' });
    if (start < now - REQUEST_LIMITS.maxLookbackMs) problems.push({ field: 'body.window.start', message: `must be within the last ${CLIP_LIMITS.retentionMaxDays} days (the longest retention)` });
  }
  if (problems.length || 'problems' in geo) return { problems };
  return {
    value: {
      caseNumber, incidentType: input.incidentType as IncidentType, description: input.description.trim(), investigatorContact: contact,
      area: geo.value as Polygon, areaM2: area, bbox: bboxOf(geo.value), windowStart: start, windowEnd: end,
    },
  };
}

export type Lifecycle = 'pending' | 'rejected' | 'open' | 'closed' | 'expired';

/** The state a request is in now: the expiry needs no background job to take effect. */
export function lifecycleOf(r: { status: string; expires_at: number | null; closed_at: number | null }, now: number): Lifecycle {
  if (r.status === 'pending') return 'pending';
  if (r.status === 'rejected') return 'rejected';
  if (r.status === 'closed' || r.closed_at !== null) return 'closed';
  if (r.expires_at !== null && Number(r.expires_at) <= now) return 'expired';
  return 'open';
}

/** A clip is in a request's scope when its time overlaps the window (its camera is checked against the area separately). */
export function overlapsWindow(clip: { started_at: number; ended_at: number }, r: { window_start: number; window_end: number }): boolean {
  return Number(clip.started_at) <= Number(r.window_end) && Number(clip.ended_at) >= Number(r.window_start);
}

/** Which reminder is due for an owner who has not answered: the later one wins if both are due. */
export function reminderDue(sentAt: number, now: number, sent: { r24: boolean; r72: boolean }): 24 | 72 | null {
  const [first, second] = REQUEST_LIMITS.reminders;
  if (!sent.r72 && now - sentAt >= second) return 72;
  if (!sent.r24 && !sent.r72 && now - sentAt >= first) return 24;
  return null;
}
