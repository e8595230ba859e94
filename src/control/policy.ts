// The Control Center's rules (issue 14), pure.
import { type Checked, accept, refuse } from '../platform/problems.ts';

export const EXPORT = {
  /** A download link lives this long after the ZIP is ready. */
  lifetimeMs: 24 * 3_600_000,
  /** Far above any owner's footage (5 GB is the figure the issue names); a bound, so a bug cannot fill the disk. */
  maxBytes: 256 * 1024 ** 3,
} as const;

/** The words the owner types to confirm deleting the account. */
export const DELETE_CONFIRMATION = 'delete my account';

/** Deleting needs the exact confirmation; anything else is refused on that field. */
export function checkDeletionConfirmation(confirm: string): Checked<true> {
  return confirm.trim().toLowerCase() === DELETE_CONFIRMATION ? accept(true) : refuse(`to delete the account, type "${DELETE_CONFIRMATION}"`, 'body.confirm', `type "${DELETE_CONFIRMATION}" to confirm`);
}
