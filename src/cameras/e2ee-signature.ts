// The device signature over an end-to-end clip (RFC 8032 Ed25519). It covers
// what the owner can check once the clip is open: the plaintext's SHA-256 and
// the envelope header it was sealed under, with the camera, times and kind.
// It travels inside the sealed clip secret (src/platform/sealed/hpke.ts), so
// the server never holds it, nor the plaintext hash. Runs in Node and the
// browser (WebCrypto Ed25519), so the web app and the offline evidence
// command verify it with this code.
//
// Payload (UTF-8, every line ending in "\n"):
//   porchlight-clip-e2ee-v1 / camera id / plaintext SHA-256 (hex) /
//   SHA-256 of the 40-byte envelope header (hex) / startedAt / endedAt / kind

export const E2EE_SIGNATURE_VERSION = 'porchlight-clip-e2ee-v1';

export type TimeInput = Date | number | string;

/** The canonical spelling of a time in a payload; throws RangeError on an invalid time. */
export function canonicalTime(t: TimeInput): string {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid time: ${String(t)}`);
  return new Date(ms).toISOString();
}

export interface E2eeSigningFields {
  cameraId: string;
  plainSha256: string;
  headerSha256: string;
  startedAt: TimeInput;
  endedAt: TimeInput;
  kind: string;
}

export function e2eeSigningPayload(f: E2eeSigningFields): Uint8Array {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(f.cameraId)) throw new RangeError('camera id has characters outside [A-Za-z0-9_-]');
  for (const h of [f.plainSha256, f.headerSha256]) if (!/^[0-9a-f]{64}$/.test(h)) throw new RangeError('hashes are 64 lower-case hexadecimal characters');
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(f.kind)) throw new RangeError('kind must be a lower-case word');
  const lines = [E2EE_SIGNATURE_VERSION, f.cameraId, f.plainSha256, f.headerSha256, canonicalTime(f.startedAt), canonicalTime(f.endedAt), f.kind];
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
export const sha256Hex = async (bytes: Uint8Array): Promise<string> => hex(await crypto.subtle.digest('SHA-256', bytes as BufferSource));

/** False for any malformed key or signature, never an exception. */
export async function verifyE2eeSignature(devicePublicKey: Uint8Array, payload: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (devicePublicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey('raw', devicePublicKey as BufferSource, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, payload as BufferSource);
  } catch {
    return false;
  }
}
