// Pure decisions for user administration (issue 14, item 7): what a reason
// must be, and which suspensions are refused. No I/O.
import { accept, refuse, type Checked } from '../platform/problems.ts';
import type { Role } from '../platform/access.ts';

export const REASON_MAX = 500;

/** Every administrative action carries a reason for the audit trail: 1–500 characters, not blank. */
export function checkReason(reason: string): Checked<string> {
  const r = reason.trim();
  if (!r) return refuse('a reason is required', 'body.reason', 'must not be blank');
  if (r.length > REASON_MAX) return refuse(`the reason is longer than ${REASON_MAX} characters`, 'body.reason', `at most ${REASON_MAX} characters`);
  return accept(r);
}

/**
 * Why a suspension is refused, or null. An administrator never suspends
 * themselves, and the last active administrator stays: otherwise nobody could
 * unsuspend anyone again.
 */
export function suspensionRefusal(actorId: string, target: { id: string; role: Role; suspended: boolean }, activeAdmins: number): string | null {
  if (target.id === actorId) return 'you cannot suspend your own account';
  if (target.suspended) return 'this account is already suspended';
  if (target.role === 'admin' && activeAdmins <= 1) return 'this is the last active administrator';
  return null;
}
