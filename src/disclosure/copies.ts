// Where derived copies live: the redacted copy an owner's consent releases
// (PRODUCT.md A, "Privacy zones"), sealed at rest like clips (chunked
// AES-256-GCM, its own data key wrapped by the master key, the disclosure id as
// the nonce context). Copies sit in their own blob store under
// DATA_DIR/disclosures, apart from the clips store, whose start-up sweep
// removes any blob no clip row points at.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Config } from '../config.ts';
import type { DbHandle } from '../platform/db/db.ts';
import type { BlobStore } from '../platform/blobs/store.ts';
import { HttpError } from '../platform/http/errors.ts';
import { ffmpegAvailable } from '../clips/ffmpeg.ts';
import { Vault } from '../platform/sealed/vault.ts';
import type { ClipRow } from '../clips/service.ts';
import type { ClipBytes } from '../clips/internal.ts';
import { copyKeysInUse } from './repository.ts';

export const copyKeyFor = (disclosureId: string) => `copies/${disclosureId.slice(0, 2)}/${disclosureId}`;

export interface StoredCopy {
  blobKey: string;
  wrappedKey: Buffer;
  sha256: string;
  size: number;
}

export class CopyStore {
  readonly vault: Vault;
  readonly #config: Config;
  readonly #clips: ClipBytes;

  constructor(config: Config, blobs: BlobStore, masterKey: Buffer, clips: ClipBytes) {
    this.#config = config;
    this.#clips = clips;
    this.vault = new Vault(blobs, masterKey);
  }

  /**
   * Makes and stores the redacted copy of `clip` for disclosure `disclosureId`.
   * With ffmpeg, the zones are burned in and the copy re-encoded (even with no
   * zones, so every shared copy has one shape). Without ffmpeg, a camera with
   * zones cannot be shared at all; one without zones shares the original bytes.
   */
  async makeRedacted(disclosureId: string, clip: ClipRow, zones: unknown[]): Promise<StoredCopy> {
    if (await ffmpegAvailable(this.#config.FFMPEG_PATH)) {
      const derived = await this.#clips.makeRedactedCopy(clip, zones);
      try {
        return await this.#store(disclosureId, fs.createReadStream(derived.file), derived.sha256);
      } finally {
        await derived.dispose();
      }
    }
    if (zones.length > 0) {
      throw new HttpError(503, 'this camera has privacy zones, and ffmpeg is not installed on this server, so the zones cannot be blacked out; sharing is refused until ffmpeg is installed');
    }
    return this.#store(disclosureId, await this.#clips.open(clip), clip.sha256);
  }

  async #store(disclosureId: string, source: Readable, expectedSha256: string): Promise<StoredCopy> {
    const spooled = await this.vault.spool(disclosureId, source, Number.MAX_SAFE_INTEGER);
    if (spooled.sha256 !== expectedSha256) {
      await this.vault.discard(spooled);
      throw new Error('the derived copy changed while it was being stored');
    }
    const blobKey = copyKeyFor(disclosureId);
    await this.vault.commit(spooled, blobKey);
    return { blobKey, wrappedKey: this.vault.wrap(spooled.dataKey, disclosureId), sha256: spooled.sha256, size: spooled.size };
  }

  /**
   * Start-up sweep (one process per DATA_DIR, before requests): temp files of
   * copies a crash interrupted, and copies whose disclosure never committed.
   */
  async startupSweep(db: DbHandle): Promise<{ temp: number; orphans: number }> {
    const temp = await this.vault.blobs.sweepTemp();
    const live = await copyKeysInUse(db);
    let orphans = 0;
    for await (const key of this.vault.blobs.list()) {
      if (!live.has(key)) {
        await this.vault.blobs.delete(key);
        orphans++;
      }
    }
    return { temp, orphans };
  }

  async remove(blobKey: string): Promise<void> {
    await this.vault.blobs.delete(blobKey);
  }

  /** The copy's plaintext, whole or bytes [start, end]. */
  open(copy: { id: string; size: number; wrapped_key: Uint8Array | null; blob_key: string | null }, range?: { start: number; end: number }): Promise<Readable> {
    const { wrapped_key, blob_key } = copy;
    if (!wrapped_key || !blob_key) throw new HttpError(410, 'the disclosed copy has been destroyed');
    const sealed = { id: copy.id, size: copy.size, wrapped_key, blob_key };
    return range ? this.vault.openRange(sealed, range.start, range.end) : this.vault.openAll(sealed);
  }
}

/** SHA-256 of a whole stream (tests and manifests). */
export async function sha256Of(stream: Readable): Promise<string> {
  const h = createHash('sha256');
  await pipeline(stream, h);
  return h.digest('hex');
}

