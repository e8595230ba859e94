// Byte helpers the ledger needs on every platform. They use only what both
// Node and browsers have, so src/ledger/primitives.ts and its browser twin
// (web/src/ledger/primitives.ts) share them instead of keeping two copies.

/** Strict standard base64 shape (RFC 4648 §4): padding required, no whitespace. */
export const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

/** Lower-case hex only; null for anything else. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// One of each: a non-streaming decode keeps no state between calls, and the
// verifier decodes every entry of the log (a decoder per call showed in profiles).
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const utf8 = {
  encode: (text: string): Uint8Array => encoder.encode(text),
  /** Fatal decoding: invalid UTF-8 yields null, never U+FFFD substitutes. */
  decode: (bytes: Uint8Array): string | null => {
    try {
      return decoder.decode(bytes);
    } catch {
      return null;
    }
  },
};
