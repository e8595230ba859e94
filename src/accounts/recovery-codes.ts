// TOTP recovery codes: ten one-time codes shown once at enrolment, for when
// the authenticator is lost. Each is 12 characters of lowercase base32 (60
// bits) in three groups, e.g. "abcd-efgh-2345". That is far beyond guessing
// under the sign-in throttle, so a keyed hash (HMAC under the master key,
// bound to the user) is enough to store them, as with session tokens; a slow
// password hash would cost ten verifications per attempt for no gain.
import { randomBytes } from 'node:crypto';
import { keyedHash } from '../platform/crypto.ts';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const GROUPS = 3;
const GROUP_LENGTH = 4;

function newCode(): string {
  // 32 divides 256, so masking a byte to 5 bits picks every letter equally.
  const bytes = randomBytes(GROUPS * GROUP_LENGTH);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]);
  const groups: string[] = [];
  for (let i = 0; i < GROUPS; i++) groups.push(chars.slice(i * GROUP_LENGTH, (i + 1) * GROUP_LENGTH).join(''));
  return groups.join('-');
}

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
}

/** The canonical form, or null if the input cannot be a recovery code: people type them with other case, spaces or no dashes. */
export function normaliseRecoveryCode(input: string): string | null {
  const bare = input.toLowerCase().replace(/[\s-]/g, '');
  if (bare.length !== GROUPS * GROUP_LENGTH || ![...bare].every((c) => ALPHABET.includes(c))) return null;
  return bare;
}

/** A 6-digit string is a TOTP code; anything else entered at the second step is tried as a recovery code. */
export const isTotpShaped = (input: string) => /^\s*\d{6}\s*$/.test(input);

export function hashRecoveryCode(master: Uint8Array, userId: string, code: string): string | null {
  const bare = normaliseRecoveryCode(code);
  return bare === null ? null : keyedHash(master, 'porchlight-recovery-code', `${userId}\0${bare}`);
}
