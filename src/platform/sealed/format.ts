// Chunked AES-256-GCM for objects at rest: clips, their thumbnails, legal
// documents and disclosed copies (format described in src/clips/README.md).
// Every object has its own random 32-byte data key, so nonces can be derived
// deterministically from (object id, chunk index, final flag) without ever
// repeating under one key — the STREAM construction of Hoang, Reyhanitabar,
// Rogaway and Vizár ("Online Authenticated-Encryption and its Nonce-Reuse
// Misuse-Resistance", CRYPTO 2015). The same values go into the associated data,
// so a chunk moved, dropped, duplicated or cut off fails authentication.
// This file holds the format and whole-buffer or in-memory work; streams.ts
// holds the streaming sealer and opener.
// A KeyObject made once per object: passing raw key bytes to createCipheriv would import the key again for every chunk.
import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

export const CHUNK_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const HEADER_SIZE = 16;
export const SEALED_CHUNK = CHUNK_SIZE + TAG_SIZE;
const MAGIC = Buffer.from('PLC1', 'latin1');
const VERSION = 1;

/** The fixed 16-byte header: magic, version, chunk size. Bound into every chunk's AAD. */
export const HEADER: Buffer = (() => {
  const h = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(h, 0);
  h.writeUInt8(VERSION, 4);
  h.writeUInt32BE(CHUNK_SIZE, 8);
  return h;
})();

/** Sealed data that is not what was sealed: tampered, truncated, reordered or under another key or id. */
export class SealedDataError extends Error {}

export const newDataKey = (): Buffer => randomBytes(32);

/** Chunks in a sealed blob: always at least one (an empty object is one empty final chunk). */
export const chunkCount = (plainSize: number): number => Math.max(1, Math.ceil(plainSize / CHUNK_SIZE));
export const sealedSize = (plainSize: number): number => HEADER_SIZE + plainSize + chunkCount(plainSize) * TAG_SIZE;

/** Inverse of sealedSize; undefined when no plaintext size maps to it (a truncated or padded blob). */
export function plainSizeOf(sealed: number): number | undefined {
  const body = sealed - HEADER_SIZE;
  if (body < TAG_SIZE) return undefined;
  const chunks = Math.ceil(body / SEALED_CHUNK);
  const plain = body - chunks * TAG_SIZE;
  return plain >= 0 && sealedSize(plain) === sealed ? plain : undefined;
}

/** 7-byte nonce prefix from the context id; 4-byte index; 1-byte final flag (STREAM, §7). */
function nonceFor(prefix: Buffer, index: number, final: boolean): Buffer {
  if (!Number.isSafeInteger(index) || index < 0 || index > 0xffffffff) throw new SealedDataError('chunk index out of range');
  const n = Buffer.alloc(12);
  prefix.copy(n, 0, 0, 7);
  n.writeUInt32BE(index, 7);
  n[11] = final ? 1 : 0;
  return n;
}

function aadFor(context: Buffer, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeBigUInt64BE(BigInt(index), 0);
  tail[8] = final ? 1 : 0;
  return Buffer.concat([context, tail]);
}

/**
 * Per-object constants: the nonce prefix, the AAD head and the header that
 * starts the object. Server-sealed objects derive them from the object id
 * (Context.of); an end-to-end envelope (envelope.ts) brings its own header.
 */
export class Context {
  readonly prefix: Buffer;
  readonly aadHead: Buffer;
  readonly header: Buffer;
  constructor(prefix: Buffer, aadHead: Buffer, header: Buffer) {
    this.prefix = prefix;
    this.aadHead = aadHead;
    this.header = header;
  }

  /** header || len(id) || id as the AAD head; SHA-256 of the id for the nonce prefix. */
  static of(contextId: string): Context {
    const id = Buffer.from(contextId, 'utf8');
    // The label predates the move out of clips/; it is part of the format, so it stays.
    const prefix = createHash('sha256').update('porchlight clip nonce v1\0').update(id).digest();
    const len = Buffer.alloc(4);
    len.writeUInt32BE(id.length);
    return new Context(prefix, Buffer.concat([HEADER, len, id]), HEADER);
  }
}

/** Seals one chunk given as one or more consecutive pieces (no copy to join them). */
export function sealChunk(key: KeyObject, ctx: Context, index: number, final: boolean, plain: Buffer | Buffer[]): Buffer[] {
  const c = createCipheriv('aes-256-gcm', key, nonceFor(ctx.prefix, index, final), { authTagLength: TAG_SIZE });
  c.setAAD(aadFor(ctx.aadHead, index, final));
  const out = (Array.isArray(plain) ? plain : [plain]).map((p) => c.update(p));
  c.final();
  out.push(c.getAuthTag());
  return out;
}

export function openChunk(key: KeyObject, ctx: Context, index: number, final: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG_SIZE) throw new SealedDataError(`chunk ${index} is truncated`);
  const d = createDecipheriv('aes-256-gcm', key, nonceFor(ctx.prefix, index, final), { authTagLength: TAG_SIZE });
  d.setAAD(aadFor(ctx.aadHead, index, final));
  d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  const out = d.update(sealed.subarray(0, sealed.length - TAG_SIZE));
  try {
    d.final();
  } catch {
    throw new SealedDataError(`chunk ${index} failed authentication`);
  }
  return out;
}

/** Seals a whole buffer (small things: thumbnails). */
export function sealBuffer(rawKey: Buffer, contextId: string, plain: Buffer): Buffer {
  const key = createSecretKey(rawKey);
  const ctx = Context.of(contextId);
  const n = chunkCount(plain.length);
  const out: Buffer[] = [HEADER];
  for (let i = 0; i < n; i++) out.push(...sealChunk(key, ctx, i, i === n - 1, plain.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE)));
  return Buffer.concat(out);
}

export function openBuffer(rawKey: Buffer, contextId: string, sealed: Buffer): Buffer {
  const key = createSecretKey(rawKey);
  const plain = plainSizeOf(sealed.length);
  if (plain === undefined) throw new SealedDataError('sealed data has an impossible length');
  if (!sealed.subarray(0, HEADER_SIZE).equals(HEADER)) throw new SealedDataError('unknown sealed format');
  const ctx = Context.of(contextId);
  const n = chunkCount(plain);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const start = HEADER_SIZE + i * SEALED_CHUNK;
    out.push(openChunk(key, ctx, i, i === n - 1, sealed.subarray(start, Math.min(start + SEALED_CHUNK, sealed.length))));
  }
  return Buffer.concat(out);
}

/** Where in the sealed blob the chunks covering plaintext bytes [start, end] lie. */
export function sealedRangeFor(plainSize: number, start: number, end: number) {
  const first = Math.floor(start / CHUNK_SIZE);
  const last = Math.floor(end / CHUNK_SIZE);
  const total = sealedSize(plainSize);
  return {
    firstChunk: first,
    lastChunk: last,
    start: HEADER_SIZE + first * SEALED_CHUNK,
    end: Math.min(HEADER_SIZE + (last + 1) * SEALED_CHUNK, total) - 1,
  };
}

/**
 * Plaintext bytes [start, end] from `sealed`, the bytes sealedRangeFor() names,
 * already in memory (small ranges: one read, no stream machinery).
 */
export function openSealedRange(rawKey: Buffer, contextId: string, plainSize: number, start: number, end: number, sealed: Buffer): Buffer[] {
  const r = sealedRangeFor(plainSize, start, end);
  if (sealed.length !== r.end - r.start + 1) throw new SealedDataError('sealed data is truncated');
  const key = createSecretKey(rawKey);
  const ctx = Context.of(contextId);
  const finalChunk = chunkCount(plainSize) - 1;
  const out: Buffer[] = [];
  for (let i = r.firstChunk; i <= r.lastChunk; i++) {
    const at = (i - r.firstChunk) * SEALED_CHUNK;
    let p = openChunk(key, ctx, i, i === finalChunk, sealed.subarray(at, Math.min(at + SEALED_CHUNK, sealed.length)));
    const from = i === r.firstChunk ? start - i * CHUNK_SIZE : 0;
    const to = i === r.lastChunk ? end - i * CHUNK_SIZE + 1 : p.length;
    p = p.subarray(from, to);
    if (p.length) out.push(p);
  }
  return out;
}
