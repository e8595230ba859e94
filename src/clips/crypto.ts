// Chunked AES-256-GCM for clips at rest (format described in README.md here).
// Every clip has its own random 32-byte data key, so nonces can be derived
// deterministically from (clip id, chunk index, final flag) without ever
// repeating under one key — the STREAM construction of Hoang, Reyhanitabar,
// Rogaway and Vizár ("Online Authenticated-Encryption and its Nonce-Reuse
// Misuse-Resistance", CRYPTO 2015). The same values go into the associated data,
// so a chunk moved, dropped, duplicated or cut off fails authentication.
// A KeyObject made once per blob: passing raw key bytes to createCipheriv would import the key again for every chunk.
import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

export const CHUNK_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const HEADER_SIZE = 16;
const SEALED_CHUNK = CHUNK_SIZE + TAG_SIZE;
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

export class ClipCryptoError extends Error {}

export const newDataKey = (): Buffer => randomBytes(32);

/** Chunks in a sealed blob: always at least one (an empty clip is one empty final chunk). */
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
  if (!Number.isSafeInteger(index) || index < 0 || index > 0xffffffff) throw new ClipCryptoError('chunk index out of range');
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

/** Per-blob constants: nonce prefix and the AAD head (header || len(id) || id). */
class Context {
  readonly prefix: Buffer;
  readonly aadHead: Buffer;
  constructor(contextId: string) {
    const id = Buffer.from(contextId, 'utf8');
    this.prefix = createHash('sha256').update('porchlight clip nonce v1\0').update(id).digest();
    const len = Buffer.alloc(4);
    len.writeUInt32BE(id.length);
    this.aadHead = Buffer.concat([HEADER, len, id]);
  }
}

/** Seals one chunk given as one or more consecutive pieces (no copy to join them). */
function sealChunk(key: KeyObject, ctx: Context, index: number, final: boolean, plain: Buffer | Buffer[]): Buffer[] {
  const c = createCipheriv('aes-256-gcm', key, nonceFor(ctx.prefix, index, final), { authTagLength: TAG_SIZE });
  c.setAAD(aadFor(ctx.aadHead, index, final));
  const out = (Array.isArray(plain) ? plain : [plain]).map((p) => c.update(p));
  c.final();
  out.push(c.getAuthTag());
  return out;
}

function openChunk(key: KeyObject, ctx: Context, index: number, final: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG_SIZE) throw new ClipCryptoError(`chunk ${index} is truncated`);
  const d = createDecipheriv('aes-256-gcm', key, nonceFor(ctx.prefix, index, final), { authTagLength: TAG_SIZE });
  d.setAAD(aadFor(ctx.aadHead, index, final));
  d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  const out = d.update(sealed.subarray(0, sealed.length - TAG_SIZE));
  try {
    d.final();
  } catch {
    throw new ClipCryptoError(`chunk ${index} failed authentication`);
  }
  return out;
}

/** Collects stream input into fixed-size pieces, copying only when a piece spans writes. */
class Accumulator {
  #parts: Buffer[] = [];
  length = 0;
  push(b: Buffer) {
    if (b.length) {
      this.#parts.push(b);
      this.length += b.length;
    }
  }
  take(n: number): Buffer {
    if (this.#parts.length > 1 && this.#parts[0].length < n) this.#parts = [Buffer.concat(this.#parts, this.length)];
    const head = this.#parts[0] ?? Buffer.alloc(0);
    const out = head.subarray(0, n);
    if (head.length > n) this.#parts[0] = head.subarray(n);
    else this.#parts.shift();
    this.length -= out.length;
    return out;
  }
  takeAll(): Buffer {
    return this.take(this.length);
  }
  /** The first n bytes as the pieces they arrived in (the last one cut), without joining them. */
  takeParts(n: number): Buffer[] {
    const out: Buffer[] = [];
    let need = Math.min(n, this.length);
    this.length -= need;
    while (need > 0) {
      const head = this.#parts[0];
      if (head.length <= need) {
        out.push(head);
        this.#parts.shift();
        need -= head.length;
      } else {
        out.push(head.subarray(0, need));
        this.#parts[0] = head.subarray(need);
        need = 0;
      }
    }
    return out;
  }
}

/**
 * Incremental sealing without streams: `push` plaintext as it arrives and get
 * the sealed bytes that are ready; `end` seals the final chunk. A chunk is
 * sealed only once more input is known to follow, so the last chunk always
 * carries the final flag. The first output is the header.
 */
export class Sealer {
  #key: KeyObject;
  #ctx: Context;
  #acc = new Accumulator();
  #index = 0;
  #started = false;
  constructor(key: Buffer, contextId: string) {
    this.#key = createSecretKey(key);
    this.#ctx = new Context(contextId);
  }
  #head(out: Buffer[]) {
    if (!this.#started) {
      out.push(HEADER);
      this.#started = true;
    }
  }
  push(plain: Buffer): Buffer[] {
    const out: Buffer[] = [];
    this.#head(out);
    this.#acc.push(plain);
    while (this.#acc.length > CHUNK_SIZE) out.push(...sealChunk(this.#key, this.#ctx, this.#index++, false, this.#acc.takeParts(CHUNK_SIZE)));
    return out;
  }
  end(): Buffer[] {
    const out: Buffer[] = [];
    this.#head(out);
    out.push(...sealChunk(this.#key, this.#ctx, this.#index++, true, this.#acc.takeParts(this.#acc.length)));
    return out;
  }
}

/** The Sealer as a Transform stream. */
export class EncryptStream extends Transform {
  #sealer: Sealer;
  constructor(key: Buffer, contextId: string) {
    super();
    this.#sealer = new Sealer(key, contextId);
  }
  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    try {
      for (const b of this.#sealer.push(chunk)) this.push(b);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
  _flush(cb: TransformCallback) {
    try {
      for (const b of this.#sealer.end()) this.push(b);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
}

/** Seals a whole buffer (small things: thumbnails). */
export function sealBuffer(rawKey: Buffer, contextId: string, plain: Buffer): Buffer {
  const key = createSecretKey(rawKey);
  const ctx = new Context(contextId);
  const n = chunkCount(plain.length);
  const out: Buffer[] = [HEADER];
  for (let i = 0; i < n; i++) out.push(...sealChunk(key, ctx, i, i === n - 1, plain.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE)));
  return Buffer.concat(out);
}

export function openBuffer(rawKey: Buffer, contextId: string, sealed: Buffer): Buffer {
  const key = createSecretKey(rawKey);
  const plain = plainSizeOf(sealed.length);
  if (plain === undefined) throw new ClipCryptoError('sealed data has an impossible length');
  if (!sealed.subarray(0, HEADER_SIZE).equals(HEADER)) throw new ClipCryptoError('unknown sealed format');
  const ctx = new Context(contextId);
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
 * Decrypts sealed chunks firstChunk..lastChunk (the input starts at firstChunk's
 * first byte) and emits plaintext bytes [skip, skip+take) of that run.
 * `finalChunk` is the index of the blob's last chunk, known from the recorded
 * plaintext size, so a blob cut at a chunk boundary is caught: its new last
 * chunk was sealed as non-final.
 */
export class DecryptStream extends Transform {
  #key: KeyObject;
  #ctx: Context;
  #acc = new Accumulator();
  #index: number;
  #lastChunk: number;
  #finalChunk: number;
  #skip: number;
  #left: number;
  #expectHeader: boolean;
  constructor(key: Buffer, contextId: string, opts: { firstChunk: number; lastChunk: number; finalChunk: number; skip?: number; take?: number; withHeader?: boolean }) {
    super();
    this.#key = createSecretKey(key);
    this.#ctx = new Context(contextId);
    this.#index = opts.firstChunk;
    this.#lastChunk = opts.lastChunk;
    this.#finalChunk = opts.finalChunk;
    this.#skip = opts.skip ?? 0;
    this.#left = opts.take ?? Number.MAX_SAFE_INTEGER;
    this.#expectHeader = opts.withHeader ?? false;
  }
  #open(sealed: Buffer) {
    const i = this.#index++;
    if (i > this.#lastChunk) throw new ClipCryptoError('data after the last chunk');
    let p = openChunk(this.#key, this.#ctx, i, i === this.#finalChunk, sealed);
    if (this.#skip) {
      const s = Math.min(this.#skip, p.length);
      p = p.subarray(s);
      this.#skip -= s;
    }
    if (p.length > this.#left) p = p.subarray(0, this.#left);
    this.#left -= p.length;
    if (p.length) this.push(p);
  }
  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    try {
      this.#acc.push(chunk);
      if (this.#expectHeader) {
        if (this.#acc.length < HEADER_SIZE) return cb();
        if (!this.#acc.take(HEADER_SIZE).equals(HEADER)) throw new ClipCryptoError('unknown sealed format');
        this.#expectHeader = false;
      }
      while (this.#acc.length >= SEALED_CHUNK) this.#open(this.#acc.take(SEALED_CHUNK));
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
  _flush(cb: TransformCallback) {
    try {
      if (this.#expectHeader) throw new ClipCryptoError('sealed data is truncated');
      // A partial chunk can only be the blob's final chunk; openChunk enforces that through the flag.
      if (this.#acc.length) this.#open(this.#acc.takeAll());
      if (this.#index !== this.#lastChunk + 1) throw new ClipCryptoError('sealed data is truncated');
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
}

/**
 * Plaintext bytes [start, end] from `sealed`, the bytes sealedRangeFor() names,
 * already in memory (small ranges: one read, no stream machinery).
 */
export function openSealedRange(rawKey: Buffer, contextId: string, plainSize: number, start: number, end: number, sealed: Buffer): Buffer[] {
  const r = sealedRangeFor(plainSize, start, end);
  if (sealed.length !== r.end - r.start + 1) throw new ClipCryptoError('sealed data is truncated');
  const key = createSecretKey(rawKey);
  const ctx = new Context(contextId);
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

/** A source of sealed bytes: the blob store's ranged read. */
export type OpenSealed = (range: { start: number; end: number }) => Promise<Readable>;

/** Plaintext bytes [start, end] (inclusive) of a sealed blob, decrypting only the chunks they fall in. */
export async function decryptRange(open: OpenSealed, key: Buffer, contextId: string, plainSize: number, start: number, end: number): Promise<Readable> {
  if (!(start >= 0 && end >= start && end < Math.max(plainSize, 1))) throw new RangeError('range outside the plaintext');
  const r = sealedRangeFor(plainSize, start, end);
  const src = await open({ start: r.start, end: r.end });
  const dec = new DecryptStream(key, contextId, {
    firstChunk: r.firstChunk,
    lastChunk: r.lastChunk,
    finalChunk: chunkCount(plainSize) - 1,
    skip: start - r.firstChunk * CHUNK_SIZE,
    take: end - start + 1,
  });
  src.on('error', (err) => dec.destroy(err));
  return src.pipe(dec);
}

/** The whole plaintext of a sealed blob, header checked. */
export async function decryptAll(open: OpenSealed, key: Buffer, contextId: string, plainSize: number): Promise<Readable> {
  const src = await open({ start: 0, end: sealedSize(plainSize) - 1 });
  const finalChunk = chunkCount(plainSize) - 1;
  const dec = new DecryptStream(key, contextId, { firstChunk: 0, lastChunk: finalChunk, finalChunk, withHeader: true });
  src.on('error', (err) => dec.destroy(err));
  return src.pipe(dec);
}
