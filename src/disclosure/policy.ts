// THE disclosure rule (ENGINEERING.md, "The disclosure rule lives in one pure
// function"; PRODUCT.md principle 1). A clip's bytes reach someone other than its
// owner only when one basis on record holds for that exact clip, that recipient
// and that moment:
//   (a) consent: the owner consented to share that clip with that recipient;
//   (b) warrant: an approved, unexpired search warrant of that agency whose
//       scope covers the clip's camera and time;
//   (c) emergency: two approvals by two different reviewers, none of them in a
//       conflict of interest (conflict.ts: the requester, a member of the
//       requesting agency, or who created or verified it), whose scope covers the
//       clip's camera and time, and the recipient is the requesting agency.
// End-to-end encrypted clips are never disclosed on (b) or (c): the server cannot
// read them (PRODUCT.md principle 5), so the answer is "not disclosable:
// end-to-end encrypted".
//
// Pure: no I/O, no clock; everything arrives as arguments. Callers load the
// bases and facts, call this, and act on the answer in the same transaction.
import { conflictOf } from './conflict.ts';

/** Who receives the bytes: one agency, or everyone (a public feed post). */
export type Recipient = { kind: 'public' } | { kind: 'agency'; agencyId: string; agencyType: string | null };

/** The value stored in `disclosures.recipient` and compared against consents: an agency id or 'public'. */
export const recipientKey = (r: Recipient): string => (r.kind === 'public' ? 'public' : r.agencyId);

export interface ClipFacts {
  id: string;
  ownerId: string;
  cameraId: string;
  /** Where the camera stands; needed for address-and-radius scopes. Null when the camera is gone. */
  cameraLocation: { lat: number; lon: number } | null;
  startedAt: number;
  endedAt: number;
  /** The clip came from an end-to-end encrypted camera (or the camera is in that mode now). */
  e2ee: boolean;
  deleted: boolean;
}

export interface TimeRange {
  from: number;
  to: number;
}

/** What a demand or emergency covers: named cameras and/or a point with a radius, within time ranges. */
export interface Scope {
  cameraIds: readonly string[];
  area: { lat: number; lon: number; radiusM: number } | null;
  ranges: readonly TimeRange[];
}

interface BasisCommon {
  /** The request, post, demand or emergency id: the `ref` of the log entry. */
  id: string;
  revokedAt: number | null;
  expiresAt: number | null;
}

export interface ConsentBasis extends BasisCommon {
  kind: 'consent';
  ownerId: string;
  clipId: string;
  /** recipientKey() of whom the owner consented to share with. */
  recipient: string;
  givenAt: number;
}

export interface WarrantBasis extends BasisCommon {
  kind: 'warrant';
  agencyId: string;
  status: 'pending' | 'approved' | 'rejected';
  scope: Scope;
  approvedAt: number | null;
  reviewerIds: readonly string[];
}

export interface Determination {
  reviewerId: string;
  /** The reviewer's own agency, if they belong to one (staff normally do not). */
  reviewerAgencyId: string | null;
  decision: 'approve' | 'deny';
  at: number;
}

export interface EmergencyBasis extends BasisCommon {
  kind: 'emergency';
  agencyId: string;
  requesterId: string;
  /** Who created and who verified the requesting agency: they vouched for it, so their approvals do not count. */
  agencyCreatedBy: string | null;
  agencyVerifiedBy: string | null;
  scope: Scope;
  determinations: readonly Determination[];
  resolvedAt: number | null;
}

export type Basis = ConsentBasis | WarrantBasis | EmergencyBasis;
export type BasisKind = Basis['kind'];

export interface OwnerPolicy {
  /** Agency types the owner will not share with by consent (PRODUCT.md H). Law does not ask this. */
  blockedAgencyTypes: readonly string[];
}

export type RefusalCode =
  | 'deleted'
  | 'e2ee'
  | 'no_basis'
  | 'wrong_clip'
  | 'wrong_owner'
  | 'wrong_recipient'
  | 'owner_policy'
  | 'not_approved'
  | 'revoked'
  | 'expired'
  | 'resolved'
  | 'not_yet'
  | 'out_of_scope_camera'
  | 'out_of_scope_time'
  | 'two_reviewers_needed'
  | 'denied';

export type Decision = { allow: true; basis: Basis } | { allow: false; code: RefusalCode; reason: string };

export interface DisclosureQuestion {
  recipient: Recipient;
  clip: ClipFacts;
  bases: readonly Basis[];
  ownerPolicy: OwnerPolicy;
  now: number;
  /** The owner's browser re-wrapped an end-to-end clip's secret for the recipient (consent only). */
  rewrapped?: boolean;
}

export const E2EE_REFUSAL = 'not disclosable: end-to-end encrypted';

type Refusal = Extract<Decision, { allow: false }>;
const refuse = (code: RefusalCode, reason: string): Refusal => ({ allow: false, code, reason });

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres (haversine, mean Earth radius, IUGG). */
export function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Whether the scope names the clip's camera, or the camera stands inside the scope's circle. */
export function scopeCoversCamera(scope: Scope, clip: Pick<ClipFacts, 'cameraId' | 'cameraLocation'>): boolean {
  if (scope.cameraIds.includes(clip.cameraId)) return true;
  return scope.area !== null && clip.cameraLocation !== null && distanceM(scope.area, clip.cameraLocation) <= scope.area.radiusM;
}

/**
 * Whether the clip's recording lies inside one of the scope's ranges. Containment,
 * not overlap: a clip that runs past the authorised window would release footage
 * the order does not cover (minimum disclosure, PRODUCT.md principle 4).
 */
export function scopeCoversTime(scope: Scope, clip: Pick<ClipFacts, 'startedAt' | 'endedAt'>): boolean {
  return scope.ranges.some((r) => clip.startedAt >= r.from && clip.endedAt <= r.to);
}

function checkLifetime(b: BasisCommon, now: number): Refusal | null {
  if (b.revokedAt !== null && b.revokedAt <= now) return refuse('revoked', `basis ${b.id} was revoked`);
  if (b.expiresAt !== null && b.expiresAt <= now) return refuse('expired', `basis ${b.id} has expired`);
  return null;
}

function checkScope(scope: Scope, clip: ClipFacts): Refusal | null {
  if (!scopeCoversCamera(scope, clip)) return refuse('out_of_scope_camera', `clip ${clip.id}'s camera is outside the scope`);
  if (!scopeCoversTime(scope, clip)) return refuse('out_of_scope_time', `clip ${clip.id}'s time is outside the scope`);
  return null;
}

function decideConsent(q: DisclosureQuestion, b: ConsentBasis): Decision {
  const { clip, recipient, ownerPolicy, now } = q;
  if (b.clipId !== clip.id) return refuse('wrong_clip', `consent ${b.id} is for another clip`);
  if (b.ownerId !== clip.ownerId) return refuse('wrong_owner', 'only the clip\'s owner can consent to share it');
  if (b.recipient !== recipientKey(recipient)) return refuse('wrong_recipient', `consent ${b.id} names another recipient`);
  if (b.givenAt > now) return refuse('not_yet', `consent ${b.id} is not given yet`);
  const life = checkLifetime(b, now);
  if (life) return life;
  if (recipient.kind === 'agency' && recipient.agencyType !== null && ownerPolicy.blockedAgencyTypes.includes(recipient.agencyType)) {
    return refuse('owner_policy', `the owner does not share with ${recipient.agencyType} agencies`);
  }
  // The server cannot make a copy of ciphertext it cannot read; the owner's own
  // browser re-wraps the clip's secret for the recipient instead (PRODUCT.md H).
  if (clip.e2ee && !q.rewrapped) return refuse('e2ee', `${E2EE_REFUSAL}; share it from your browser, which re-wraps its key for the recipient`);
  return { allow: true, basis: b };
}

function decideWarrant(q: DisclosureQuestion, b: WarrantBasis): Decision {
  const { clip, recipient, now } = q;
  if (recipient.kind !== 'agency' || recipient.agencyId !== b.agencyId) return refuse('wrong_recipient', `warrant ${b.id} releases only to the agency that served it`);
  if (b.status !== 'approved' || b.approvedAt === null) return refuse('not_approved', `warrant ${b.id} is not approved`);
  if (b.approvedAt > now) return refuse('not_yet', `warrant ${b.id} is not approved yet`);
  const life = checkLifetime(b, now);
  if (life) return life;
  const scope = checkScope(b.scope, clip);
  if (scope) return scope;
  if (clip.e2ee) return refuse('e2ee', E2EE_REFUSAL);
  return { allow: true, basis: b };
}

/** The distinct reviewers whose approvals count: none with a conflict of interest (conflict.ts). */
export function eligibleApprovals(b: Pick<EmergencyBasis, 'agencyId' | 'requesterId' | 'agencyCreatedBy' | 'agencyVerifiedBy' | 'determinations'>, now: number): string[] {
  const parties = { agencyId: b.agencyId, submittedBy: b.requesterId, agencyCreatedBy: b.agencyCreatedBy, agencyVerifiedBy: b.agencyVerifiedBy };
  const ids = new Set<string>();
  for (const d of b.determinations) {
    if (d.at > now || d.decision !== 'approve') continue;
    if (conflictOf(parties, { id: d.reviewerId, agencyId: d.reviewerAgencyId }) !== null) continue;
    ids.add(d.reviewerId);
  }
  return [...ids];
}

function decideEmergency(q: DisclosureQuestion, b: EmergencyBasis): Decision {
  const { clip, recipient, now } = q;
  if (recipient.kind !== 'agency' || recipient.agencyId !== b.agencyId) return refuse('wrong_recipient', `emergency ${b.id} releases only to the requesting agency`);
  if (b.determinations.some((d) => d.at <= now && d.decision === 'deny')) return refuse('denied', `a reviewer denied emergency ${b.id}`);
  if (eligibleApprovals(b, now).length < 2) return refuse('two_reviewers_needed', `emergency ${b.id} needs approvals from two different eligible reviewers`);
  if (b.resolvedAt !== null && b.resolvedAt <= now) return refuse('resolved', `emergency ${b.id} is resolved`);
  const life = checkLifetime(b, now);
  if (life) return life;
  const scope = checkScope(b.scope, clip);
  if (scope) return scope;
  if (clip.e2ee) return refuse('e2ee', E2EE_REFUSAL);
  return { allow: true, basis: b };
}

/**
 * The one decision. Allows on the first basis that holds; otherwise refuses with
 * the most telling reason: a deleted clip, then an end-to-end encryption refusal
 * (the answer the law-enforcement paths must give), then the first basis's own.
 */
export function decideDisclosure(q: DisclosureQuestion): Decision {
  if (q.clip.deleted) return refuse('deleted', `clip ${q.clip.id} is deleted`);
  if (q.bases.length === 0) return refuse('no_basis', 'no consent, warrant or emergency basis covers this clip for this recipient');
  const refusals: Refusal[] = [];
  for (const b of q.bases) {
    const d = b.kind === 'consent' ? decideConsent(q, b) : b.kind === 'warrant' ? decideWarrant(q, b) : decideEmergency(q, b);
    if (d.allow) return d;
    refusals.push(d);
  }
  return refusals.find((r) => r.code === 'e2ee') ?? refusals[0];
}
