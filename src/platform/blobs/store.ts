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

/** The stores the app keeps objects in, one per capability that keeps any. */
export type BlobArea = 'clips' | 'legal' | 'disclosures' | 'exports';

export interface BlobStores {
  /** 'fs' (DATA_DIR, one node) or 's3' (a bucket shared by every node). */
  readonly kind: 'fs' | 's3';
  /** The store of one area; the same instance on every call. */
  open(area: BlobArea): BlobStore;
  /** Aborts what is stale or left behind in the shared store, on any node (a periodic worker). Returns how many. */
  sweepStale(): Promise<number>;
  /** Aborts uploads still in flight and releases connections. */
  close(): Promise<void>;
}

/** Where in the bucket, from BLOB_URL=s3://bucket/prefix. */
export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash; may be empty. */
  prefix: string;
}

/** Parses s3://bucket/prefix (bucket naming per the S3 user guide, "Bucket naming rules"). */
export function parseS3Url(raw: string): S3Location | null {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/[a-zA-Z0-9_.\-/]*)?$/.exec(raw);
  if (!m) return null;
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix && prefix.split('/').some((s) => s === '' || s === '.' || s === '..')) return null;
  return { bucket: m[1]!, prefix };
}
