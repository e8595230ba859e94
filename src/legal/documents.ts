// Legal documents (the PDF of a demand, a court order delaying notice): read
// from a multipart form, checked as a real PDF (pdf.ts), sealed at rest like
// clips (chunked AES-256-GCM, own data key wrapped by the master key) in their
// own store under DATA_DIR/legal. A refused upload leaves nothing behind.
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import type { Config } from '../config.ts';
import { FsBlobStore } from '../platform/blobs/fs.ts';
import { newId } from '../platform/crypto.ts';
import { HttpError, badRequest } from '../platform/http/errors.ts';
import { plainSizeOf } from '../clips/crypto.ts';
import { loadMasterKey } from '../clips/keys.ts';
import { Vault, type Spooled } from '../clips/vault.ts';
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

export class DocumentStore {
  readonly vault: Vault;

  constructor(config: Config) {
    this.vault = new Vault(new FsBlobStore(path.join(config.dataDir, 'legal')), loadMasterKey(config.dataDir, config.MASTER_KEY));
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
    try {
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
        const id = newId();
        document = await this.vault.spool(id, part.file, PDF_MAX_BYTES + 1);
        if (part.file.truncated) throw new HttpError(413, `the document is larger than ${PDF_MAX_BYTES / 1024 / 1024} MB`);
        const spooled = document;
        const verdict = await this.vault.withSpoolSource(spooled, (src) => checkPdf(src.size, (o, n) => src.read(o, n)));
        if (!verdict.ok) throw badRequest(verdict.reason, [{ field: `body.${fileField}`, message: verdict.reason }]);
      }
    } catch (err) {
      if (document) await this.vault.discard(document);
      if (err instanceof HttpError) throw err;
      const e = err as { statusCode?: number; message?: string };
      if (typeof e.statusCode === 'number' && e.statusCode < 500) throw new HttpError(e.statusCode, e.message ?? 'bad multipart body');
      throw err;
    }
    return { fields, document };
  }

  /** Moves a checked spool into the store. */
  async commit(s: Spooled): Promise<StoredDocument> {
    const key = `docs/${s.clipId.slice(0, 2)}/${s.clipId}`;
    await this.vault.commit(s, key);
    return { id: s.clipId, key, wrappedKey: this.vault.wrap(s.dataKey, s.clipId), sha256: s.sha256, size: s.size };
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

  /** A document whose plaintext size was not kept: derived from the sealed size (chunked format, clips/crypto.ts). */
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
