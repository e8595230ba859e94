// The blob-store interface: where clip ciphertext lives. The local filesystem
// now (fs.ts), S3 later. Writers always spool into a local temporary file first
// (same filesystem as DATA_DIR), then `put` moves it into place in one step, so a
// reader never sees a partial blob and a crash leaves only a temp file that the
// start-up sweep removes.
import type { Readable } from 'node:stream';

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface BlobStore {
  /** A fresh, unused path in the store's temp directory to spool an upload into. */
  tempPath(): string;
  /** Makes the temp file durable and moves it to `key` atomically. The temp file is gone afterwards. */
  put(key: string, tempFile: string): Promise<void>;
  /** Streams the blob, or only `range` of it. Rejects with code ENOENT when absent. */
  openRead(key: string, range?: ByteRange): Promise<Readable>;
  /** Reads exactly `length` bytes at `offset` (short only at the end of the blob). */
  read(key: string, offset: number, length: number): Promise<Buffer>;
  /** Size in bytes, or undefined when the blob does not exist. */
  size(key: string): Promise<number | undefined>;
  /** Removes the blob; absent blobs are not an error. */
  delete(key: string): Promise<void>;
  /** Every blob key (for the orphan sweep). */
  list(): AsyncIterable<string>;
  /** Removes every temp file (start-up sweep, before anything is spooling). Returns how many. */
  sweepTemp(): Promise<number>;
}

/** Keys are relative paths of safe segments: no "..", no absolute paths, no odd characters. */
export function assertBlobKey(key: string): void {
  if (!/^[a-z0-9_-]+(\/[a-zA-Z0-9_.-]+)*$/.test(key) || key.split('/').some((s) => s === '.' || s === '..')) {
    throw new Error(`invalid blob key: ${key}`);
  }
}
