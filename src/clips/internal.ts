// The one package-internal read of clip bytes for someone other than their
// owner (ENGINEERING.md, "disclosure as the one door"). ClipsService keeps its
// vault private and hands a ClipBytes to this module when it is built; only
// src/disclosure/ may import this file (the dependency-cruiser rule
// "only-disclosure-opens-clip-bytes" checks that), so every byte read for an
// agency or the public goes through the disclosure decision and its log entry.
//
// Why a WeakMap and not a public field: a field on ClipsService is reachable by
// every module holding the service; the map is reachable only by importing
// this file.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../platform/context.ts';
import { newId } from '../platform/crypto.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { HttpError } from '../platform/http/errors.ts';
import { normaliseZones, redactFile, type Polygon } from './redact.ts';
import * as repo from './repository.ts';
import type { Vault } from '../platform/sealed/vault.ts';
type ClipRow = repo.ClipRow;

export interface AccessEntry {
  actor: string;
  purpose: string;
}

/** A derived file in the temp area; the caller moves or uploads it, then disposes of it. */
export interface DerivedCopy {
  file: string;
  size: number;
  sha256: string;
  dispose(): Promise<void>;
}


export class ClipBytes {
  readonly #ctx: AppContext;
  readonly #vault: Vault;

  constructor(ctx: AppContext, vault: Vault) {
    this.#ctx = ctx;
    this.#vault = vault;
  }

  /** The clips blob store (start-up sweeps and their tests). */
  get blobs() {
    return this.#vault.blobs;
  }

  /** Any live clip by id, with no owner check: the disclosure decision has run already. */
  findAny(id: string, db: DbHandle = this.#ctx.db.kysely): Promise<ClipRow | undefined> {
    return repo.findClip(db, id);
  }

  /** Records that someone other than the owner read a clip's bytes. Pass the caller's transaction to commit it with the check. */
  async recordAccess(clip: Pick<ClipRow, 'id' | 'owner_id'>, entry: AccessEntry, db: DbHandle = this.#ctx.db.kysely): Promise<void> {
    await repo.insertAccess(db, { id: newId(), clip_id: clip.id, owner_id: clip.owner_id, actor: entry.actor, purpose: entry.purpose, at: this.#ctx.clock.now() });
  }

  /** Plaintext of a clip (or bytes [start, end]). The caller has written the access-log entry. */
  open(clip: ClipRow, range?: { start: number; end: number }): Promise<Readable> {
    return range ? this.#vault.openRange(clip, range.start, range.end) : this.#vault.openAll(clip);
  }

  /** Plaintext of a clip for someone other than its owner; writes the access-log entry first. */
  async openForOther(clip: ClipRow, entry: AccessEntry, range?: { start: number; end: number }, db: DbHandle = this.#ctx.db.kysely): Promise<Readable> {
    await this.recordAccess(clip, entry, db);
    return this.open(clip, range);
  }

  /** A copy of the clip with `zones` blacked out (redact.ts), in the temp area. */
  async makeRedactedCopy(clip: ClipRow, zones: Polygon[] | unknown): Promise<DerivedCopy> {
    if (clip.e2ee) throw new HttpError(422, 'an end-to-end encrypted clip cannot be redacted: the server cannot read it');
    const tmp = this.#vault.blobs.tempPath();
    const input = `${tmp}.in.mp4`;
    const output = `${tmp}.out.mp4`;
    const dispose = async () => {
      await fsp.rm(input, { force: true });
      await fsp.rm(output, { force: true });
    };
    try {
      await pipeline(await this.#vault.openAll(clip), fs.createWriteStream(input, { flags: 'wx', mode: 0o600 }));
      await redactFile(this.#ctx.config.FFMPEG_PATH, input, output, normaliseZones(zones), path.dirname(tmp));
      await fsp.rm(input, { force: true });
      const hash = createHash('sha256');
      await pipeline(fs.createReadStream(output), hash);
      return { file: output, size: (await fsp.stat(output)).size, sha256: hash.digest('hex'), dispose };
    } catch (err) {
      await dispose();
      throw err;
    }
  }
}

// Keyed by the ClipsService that granted it; typed as object so that this file
// needs no import of service.ts, which imports it.
const granted = new WeakMap<object, ClipBytes>();

/** Called once by the ClipsService constructor. */
export function grantClipBytes(clips: object, bytes: ClipBytes): void {
  if (granted.has(clips)) throw new Error('clip bytes already granted for this service');
  granted.set(clips, bytes);
}

/** The byte reader of a ClipsService (disclosure/ only). */
export function clipBytesOf(clips: object): ClipBytes {
  const bytes = granted.get(clips);
  if (!bytes) throw new Error('this ClipsService has no byte reader');
  return bytes;
}
