// The device signature over a clip (RFC 8032 Ed25519, via node:crypto).
//
// A camera signs, with the key it registered at enrolment, a short canonical
// text naming the camera, the SHA-256 of the clip's bytes, its times and its
// kind. The server checks it at ingest and keeps it, so the clip can later be
// shown to come from that device unaltered ("verified for authenticity").
//
// The payload is versioned and newline-separated. Each field has one spelling:
// times are re-rendered as ISO 8601 UTC with milliseconds, so "…T10:00:00Z" sent
// by a device and "…T10:00:00.000Z" stored by the server sign the same bytes;
// the hash is lower-case hex; no field may hold a newline, so no field can
// forge the next one.
//
// Verification is pure and treats every input as attacker-controlled: bad
// base64, a key or signature of the wrong length, or a point off the curve all
// give `false`, never an exception.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalTime, type TimeInput } from './e2ee-signature.ts';

export { canonicalTime, type TimeInput };

export const CLIP_SIGNATURE_VERSION = 'porchlight-clip-v1';
/** The request header carrying the base64 signature (lower case, as Node presents headers). */
export const DEVICE_SIGNATURE_HEADER = 'x-device-signature';

const ED25519_PUBLIC_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;


export interface ClipSigningFields {
  cameraId: string;
  /** SHA-256 of the clip's bytes as sent, 64 hexadecimal characters. */
  sha256: string;
  startedAt: TimeInput;
  endedAt: TimeInput;
  /** The event kind: motion, doorbell, glass_break, manual. */
  kind: string;
}


/**
 * The bytes a device signs for a clip. Throws RangeError when a field cannot be
 * put in canonical form (an invalid time, a hash that is not 64 hex digits, an
 * id or kind with characters outside its alphabet): callers validate first.
 */
export function clipSigningPayload(f: ClipSigningFields): Buffer {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(f.cameraId)) throw new RangeError('camera id has characters outside [A-Za-z0-9_-]');
  if (!/^[0-9a-fA-F]{64}$/.test(f.sha256)) throw new RangeError('sha256 must be 64 hexadecimal characters');
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(f.kind)) throw new RangeError('kind must be a lower-case word');
  const lines = [CLIP_SIGNATURE_VERSION, f.cameraId, f.sha256.toLowerCase(), canonicalTime(f.startedAt), canonicalTime(f.endedAt), f.kind];
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

/**
 * Strict base64 (RFC 4648 §4, padding optional) or base64url (§5). Node's own
 * decoder skips characters it does not know, which would let two different
 * header values name the same key; this refuses them instead.
 */
export function decodeBase64Strict(s: unknown): Buffer | null {
  if (typeof s !== 'string' || s.length === 0 || s.length > 4096) return null;
  const std = /^[A-Za-z0-9+/]+={0,2}$/.test(s);
  const url = /^[A-Za-z0-9_-]+={0,2}$/.test(s);
  if (!std && !url) return null;
  const body = s.replace(/=+$/, '');
  if (s.includes('=') && s.length % 4 !== 0) return null;
  const encoding = url && !std ? 'base64url' : 'base64';
  const bytes = Buffer.from(body, encoding);
  // Re-encoding must give the same text: this refuses stray trailing bits and
  // impossible lengths, so each byte string has exactly one accepted spelling.
  return bytes.toString(encoding).replace(/=+$/, '') === body ? bytes : null;
}

/** A public key object from base64 of the raw 32-byte Ed25519 key, or null. */
export function parseDevicePublicKey(publicKeyB64: unknown): KeyObject | null {
  const raw = decodeBase64Strict(publicKeyB64);
  if (!raw || raw.length !== ED25519_PUBLIC_KEY_BYTES) return null;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  } catch {
    return null;
  }
}

/** Canonical storage form of a device key (standard base64 with padding), or null if it is not one. */
export function normaliseDevicePublicKey(publicKeyB64: unknown): string | null {
  const key = parseDevicePublicKey(publicKeyB64);
  return key ? exportDevicePublicKey(key) : null;
}

/** True only when `signatureB64` is a valid Ed25519 signature of `payload` by the key. */
export function verifyClipSignature(publicKeyB64: unknown, payload: Uint8Array, signatureB64: unknown): boolean {
  const key = parseDevicePublicKey(publicKeyB64);
  const sig = decodeBase64Strict(signatureB64);
  if (!key || !sig || sig.length !== ED25519_SIGNATURE_BYTES || !(payload instanceof Uint8Array)) return false;
  try {
    return verify(null, payload, key, sig);
  } catch {
    return false;
  }
}

// The device side, used by the camera agent.

/** Base64 of the raw 32-byte public key, the form enrolment registers. */
export function exportDevicePublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** Signs a payload with the device's private key (PKCS#8 PEM or a KeyObject); returns base64. */
export function signClipPayload(privateKey: KeyObject | string, payload: Uint8Array): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign(null, payload, key).toString('base64');
}
