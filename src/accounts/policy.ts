// Pure account rules: password strength, e-mail normal form, login throttling.
import { COMMON_PASSWORDS } from './common-passwords.ts';

export const MIN_PASSWORD_LENGTH = 12;
/** The rules below in words, for the sign-up and password forms: one source, so the hint cannot drift (issue 19). */
export const PASSWORD_RULES = `At least ${MIN_PASSWORD_LENGTH} characters; not a common password, and not your e-mail address`;

/** Returns a reason the password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 1024) return 'must be at most 1024 characters';
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return 'is too common; choose another';
  if (email && lower === email.toLowerCase()) return 'must not be your e-mail address';
  return null;
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

// Sign-in throttling (OWASP ASVS 2.2.1; issue 17, defect 5). Failures are
// counted under three keys: the account and address together, the account
// alone, and the address alone. Past a few free tries each key backs off
// exponentially, from the last failure, up to a cap; nothing is a hard lockout.
// The account-wide key never applies to an address the account has signed in
// from before, so an outsider guessing from elsewhere can slow new devices but
// cannot keep the owner, or a reviewer on the emergency path, out.
export const THROTTLE = {
  /** Failures older than this are forgotten. */
  windowMs: 15 * 60_000,
  /** Failures allowed under each key before any wait. */
  free: { pair: 3, account: 10, address: 30 },
  baseMs: 1_000,
  maxMs: 15 * 60_000,
} as const;

export interface FailureCount {
  count: number;
  lastAt: number;
}

export interface ThrottleKeys {
  pair: string;
  account: string;
  address: string;
}

export const throttleKeys = (email: string, address: string): ThrottleKeys => ({
  pair: `pair:${email}|${address}`,
  account: `account:${email}`,
  address: `address:${address}`,
});

/** Milliseconds to wait under one key: baseMs · 2^(failures − free), at most maxMs, from the last failure. */
export function backoffWait(f: FailureCount | undefined, free: number, now: number): number {
  if (!f || now - f.lastAt >= THROTTLE.windowMs || f.count < free) return 0;
  const wait = Math.min(THROTTLE.maxMs, THROTTLE.baseMs * 2 ** Math.min(f.count - free, 30));
  return Math.max(0, f.lastAt + wait - now);
}

/** The wait before this attempt may be checked at all; 0 to go ahead. */
export function signInWait(f: { pair?: FailureCount; account?: FailureCount; address?: FailureCount }, knownAddress: boolean, now: number): number {
  return Math.max(
    backoffWait(f.pair, THROTTLE.free.pair, now),
    backoffWait(f.address, THROTTLE.free.address, now),
    knownAddress ? 0 : backoffWait(f.account, THROTTLE.free.account, now),
  );
}

/** "in 8 seconds", "in 4 minutes": the wait as a person reads it. */
export function waitText(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 90) return `in ${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  return `in ${m} minute${m === 1 ? '' : 's'}`;
}

export const SESSION_TTL_MS = 30 * 24 * 3_600_000;
/** How long a resolved session may be reused without a database read. */
export const SESSION_CACHE_MS = 5_000;
export const SESSION_CACHE_MAX = 10_000;
/** How stale last_seen_at may get before a request refreshes it (saves a write per request). */
export const SESSION_TOUCH_MS = 60_000;

/** The 401 detail that tells a client to ask for the TOTP code. */
export const SESSION_TOTP_REQUIRED = 'TOTP code required';
