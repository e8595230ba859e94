// The end-to-end envelope (format in src/platform/sealed/README.md): what a
// camera in end-to-end mode uploads instead of an MP4. It is the chunked
// AES-256-GCM STREAM layout of format.ts under a fresh content key that only
// the owner (and whoever the owner re-wraps it for) can open, with a header of
// its own that carries the plaintext size and a random envelope id.
//
// This file runs in Node and in the browser alike: it imports nothing from
// Node and decrypts with WebCrypto (globalThis.crypto.subtle), so the web
// app's player, the agency's offline decrypt command and the tests share one
// implementation. The agent's streaming encryption uses node:crypto through
// format.ts (envelope-seal.ts), because per-chunk WebCrypto calls are slower.

export const ENVELOPE_MAGIC = 'PLE1';
export const ENVELOPE_VERSION = 1;
export const ENVELOPE_HEADER_SIZE = 40;
export const ENVELOPE_ID_SIZE = 16;
export const ENVELOPE_CHUNK = 64 * 1024;
const TAG = 16;
const SEALED = ENVELOPE_CHUNK + TAG;

/** An envelope that is not well formed, or a chunk that fails authentication. */
export class EnvelopeError extends Error {}

export interface EnvelopeHeader {
  plainSize: number;
  envelopeId: Uint8Array;
  /** The 40 header bytes, bound into every chunk's AAD and into the sealed key. */
  bytes: Uint8Array;
}

export const envelopeChunks = (plainSize: number): number => Math.max(1, Math.ceil(plainSize / ENVELOPE_CHUNK));
export const envelopeSize = (plainSize: number): number => ENVELOPE_HEADER_SIZE + plainSize + envelopeChunks(plainSize) * TAG;

/** "PLE1" | version u8 | 3 zero | chunk size u32 BE | 4 zero | plaintext size u64 BE | envelope id (16). */
export function buildEnvelopeHeader(plainSize: number, envelopeId: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(plainSize) || plainSize < 0) throw new EnvelopeError('plaintext size out of range');
  if (envelopeId.length !== ENVELOPE_ID_SIZE) throw new EnvelopeError(`the envelope id is ${ENVELOPE_ID_SIZE} bytes`);
  const h = new Uint8Array(ENVELOPE_HEADER_SIZE);
  const v = new DataView(h.buffer);
  h.set(new TextEncoder().encode(ENVELOPE_MAGIC), 0);
  h[4] = ENVELOPE_VERSION;
  v.setUint32(8, ENVELOPE_CHUNK);
  v.setBigUint64(16, BigInt(plainSize));
  h.set(envelopeId, 24);
  return h;
}

/** Parses and checks a header; throws EnvelopeError naming what is wrong. */
export function parseEnvelopeHeader(bytes: Uint8Array): EnvelopeHeader {
  if (bytes.length < ENVELOPE_HEADER_SIZE) throw new EnvelopeError(`the envelope is shorter than its ${ENVELOPE_HEADER_SIZE}-byte header`);
  const h = bytes.subarray(0, ENVELOPE_HEADER_SIZE);
  const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
  if (new TextDecoder().decode(h.subarray(0, 4)) !== ENVELOPE_MAGIC) {
    const ftyp = new TextDecoder().decode(h.subarray(4, 8)) === 'ftyp';
    throw new EnvelopeError(ftyp ? 'this is a plain MP4, not an end-to-end envelope' : `the envelope does not start with "${ENVELOPE_MAGIC}"`);
  }
  if (h[4] !== ENVELOPE_VERSION) throw new EnvelopeError(`unknown envelope version ${h[4]}`);
  if (v.getUint32(8) !== ENVELOPE_CHUNK) throw new EnvelopeError(`the envelope's chunk size must be ${ENVELOPE_CHUNK}`);
  if (h[5] | h[6] | h[7] | v.getUint32(12)) throw new EnvelopeError('the envelope header has non-zero reserved bytes');
  const size = v.getBigUint64(16);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new EnvelopeError('the plaintext size is out of range');
  return { plainSize: Number(size), envelopeId: h.slice(24, 40), bytes: h.slice() };
}

/**
 * The structure check the server can make without any key (issue 15 §3): the
 * header is well formed and the envelope is exactly as long as its header's
 * plaintext size implies, so a wrong chunk count or size is refused.
 */
export function checkEnvelope(headerBytes: Uint8Array, totalSize: number): EnvelopeHeader {
  const h = parseEnvelopeHeader(headerBytes);
  const want = envelopeSize(h.plainSize);
  if (totalSize !== want) {
    throw new EnvelopeError(`the envelope is ${totalSize} bytes, but a ${h.plainSize}-byte plaintext in ${envelopeChunks(h.plainSize)} chunks makes ${want}`);
  }
  return h;
}

/** Which envelope bytes hold plaintext bytes [start, end] (inclusive). */
export function envelopeRangeFor(plainSize: number, start: number, end: number) {
  if (!(start >= 0 && end >= start && end < Math.max(plainSize, 1))) throw new EnvelopeError('range outside the plaintext');
  const firstChunk = Math.floor(start / ENVELOPE_CHUNK);
  const lastChunk = Math.floor(end / ENVELOPE_CHUNK);
  return {
    firstChunk, lastChunk,
    start: ENVELOPE_HEADER_SIZE + firstChunk * SEALED,
    end: Math.min(ENVELOPE_HEADER_SIZE + (lastChunk + 1) * SEALED, envelopeSize(plainSize)) - 1,
  };
}

/** Nonce = envelope id[0..7] | index u32 BE | final u8 (STREAM; as format.ts with the id as prefix). */
export function chunkNonce(envelopeId: Uint8Array, index: number, final: boolean): Uint8Array {
  const n = new Uint8Array(12);
  n.set(envelopeId.subarray(0, 7), 0);
  new DataView(n.buffer).setUint32(7, index);
  n[11] = final ? 1 : 0;
  return n;
}

/** AAD = header | index u64 BE | final u8. */
export function chunkAad(header: Uint8Array, index: number, final: boolean): Uint8Array {
  const a = new Uint8Array(header.length + 9);
  a.set(header, 0);
  new DataView(a.buffer).setBigUint64(header.length, BigInt(index));
  a[header.length + 8] = final ? 1 : 0;
  return a;
}

export function importContentKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw as BufferSource, { name: 'AES-GCM' }, false, ['decrypt']);
}

/**
 * Decrypts the chunks `sealed` holds (as fetched for envelopeRangeFor) and
 * returns plaintext bytes [start, end]. A tampered, moved or cut chunk fails
 * with EnvelopeError; no unauthenticated byte is ever returned.
 */
export async function openEnvelopeRange(key: CryptoKey, header: EnvelopeHeader, start: number, end: number, sealed: Uint8Array): Promise<Uint8Array> {
  const r = envelopeRangeFor(header.plainSize, start, end);
  if (sealed.length !== r.end - r.start + 1) throw new EnvelopeError(`expected ${r.end - r.start + 1} envelope bytes for this range, got ${sealed.length}`);
  const finalChunk = envelopeChunks(header.plainSize) - 1;
  const out = new Uint8Array(end - start + 1);
  let at = 0;
  const opened = await Promise.all(Array.from({ length: r.lastChunk - r.firstChunk + 1 }, (_, k) => {
    const i = r.firstChunk + k;
    const piece = sealed.subarray(k * SEALED, Math.min((k + 1) * SEALED, sealed.length));
    return crypto.subtle.decrypt({ name: 'AES-GCM', iv: chunkNonce(header.envelopeId, i, i === finalChunk) as BufferSource, additionalData: chunkAad(header.bytes, i, i === finalChunk) as BufferSource, tagLength: 128 }, key, piece as BufferSource)
      .then((p) => new Uint8Array(p), () => { throw new EnvelopeError(`chunk ${i} failed authentication: the clip was altered or the key is wrong`); });
  }));
  opened.forEach((p, k) => {
    const i = r.firstChunk + k;
    const from = i === r.firstChunk ? start - i * ENVELOPE_CHUNK : 0;
    const to = i === r.lastChunk ? end - i * ENVELOPE_CHUNK + 1 : p.length;
    out.set(p.subarray(from, to), at);
    at += to - from;
  });
  if (at !== out.length) throw new EnvelopeError('the envelope is shorter than its header says');
  return out;
}
