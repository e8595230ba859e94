// S3-compatible blob store. Only ciphertext ever reaches the bucket: the vault
// seals an upload into a local spool file first (platform/sealed/vault.ts), and
// `put` streams that sealed file up. What this store relies on, and nothing
// more (see the README, "Scale-out"):
// - an object appears only when its PutObject or CompleteMultipartUpload
//   succeeds, whole, never part of it (S3 API, "Multipart upload overview");
// - strong read-after-write consistency for new objects and deletes (Amazon S3
//   since December 2020; MinIO and Ceph RGW give the same);
// - GetObject honours one byte range, RFC 9110 §14.1.2 ("bytes=first-last");
// - ListObjectsV2 pages with continuation tokens, with LastModified per key.
// AbortMultipartUpload and ListMultipartUploads are used when the store has them;
// a store without them (s3rver) leaves incomplete parts to the bucket's
// AbortIncompleteMultipartUpload lifecycle rule.
import fsp from 'node:fs/promises';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertBlobKey, type BlobStore, type ByteRange, type S3Location } from './store.ts';

export interface S3StoreOptions {
  /** Bytes per multipart part (S3: at least 5 MiB except the last). Memory held is partSize × queueSize. */
  partSize: number;
  /** Parts in flight at once. */
  queueSize: number;
  /** Multipart uploads initiated longer ago than this are stale: no put on any node runs that long. */
  staleUploadMs: number;
  /**
   * list() omits objects younger than this. The orphan sweep deletes listed keys
   * that no row names, and with many nodes another node may have just put a blob
   * whose row it has not yet committed.
   */
  settleMs: number;
  now: () => number;
}

/** The client for BLOB_URL: endpoint, region and credentials from the standard AWS variables. */
export function s3Client(env: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    region: env.region,
    ...(env.endpoint ? { endpoint: env.endpoint, forcePathStyle: true } : {}),
    ...(env.accessKeyId ? { credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey } } : {}),
    // The SDK's default CRC32 trailers (aws-chunked bodies) are not understood
    // by many S3-compatible stores; every 64 KiB chunk of ciphertext carries its
    // own GCM tag, which is what proves the bytes on read anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const notFound = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404);
const unsupported = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === 'NotImplemented' || err.name === 'MethodNotAllowed' || err.$metadata.httpStatusCode === 501 || err.$metadata.httpStatusCode === 405);

function enoent(key: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`no such blob: ${key}`), { code: 'ENOENT' });
}

export class S3BlobStore implements BlobStore {
  readonly tmpDir: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  /** "prefix/area/", or "area/" without a prefix. */
  readonly #root: string;
  readonly #opts: S3StoreOptions;
  readonly #inFlight = new Set<Upload>();

  constructor(client: S3Client, location: S3Location, area: string, tmpDir: string, opts: S3StoreOptions) {
    assertBlobKey(area);
    this.#client = client;
    this.#bucket = location.bucket;
    this.#root = `${location.prefix ? location.prefix + '/' : ''}${area}/`;
    this.tmpDir = tmpDir;
    this.#opts = opts;
    fs.mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  }

  #key(key: string): string {
    assertBlobKey(key);
    return this.#root + key;
  }

  tempPath(): string {
    return path.join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
  }

  /**
   * Streams the sealed spool up, in parts of partSize (lib-storage). A failure
   * aborts the multipart upload (leavePartsOnError: false sends
   * AbortMultipartUpload), so no half-object and, where the store supports it,
   * no parts are left behind. The spool is removed only after the object exists.
   */
  async put(key: string, tempFile: string): Promise<void> {
    const dest = this.#key(key);
    if (path.dirname(tempFile) !== this.tmpDir) throw new Error('put: the source must be a temp file of this store');
    const body = fs.createReadStream(tempFile, { highWaterMark: 1024 * 1024 });
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: dest, Body: body, ContentType: 'application/octet-stream' },
      partSize: this.#opts.partSize,
      queueSize: this.#opts.queueSize,
      leavePartsOnError: false,
    });
    this.#inFlight.add(upload);
    try {
      await upload.done();
    } finally {
      this.#inFlight.delete(upload);
      body.destroy();
    }
    await fsp.rm(tempFile, { force: true });
  }

  async openRead(key: string, range?: ByteRange): Promise<Readable> {
    const k = this.#key(key);
    try {
      const res = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: k, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      if (!(res.Body instanceof Readable)) throw new Error('S3 GetObject returned no stream');
      return res.Body;
    } catch (err) {
      if (notFound(err)) throw enoent(key);
      throw err;
    }
  }

  async read(key: string, offset: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    try {
      const res = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(key), Range: `bytes=${offset}-${offset + length - 1}` }),
      );
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (err) {
      if (notFound(err)) throw enoent(key);
      // 416: the range starts at or past the end; short reads are allowed at the end.
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 416) return Buffer.alloc(0);
      throw err;
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }))).ContentLength;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    // DeleteObject of an absent key succeeds (S3 API), as the interface asks.
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
  }

  async *list(): AsyncIterable<string> {
    const settled = this.#opts.now() - this.#opts.settleMs;
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#root, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (!o.Key?.startsWith(this.#root)) continue;
        if (o.LastModified && o.LastModified.getTime() > settled) continue;
        yield o.Key.slice(this.#root.length);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** This node's spool files, and multipart uploads under this store's prefix gone stale on any node. */
  async sweepTemp(): Promise<number> {
    let n = 0;
    for (const name of await fsp.readdir(this.tmpDir)) {
      await fsp.rm(path.join(this.tmpDir, name), { force: true, recursive: true });
      n++;
    }
    return n + (await this.sweepStaleUploads());
  }

  /** Aborts multipart uploads older than staleUploadMs. Returns how many; 0 on a store without ListMultipartUploads. */
  async sweepStaleUploads(): Promise<number> {
    const stale = this.#opts.now() - this.#opts.staleUploadMs;
    let n = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    try {
      for (;;) {
        const page = await this.#client.send(
          new ListMultipartUploadsCommand({ Bucket: this.#bucket, Prefix: this.#root, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
        );
        for (const u of page.Uploads ?? []) {
          if (!u.Key || !u.UploadId || !u.Initiated || u.Initiated.getTime() > stale) continue;
          await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: u.Key, UploadId: u.UploadId }));
          n++;
        }
        if (!page.IsTruncated) return n;
        keyMarker = page.NextKeyMarker;
        uploadIdMarker = page.NextUploadIdMarker;
      }
    } catch (err) {
      if (unsupported(err)) return n;
      throw err;
    }
  }

  /** Aborts every upload still in flight (shutdown): their puts reject, and their clips never appear. */
  async abortAll(): Promise<void> {
    await Promise.allSettled([...this.#inFlight].map((u) => u.abort()));
  }
}
