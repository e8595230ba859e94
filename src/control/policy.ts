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

export const CONTACT = { nameMax: 100, phoneMax: 30, emailMax: 254 } as const;

export interface ContactChoice {
  enabled: boolean;
  name: string | null;
  phone: string | null;
  email: string | null;
}

// Deliberately plain: one @, no spaces, a dot in the domain (RFC 5321 caps the address at 254).
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
// Digits with the usual separators and an optional leading +; 7 to 15 digits (ITU-T E.164 allows 15).
const PHONE = /^\+?[0-9 ().-]+$/;
const CONTROL = /[\p{Cc}\p{Cf}]/u;

const blank = (s: string | null | undefined) => (s ?? '').trim() || null;

/**
 * What the owner asked to share with agencies, trimmed and checked. On needs a
 * name and a phone number or e-mail address; off keeps what was typed, so
 * turning it on again needs no retyping.
 */
export function checkContact(input: { enabled: boolean; name?: string | null; phone?: string | null; email?: string | null }): Checked<ContactChoice> {
  const name = blank(input.name), phone = blank(input.phone), email = blank(input.email);
  if (name && (name.length > CONTACT.nameMax || CONTROL.test(name))) return refuse(`the name must be at most ${CONTACT.nameMax} characters of plain text`, 'body.name', 'is too long or holds control characters');
  if (phone) {
    const digits = phone.replace(/\D/g, '').length;
    if (phone.length > CONTACT.phoneMax || !PHONE.test(phone) || digits < 7 || digits > 15) return refuse('the phone number must be 7 to 15 digits, with an optional + and spaces, dots, dashes or brackets', 'body.phone', 'is not a phone number');
  }
  if (email && (email.length > CONTACT.emailMax || !EMAIL.test(email))) return refuse('the e-mail address is not valid', 'body.email', 'is not an e-mail address');
  if (input.enabled && !name) return refuse('to share contact details, give a name', 'body.name', 'is required to share');
  if (input.enabled && !phone && !email) return refuse('to share contact details, give a phone number or an e-mail address', 'body.phone', 'a phone number or an e-mail address is required to share');
  return accept({ enabled: input.enabled, name, phone, email });
}
