// The only door from the pure ledger modules to cryptography and byte encodings.
// Everything else in src/ledger that must also run in a browser (merkle, note,
// checkpoint, tiles, entry, verify) imports hashing, Ed25519 and base64 from here,
// so a web build can swap this one file for a WebCrypto / JS implementation with
// the same synchronous signatures. Nothing here is home-made cryptography: it is
// node:crypto with the key encodings Ed25519 needs (RFC 8032 seeds, RFC 8410 DER).
import { createPrivateKey, createPublicKey, hash, randomBytes as nodeRandomBytes, sign, verify } from 'node:crypto';
import { BASE64_RE } from './bytes.ts';

export { bytesEqual, fromHex, toHex, utf8 } from './bytes.ts';

/** SHA-256 of the concatenation of the parts (FIPS 180-4). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  const out = hash('sha256', data, 'buffer');
  // A plain Uint8Array view, so results compare equal to the browser adapter's.
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function randomBytes(n: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(n));
}

// RFC 8410 §7 PKCS#8 prefix for an Ed25519 private key: the 32-byte seed follows.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
// RFC 8410 §4 SubjectPublicKeyInfo prefix for an Ed25519 public key.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function privateKeyFromSeed(seed: Uint8Array) {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** The 32-byte Ed25519 public key for a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  const spki = createPublicKey(privateKeyFromSeed(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length));
}

/** A deterministic Ed25519 signature (RFC 8032 §5.1.6): 64 bytes. */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKeyFromSeed(seed)));
}

/** Verifies an Ed25519 signature; false (never a throw) for any malformed input. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Strict standard base64 (RFC 4648 §4): padding required, no whitespace, and the
 * canonical encoding only (unused bits zero), so one byte string has one text.
 * Returns null instead of throwing: callers turn it into their own typed error.
 */
export function fromBase64(text: string): Uint8Array | null {
  if (!BASE64_RE.test(text)) return null;
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  return toBase64(bytes) === text ? bytes : null;
}
