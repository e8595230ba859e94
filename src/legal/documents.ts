// Legal documents (the PDF of a demand, a court order delaying notice): read
// from a multipart form, checked as a real PDF (pdf.ts), sealed at rest like
// clips (chunked AES-256-GCM, own data key wrapped by the master key) in their
// own store under DATA_DIR/legal. A refused upload leaves nothing behind.
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import type { BlobStore } from '../platform/blobs/store.ts';
import { newId } from '../platform/crypto.ts';
import { HttpError, badRequest } from '../platform/http/errors.ts';
import { plainSizeOf } from '../platform/sealed/format.ts';
import { Vault, type Spooled } from '../platform/sealed/vault.ts';
import { PDF_MAX_BYTES, checkPdf } from './pdf.ts';

export interface StoredDocument {
  id: string;
  key: string;
  wrappedKey: Buffer;
  sha256: string;
  size: number;
}

export interface FormUpload {
  fields: Record<string, string>;
  /** The checked PDF, sealed in a temp file; `commit` stores it, `discard` drops it. */
  document: Spooled | null;
}

export const MULTIPART_LIMITS = { fileSize: PDF_MAX_BYTES, files: 1, fields: 16, fieldSize: 64 * 1024, parts: 17, headerPairs: 100 } as const;

/**
 * The spool of a file part, raced against the request failing under it: a
 * connection that errors or closes before the body has arrived aborts the part
 * (the spool then rejects and removes its temp file) instead of leaving it to
 * wait for bytes that will never come.
 */
async function raceRequest<T>(req: FastifyRequest, file: Readable, spooling: Promise<T>): Promise<T> {
  const raw = req.raw;
  let onGone: (() => void) | undefined;
  const gone = new Promise<never>((_, reject) => {
    onGone = () => {
      if (raw.readableEnded) return;
      const err = new HttpError(400, 'the multipart body ended before the document did');
      file.destroy(err);
      reject(err);
    };
    raw.once('close', onGone);
    raw.once('error', onGone);
  });
  gone.catch(() => {});
  try {
    return await Promise.race([spooling, gone]);
  } finally {
    raw.off('close', onGone!);
    raw.off('error', onGone!);
  }
}

/**
 * Errors of the multipart parser are the client's: a body cut short, no
 * boundary, garbage. They become a 400 that says so. File-system errors (they
 * carry a syscall) stay server errors.
 */
function asClientError(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  const e = err as { statusCode?: number; message?: string; syscall?: string };
  if (typeof e?.statusCode === 'number' && e.statusCode < 500) return new HttpError(e.statusCode, e.message ?? 'bad multipart body');
  if (err instanceof Error && e.syscall === undefined && typeof e.statusCode !== 'number') {
    return badRequest(`malformed multipart/form-data body: ${err.message}`);
  }
  return err;
}

export class DocumentStore {
  readonly vault: Vault;

  constructor(blobs: BlobStore, masterKey: Buffer) {
    this.vault = new Vault(blobs, masterKey);
  }

  /**
   * Reads a multipart form with text fields and at most one file, named
   * `fileField`. The file is spooled sealed and checked as a PDF before the
   * caller sees it; on any refusal the spool is removed.
   */
  async readForm(req: FastifyRequest, fileField: string): Promise<FormUpload> {
    if (!req.isMultipart()) throw new HttpError(415, 'send multipart/form-data with the PDF document and the form fields');
    const fields: Record<string, string> = {};
    let document: Spooled | null = null;
    let spooling: Promise<Spooled> | null = null;
    try {
      // req.parts() throws at once on a content type without a usable boundary.
      for await (const part of req.parts({ limits: MULTIPART_LIMITS })) {
        if (part.type === 'field') {
          if (typeof part.value !== 'string') throw badRequest(`field ${part.fieldname} must be text`);
          fields[part.fieldname] = part.value;
          continue;
        }
        if (part.fieldname !== fileField || document) {
          part.file.resume();
          throw badRequest(`unexpected file field "${part.fieldname}"; send one PDF as "${fileField}"`, [{ field: `body.${part.fieldname}`, message: 'unexpected file' }]);
        }
        spooling = this.vault.spool(newId(), part.file, PDF_MAX_BYTES + 1);
        document = await raceRequest(req, part.file, spooling);
        spooling = null;
        if (part.file.truncated) throw new HttpError(413, `the document is larger than ${PDF_MAX_BYTES / 1024 / 1024} MB`);
        const spooled = document;
        const verdict = await this.vault.withSpoolSource(spooled, (src) => checkPdf(src.size, (o, n) => src.read(o, n)));
        if (!verdict.ok) throw badRequest(verdict.reason, [{ field: `body.${fileField}`, message: verdict.reason }]);
      }
    } catch (err) {
      // A spool still running was aborted by raceRequest: wait until it has closed and removed its temp file.
      if (spooling) await spooling.catch(() => {});
      if (document) await this.vault.discard(document);
      throw asClientError(err);
    }
    return { fields, document };
  }

  /** Moves a checked spool into the store. */
  async commit(s: Spooled): Promise<StoredDocument> {
    const key = `docs/${s.id.slice(0, 2)}/${s.id}`;
    await this.vault.commit(s, key);
    return { id: s.id, key, wrappedKey: this.vault.wrap(s.dataKey, s.id), sha256: s.sha256, size: s.size };
  }

  /** Start-up sweep: interrupted uploads' temp files, and stored documents no row names. */
  async sweep(live: Set<string>): Promise<{ temp: number; orphans: number }> {
    const temp = await this.vault.blobs.sweepTemp();
    let orphans = 0;
    for await (const key of this.vault.blobs.list()) {
      if (!live.has(key)) {
        await this.vault.blobs.delete(key);
        orphans++;
      }
    }
    return { temp, orphans };
  }

  discard(s: Spooled): Promise<void> {
    return this.vault.discard(s);
  }

  remove(key: string): Promise<void> {
    return this.vault.blobs.delete(key);
  }

  /** A document whose plaintext size was not kept: derived from the sealed size (chunked format, platform/sealed/format.ts). */
  openSealed(doc: { key: string; wrappedKey: Uint8Array; sealedSize: number }): Promise<Readable> {
    const size = plainSizeOf(doc.sealedSize);
    if (size === undefined) throw new HttpError(500, 'stored document has the wrong length');
    return this.open({ key: doc.key, wrappedKey: doc.wrappedKey, size });
  }

  /** The document's plaintext. The id is the one it was sealed under (the last segment of its key). */
  open(doc: { key: string; wrappedKey: Uint8Array; size: number }): Promise<Readable> {
    const id = doc.key.split('/').at(-1)!;
    return this.vault.openAll({ id, size: doc.size, wrapped_key: doc.wrappedKey, blob_key: doc.key });
  }
}
