// Browser twin of src/ledger/primitives.ts, swapped in by the Vite build
// (vite.config.ts) so the shared pure ledger modules run unchanged in the page.
// Same synchronous signatures; SHA-256 and Ed25519 come from the audited
// @noble libraries because WebCrypto is asynchronous only.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { BASE64_RE } from '../../../src/ledger/bytes.ts';

export { bytesEqual, fromHex, toHex, utf8 } from '../../../src/ledger/bytes.ts';

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  return ed25519.getPublicKey(seed);
}

export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, seed);
}

/** Strict RFC 8032 verification (no ZIP-215 leniency), as node:crypto does; false for malformed input. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s);
}

/** Strict canonical base64, null otherwise (same contract as the Node version). */
export function fromBase64(text: string): Uint8Array | null {
  if (!BASE64_RE.test(text)) return null;
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return toBase64(bytes) === text ? bytes : null;
}
