// Where objects are sealed and unsealed: the upload spool (meter, hash,
// encrypt, write to a temp file), the atomic move into the blob store, and
// range reads that decrypt only the chunks asked for. Nothing here knows about
// owners or who may read what: each store's own capability decides that. The
// vault over the clip store is private to clips/ (clips/internal.ts); legal
// documents and disclosed copies have vaults over their own stores.
import fsp from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { BlobStore } from '../blobs/store.ts';
import { HttpError } from '../http/errors.ts';
import { newDataKey, openBuffer, openSealedRange, sealBuffer, sealedRangeFor, sealedSize } from './format.ts';
import { unwrapKey, wrapKey } from './keys.ts';
import { Sealer, decryptAll, decryptRange, type OpenSealed } from './streams.ts';

/** Random access to plaintext (a spool's, for structural checks of an upload). */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

/** An upload sealed into a temp file, not yet in the blob store. */
export interface Spooled {
  id: string;
  tempFile: string;
  size: number;
  sha256: string;
  dataKey: Buffer;
}

/** The stored facts needed to read an object back. */
export interface SealedObject {
  id: string;
  size: number;
  wrapped_key: Uint8Array | null;
  blob_key: string | null;
}

export class UploadTooLarge extends HttpError {
  constructor(limit: number) {
    super(413, `the upload is larger than the limit of ${limit} bytes`, { headers: { connection: 'close' } });
  }
}

const SMALL_RANGE = 4 * 1024 * 1024;
/** Spool bytes written between early writeback syncs (see spool). */
const SYNC_EVERY = 8 * 1024 * 1024;

export class Vault {
  readonly blobs: BlobStore;
  readonly #master: Buffer;

  constructor(blobs: BlobStore, masterKey: Buffer) {
    this.blobs = blobs;
    this.#master = masterKey;
  }

  wrap(dataKey: Buffer, id: string): Buffer {
    return wrapKey(this.#master, dataKey, id);
  }

  #key(obj: SealedObject): Buffer {
    if (!obj.wrapped_key || !obj.blob_key) throw new HttpError(410, 'the object has been deleted');
    return unwrapKey(this.#master, obj.wrapped_key, obj.id);
  }

  /**
   * Seals `source` into a temp file: one loop that counts (size limit), hashes,
   * seals and writes in batches of about 1 MiB, with one write in flight while
   * the next batch is sealed. The source (an HTTP request) is piped, not
   * consumed directly, so a refusal (413) does not destroy the request before
   * the answer is sent. A source that closes early fails the spool.
   */
  async spool(id: string, source: Readable, maxBytes: number): Promise<Spooled> {
    // A source destroyed before we got it (a parser that failed on a body which
    // had already fully arrived) never emits 'close' or 'error' again: piping it
    // would wait forever with the temp file open.
    if (source.destroyed && !source.readableEnded) throw new HttpError(400, 'the upload ended early');
    const dataKey = newDataKey();
    const tempFile = this.blobs.tempPath();
    // Listen before the first await, so an end that comes while the file opens is seen.
    const feed = new PassThrough({ highWaterMark: 1024 * 1024 });
    const onClose = () => {
      if (!source.readableEnded) feed.destroy(new HttpError(400, 'the upload ended early'));
    };
    const onError = (err: Error) => feed.destroy(err);
    // The loop below reads the error from the stream's state; an early one must not go unhandled meanwhile.
    feed.on('error', () => {});
    source.on('close', onClose);
    source.on('error', onError);
    source.pipe(feed);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(tempFile, 'wx', 0o600);
    } catch (err) {
      source.off('close', onClose);
      source.off('error', onError);
      source.unpipe(feed);
      feed.destroy();
      throw err;
    }
    const hash = createHash('sha256');
    const sealer = new Sealer(dataKey, id);
    let size = 0;
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let writing: Promise<void> = Promise.resolve();
    // Early writeback: commit() fsyncs the spool before the rename, and on a
    // large upload most of that fsync used to be the device writing out the
    // whole file at once after the last byte. A data-only sync started every
    // few MiB while the upload still streams lets the device write in parallel
    // with the hashing and sealing on this thread, so commit()'s fsync only
    // flushes the tail. It promises nothing by itself: the fsync before the
    // rename is still what makes the blob durable. One sync at a time. Its
    // error must fail the spool: Linux reports a writeback error to one fsync,
    // so commit()'s later fsync on a fresh handle might not see it again.
    let syncing: Promise<void> | undefined;
    let syncError: unknown;
    let unsynced = 0;
    const syncSoon = (written: number) => {
      unsynced += written;
      if (syncing || syncError || unsynced < SYNC_EVERY) return;
      unsynced = 0;
      syncing = fh.datasync().then(
        () => {
          syncing = undefined;
        },
        (err: unknown) => {
          syncError ??= err;
          syncing = undefined;
        },
      );
    };
    const write = async (bufs: Buffer[], total: number) => {
      const done = (await fh.writev(bufs)).bytesWritten;
      // Regular files take whole writes, but the API allows short ones: finish them.
      let rest = done < total ? Buffer.concat(bufs).subarray(done) : Buffer.alloc(0);
      while (rest.length) rest = rest.subarray((await fh.write(rest)).bytesWritten);
      syncSoon(total);
    };
    const flush = async () => {
      await writing;
      const bufs = batch;
      const total = batchBytes;
      batch = [];
      batchBytes = 0;
      writing = write(bufs, total);
      writing.catch(() => {}); // awaited by the next flush or at the end
    };
    const add = (bufs: Buffer[]) => {
      for (const b of bufs) {
        batch.push(b);
        batchBytes += b.length;
      }
    };
    try {
      for await (const chunk of feed as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) throw new UploadTooLarge(maxBytes);
        hash.update(chunk);
        add(sealer.push(chunk));
        if (batchBytes >= 1024 * 1024) await flush();
      }
      add(sealer.end());
      await flush();
      await writing;
      await syncing;
      if (syncError) throw syncError;
      await fh.close();
      return { id, tempFile, size, sha256: hash.digest('hex'), dataKey };
    } catch (err) {
      source.unpipe(feed);
      feed.destroy();
      await writing.catch(() => {});
      await syncing;
      await fh.close().catch(() => {});
      await fsp.rm(tempFile, { force: true });
      throw err;
    } finally {
      source.off('close', onClose);
      source.off('error', onError);
    }
  }

  /** Random access to a spool's plaintext, for structural checks, without writing plaintext anywhere. */
  async withSpoolSource<T>(s: Spooled, fn: (src: ByteSource) => Promise<T>): Promise<T> {
    const fh = await fsp.open(s.tempFile, 'r');
    try {
      return await fn({
        size: s.size,
        read: async (offset, length) => {
          const end = Math.min(offset + length, s.size) - 1;
          if (end < offset) return Buffer.alloc(0);
          const r = sealedRangeFor(s.size, offset, end);
          const sealed = Buffer.allocUnsafe(r.end - r.start + 1);
          const { bytesRead } = await fh.read(sealed, 0, sealed.length, r.start);
          return Buffer.concat(openSealedRange(s.dataKey, s.id, s.size, offset, end, sealed.subarray(0, bytesRead)));
        },
      });
    } finally {
      await fh.close();
    }
  }

  /** Moves the spool into the blob store (fsync, rename, fsync dir). */
  async commit(s: Spooled, blobKey: string): Promise<void> {
    await this.blobs.put(blobKey, s.tempFile);
  }

  async discard(s: Spooled): Promise<void> {
    await fsp.rm(s.tempFile, { force: true });
  }

  #opener(blobKey: string): OpenSealed {
    return (r) => this.blobs.openRead(blobKey, r);
  }

  /** Plaintext bytes [start, end] of a stored object; only the chunks covering them are read and decrypted. */
  async openRange(obj: SealedObject, start: number, end: number): Promise<Readable> {
    const key = this.#key(obj);
    if (!(start >= 0 && end >= start && end < Math.max(obj.size, 1))) throw new RangeError('range outside the plaintext');
    // Small ranges (a player's typical request): one read and a loop beat a stream pipeline.
    if (end - start < SMALL_RANGE) {
      const r = sealedRangeFor(obj.size, start, end);
      const sealed = await this.blobs.read(obj.blob_key!, r.start, r.end - r.start + 1);
      return Readable.from(openSealedRange(key, obj.id, obj.size, start, end, sealed), { objectMode: false });
    }
    return decryptRange(this.#opener(obj.blob_key!), key, obj.id, obj.size, start, end);
  }

  /** The whole plaintext of a stored object, checked chunk by chunk. */
  async openAll(obj: SealedObject): Promise<Readable> {
    const key = this.#key(obj);
    const stored = await this.blobs.size(obj.blob_key!);
    if (stored !== sealedSize(obj.size)) throw new HttpError(500, 'stored object has the wrong length');
    return decryptAll(this.#opener(obj.blob_key!), key, obj.id, obj.size);
  }

  /** Writes plaintext ranges of an object into a sparse temp file at their own offsets (for ffmpeg). */
  async writeSparse(obj: SealedObject, ranges: { start: number; end: number }[]): Promise<string> {
    const file = this.blobs.tempPath() + '.mp4';
    const fh = await fsp.open(file, 'wx', 0o600);
    try {
      await fh.truncate(obj.size);
      for (const r of ranges) {
        let at = r.start;
        for await (const chunk of await this.openRange(obj, r.start, r.end)) {
          await fh.write(chunk as Buffer, 0, (chunk as Buffer).length, at);
          at += (chunk as Buffer).length;
        }
      }
    } catch (err) {
      await fh.close();
      await fsp.rm(file, { force: true });
      throw err;
    }
    await fh.close();
    return file;
  }

  /** Seals a small derived object (a thumbnail) under the object's key, in its own nonce space. */
  async putDerived(obj: SealedObject, name: string, blobKey: string, plain: Buffer): Promise<void> {
    const tmp = this.blobs.tempPath();
    await fsp.writeFile(tmp, sealBuffer(this.#key(obj), `${obj.id}/${name}`, plain), { mode: 0o600, flag: 'wx' });
    await this.blobs.put(blobKey, tmp);
  }

  async readDerived(obj: SealedObject, name: string, blobKey: string): Promise<Buffer> {
    const sealed = await buffer(await this.blobs.openRead(blobKey));
    return openBuffer(this.#key(obj), `${obj.id}/${name}`, sealed);
  }
}
