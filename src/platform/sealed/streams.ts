// The chunked format of format.ts as streams: a sealer fed as bytes arrive
// (uploads), and an opener that decrypts only the chunks a range falls in
// (playback, exports), so neither holds a whole object in memory.
import { createSecretKey, type KeyObject } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { CHUNK_SIZE, Context, HEADER, HEADER_SIZE, SEALED_CHUNK, SealedDataError, chunkCount, openChunk, sealChunk, sealedRangeFor, sealedSize } from './format.ts';

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
  /** `context`: an object id (Context.of), or a Context that brings its own header (envelopes). */
  constructor(key: Buffer, context: string | Context) {
    this.#key = createSecretKey(key);
    this.#ctx = typeof context === 'string' ? Context.of(context) : context;
  }
  #head(out: Buffer[]) {
    if (!this.#started) {
      out.push(this.#ctx.header);
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
  constructor(key: Buffer, context: string | Context) {
    super();
    this.#sealer = new Sealer(key, context);
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
    this.#ctx = Context.of(contextId);
    this.#index = opts.firstChunk;
    this.#lastChunk = opts.lastChunk;
    this.#finalChunk = opts.finalChunk;
    this.#skip = opts.skip ?? 0;
    this.#left = opts.take ?? Number.MAX_SAFE_INTEGER;
    this.#expectHeader = opts.withHeader ?? false;
  }
  #open(sealed: Buffer) {
    const i = this.#index++;
    if (i > this.#lastChunk) throw new SealedDataError('data after the last chunk');
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
        if (!this.#acc.take(HEADER_SIZE).equals(HEADER)) throw new SealedDataError('unknown sealed format');
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
      if (this.#expectHeader) throw new SealedDataError('sealed data is truncated');
      // A partial chunk can only be the blob's final chunk; openChunk enforces that through the flag.
      if (this.#acc.length) this.#open(this.#acc.takeAll());
      if (this.#index !== this.#lastChunk + 1) throw new SealedDataError('sealed data is truncated');
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
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
