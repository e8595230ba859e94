// Conflict of interest for anyone who decides a request for clip bytes (PRODUCT.md
// D and E; issue 17 defect 10). One rule for legal demands and emergency
// requests alike, and for the disclosure door when it counts emergency
// approvals, so the paths cannot drift apart. Pure: the caller loads the parties.
//
// A decider stands on the requesting agency's side when they are
//   - a member of that agency, or the person who submitted the request; or
//   - the administrator or reviewer who created or verified that agency: they
//     vouched for it, so they do not also judge what it asks for.
// (Who invited the agency's members is not recorded in a table, so it cannot be
// checked here.)

/** Who stands behind a request, as recorded: its agency, its submitter, and who created and verified that agency. */
export interface RequestParties {
  agencyId: string;
  submittedBy: string;
  agencyCreatedBy: string | null;
  agencyVerifiedBy: string | null;
}

/** The person about to decide: their account id and the agency their account belongs to, if any. */
export interface Decider {
  id: string;
  agencyId: string | null;
}

export type ConflictKind = 'member' | 'voucher';

/** Which conflict bars `decider` from deciding a request of `parties`, or null when there is none. */
export function conflictOf(parties: RequestParties, decider: Decider): ConflictKind | null {
  if (decider.agencyId === parties.agencyId || decider.id === parties.submittedBy) return 'member';
  if (decider.id === parties.agencyCreatedBy || decider.id === parties.agencyVerifiedBy) return 'voucher';
  return null;
}

/**
 * The refusal to show, or null. `what` names the request ("legal demand",
 * "emergency request") and `agency` how its agency is called ("demanding",
 * "requesting").
 */
export function conflictRefusal(parties: RequestParties, decider: Decider, what: string, agency: string): string | null {
  const kind = conflictOf(parties, decider);
  if (kind === 'member') return `a member of the ${agency} agency cannot review its ${what}`;
  if (kind === 'voucher') return `the administrator or reviewer who created or verified the ${agency} agency cannot review its ${what}`;
  return null;
}
