// Pure account rules: password strength, e-mail normal form, login throttling.
import { COMMON_PASSWORDS } from './common-passwords.ts';

export const MIN_PASSWORD_LENGTH = 12;

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

// Login throttling (OWASP ASVS 2.2.1): failures are counted per account and per
// client address over a window; past the limit, further attempts wait.
export const THROTTLE = {
  windowMs: 15 * 60_000,
  perAccount: 5,
  perAddress: 20,
} as const;

export interface FailureCount {
  count: number;
  windowStart: number;
}

/** Milliseconds the caller must wait, or 0 when an attempt may proceed. */
export function throttleWait(failures: FailureCount | undefined, limit: number, now: number): number {
  if (!failures) return 0;
  const windowEnd = failures.windowStart + THROTTLE.windowMs;
  if (now >= windowEnd) return 0;
  return failures.count >= limit ? windowEnd - now : 0;
}

export function recordFailure(failures: FailureCount | undefined, now: number): FailureCount {
  if (!failures || now >= failures.windowStart + THROTTLE.windowMs) return { count: 1, windowStart: now };
  return { count: failures.count + 1, windowStart: failures.windowStart };
}

export const SESSION_TTL_MS = 30 * 24 * 3_600_000;
/** How long a resolved session may be reused without a database read. */
export const SESSION_CACHE_MS = 5_000;
export const SESSION_CACHE_MAX = 10_000;
/** How stale last_seen_at may get before a request refreshes it (saves a write per request). */
export const SESSION_TOUCH_MS = 60_000;

/** The 401 detail that tells a client to ask for the TOTP code. */
export const SESSION_TOTP_REQUIRED = 'TOTP code required';
