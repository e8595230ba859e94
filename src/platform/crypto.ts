// Small wrappers over node:crypto used across capabilities. No home-made primitives.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** An opaque random token with a readable prefix naming its kind (e.g. "pls_" for sessions). */
export function randomToken(prefix: string, bytes = 32): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** A random id: 16 bytes, url-safe. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

export function sha256hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** HMAC-SHA256 (RFC 2104) of a label and a value: a low-entropy value (an address, an e-mail) stored so a copy of the database cannot reverse it. */
export function keyedHash(key: Uint8Array, label: string, value: string): string {
  return createHmac('sha256', key).update(`${label}\n${value}`).digest('hex');
}

/** Tokens are stored only as their SHA-256: they are high-entropy, so no salt or slow hash is needed. */
export const hashToken = (token: string) => sha256hex(token);

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
