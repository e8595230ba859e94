// Standard base64 (RFC 4648 §4) on Uint8Array with only what Node and browsers
// both have (btoa/atob), for the formats the browser shares with the server.

const SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Strict: padding required, no whitespace or URL alphabet; null for anything else. */
export function fromBase64(text: string): Uint8Array | null {
  if (typeof text !== 'string' || !SHAPE.test(text)) return null;
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
