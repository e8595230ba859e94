// TOTP (RFC 6238) with the otpauth library: SHA-1, 6 digits, 30 s steps, the
// defaults every authenticator app understands. Verification allows ±1 step
// (RFC 6238 §5.2) and refuses any step at or before the last one accepted, so a
// code cannot be replayed.
import { Secret, TOTP } from 'otpauth';
import { open, seal } from '../platform/master-key.ts';

const ISSUER = 'Porchlight';
const PERIOD = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string) {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
}

export function totpUri(secret: string, email: string): string {
  return totp(secret, email).toString();
}

/** Returns the accepted time step, or null if the code is wrong or replayed. */
export function verifyTotp(secret: string, code: string, now: number, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secret, '').validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

/** The current code, for tests and the demo. */
export function totpCode(secret: string, now: number): string {
  return totp(secret, '').generate({ timestamp: now });
}

const sealContext = (userId: string) => `porchlight totp secret v1\0${userId}`;

/** The stored form of a TOTP secret: sealed under the master key, base64. */
export function sealTotpSecret(master: Buffer, userId: string, secret: string): string {
  return seal(master, Buffer.from(secret, 'utf8'), sealContext(userId)).toString('base64');
}

export function openTotpSecret(master: Buffer, userId: string, stored: string): string | null {
  return open(master, Buffer.from(stored, 'base64'), sealContext(userId))?.toString('utf8') ?? null;
}
