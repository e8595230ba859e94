// Clip use cases. Owners upload, list, play, delete and set retention; devices
// upload; legal places preservation holds. Every read here is owner-checked:
// reading a clip for anyone else (always access-logged) and redacted copies are
// in internal.ts, which only the disclosure door imports.
import fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { DeviceActor, UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { newId } from '../platform/crypto.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { conflict, HttpError, notFound, orBadRequest } from '../platform/http/errors.ts';
import { HOUR } from '../platform/clock.ts';
import { ffmpegAvailable, makeThumbnail } from './ffmpeg.ts';
import { checkMp4 } from './mp4.ts';
import { ingest, thumbnailKeyFor, type UploadInput, type UploadResult } from './ingest.ts';
import { checkRetentionDays, type ClipKind, decideRange, LIMITS } from './policy.ts';
import { decodeCursor, encodeCursor } from '../platform/http/cursor.ts';
import * as repo from './repository.ts';
import { Vault } from '../platform/sealed/vault.ts';
import { deleteClipKeys } from '../e2ee/repository.ts';
import { ClipBytes, grantClipBytes, type AccessEntry, type DerivedCopy } from './internal.ts';

export type { AccessEntry, DerivedCopy };

export type ClipRow = repo.ClipRow;

export interface ClipView {
  id: string;
  cameraId: string;
  sha256: string;
  size: number;
  startedAt: string;
  endedAt: string;
  kind: ClipKind;
  signed: boolean;
  deviceSignature: string | null;
  devicePublicKey: string | null;
  e2ee: boolean;
  durationMs: number | null;
  thumbnail: boolean;
  createdAt: string;
}

export const toClipView = (r: ClipRow): ClipView => ({
  id: r.id,
  cameraId: r.camera_id,
  sha256: r.sha256,
  size: Number(r.size),
  startedAt: new Date(Number(r.started_at)).toISOString(),
  endedAt: new Date(Number(r.ended_at)).toISOString(),
  kind: r.kind,
  signed: r.signed === 1,
  deviceSignature: r.device_signature,
  devicePublicKey: r.device_public_key,
  e2ee: r.e2ee === 1,
  durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
  thumbnail: r.thumbnail_key !== null,
  createdAt: new Date(Number(r.created_at)).toISOString(),
});

/** Who read a clip's bytes and why, as the owner will see it in the access log. */
export interface VideoAnswer {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable;
}

/**
 * What a capability above clips must destroy when a clip is crypto-shredded
 * (copies derived from it). It runs inside the shredding transaction, after the
 * clip's own key is gone, so the clip and everything made from it go together;
 * it returns the blob removals to run once that transaction has committed.
 *
 * Why a hook: clips sits below disclosure (imports run one way), so it cannot
 * reach the disclosures table itself. Disclosure registers its hook when it is
 * constructed; clips knows only that something derived may exist.
 */
export type ShredHook = (tx: DbHandle, clipId: string) => Promise<() => Promise<void>>;

export class ClipsService {
  readonly #ctx: AppContext;
  readonly #vault: Vault;
  #thumbs: Promise<void> = Promise.resolve();
  readonly #shredHooks: ShredHook[] = [];

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#vault = new Vault(ctx.blobs.open('clips'), ctx.masterKey);
    grantClipBytes(this, new ClipBytes(ctx, this.#vault));
    ctx.workers.add({ name: 'clips.retention', intervalMs: HOUR, run: async () => void (await this.sweepRetention()) });
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /**
   * Start-up sweep, before the server accepts uploads: temp files of uploads a
   * crash interrupted, and blobs no live row points at (moved into place but
   * never committed, or left by a deletion that stopped half-way). Assumes one
   * server process per DATA_DIR.
   */
  async startupSweep(): Promise<{ temp: number; orphans: number }> {
    const temp = await this.#vault.blobs.sweepTemp();
    const live = await repo.referencedBlobKeys(this.#db);
    let orphans = 0;
    for await (const key of this.#vault.blobs.list()) {
      if (!live.has(key)) {
        await this.#vault.blobs.delete(key);
        orphans++;
      }
    }
    if (temp || orphans) this.#ctx.log.info({ temp, orphans }, 'swept interrupted uploads');
    return { temp, orphans };
  }

  async upload(actor: UserActor | DeviceActor, input: UploadInput): Promise<UploadResult> {
    const res = await ingest(this.#ctx, this.#vault, actor, input);
    if (res.row && !res.row.e2ee) this.#queueThumbnail(res.row);
    return res;
  }

  async #owned(actor: UserActor, id: string): Promise<ClipRow> {
    const clip = await repo.findOwnedClip(this.#db, actor.userId, id);
    if (!clip) throw notFound('no such clip');
    return clip;
  }

  async get(actor: UserActor, id: string): Promise<ClipView & { holds: number }> {
    const clip = await this.#owned(actor, id);
    return { ...toClipView(clip), holds: (await repo.activeHolds(this.#db, id, this.#ctx.clock.now())).length };
  }

  async list(actor: UserActor, q: { cameraId?: string; from?: string; to?: string; cursor?: string; limit?: number }) {
    const limit = Math.min(q.limit ?? LIMITS.pageDefault, LIMITS.pageMax);
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = await repo.listClips(this.#db, {
      ownerId: actor.userId,
      cameraId: q.cameraId,
      from: q.from ? Date.parse(q.from) : undefined,
      to: q.to ? Date.parse(q.to) : undefined,
      after: after && { startedAt: after.t, id: after.id },
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toClipView), nextCursor: rows.length > limit && last ? encodeCursor(Number(last.started_at), last.id) : null };
  }

  /** The owner's playback, with an HTTP byte range (RFC 9110 §14). */
  async video(actor: UserActor, id: string, rangeHeader: string | undefined): Promise<VideoAnswer> {
    const clip = await this.#owned(actor, id);
    const size = Number(clip.size);
    const range = decideRange(rangeHeader, size);
    const headers: Record<string, string> = {
      'content-type': clip.e2ee ? 'application/octet-stream' : 'video/mp4',
      'accept-ranges': 'bytes',
      etag: `"${clip.sha256}"`,
      'cache-control': 'private, no-store',
    };
    if (range.kind === 'unsatisfiable') throw new HttpError(416, `range not satisfiable for a ${size}-byte clip`, { headers: { 'content-range': `bytes */${size}` } });
    if (range.kind === 'full') {
      return { status: 200, headers: { ...headers, 'content-length': String(size) }, body: await this.#vault.openAll(clip) };
    }
    return {
      status: 206,
      headers: { ...headers, 'content-length': String(range.end - range.start + 1), 'content-range': `bytes ${range.start}-${range.end}/${size}` },
      body: await this.#vault.openRange(clip, range.start, range.end),
    };
  }

  async thumbnail(actor: UserActor, id: string): Promise<Buffer> {
    const clip = await this.#owned(actor, id);
    if (!clip.thumbnail_key) throw notFound('this clip has no thumbnail (ffmpeg missing, still being made, or an end-to-end encrypted clip)');
    return this.#vault.readDerived(clip, 'thumbnail', clip.thumbnail_key);
  }

  /** Owner deletion: crypto-shred unless a preservation hold is active. */
  async remove(actor: UserActor, id: string): Promise<void> {
    const clip = await this.#owned(actor, id);
    if (!(await this.#shred(clip))) throw conflict('the clip is under a preservation hold and cannot be deleted until the hold ends');
  }

  /**
   * Destroys the wrapped key in the row first (after which the blob is noise),
   * with the keys of copies derived from the clip (shred hooks), then the blobs. The row update re-checks holds, so a hold placed meanwhile
   * wins. A crash before the blobs go leaves orphans the start-up sweep removes.
   */
  async #shred(clip: ClipRow): Promise<boolean> {
    const now = this.#ctx.clock.now();
    const afterCommit: (() => Promise<void>)[] = [];
    const shredded = await this.#db.transaction().execute(async (tx) => {
      if (!(await repo.markDeletedUnlessHeld(tx, clip.id, now))) return false;
      // An end-to-end clip's secret, sealed to its owner and to anyone it was shared with, goes with the key.
      await deleteClipKeys(tx, clip.id);
      // Derived copies lose their keys in the same transaction as the clip.
      for (const hook of this.#shredHooks) afterCommit.push(await hook(tx, clip.id));
      return true;
    });
    if (!shredded) return false;
    for (const key of [clip.blob_key, clip.thumbnail_key]) if (key) await this.#vault.blobs.delete(key);
    for (const remove of afterCommit) await remove();
    return true;
  }

  /**
   * Account deletion (issue 14): shreds every clip of the owner that no hold
   * keeps. Returns the held ones with the end of their latest hold, and
   * nothing of the case behind it: the owner is told which clip, not why.
   */
  async shredAllOf(ownerId: string): Promise<{ shredded: number; held: { id: string; cameraId: string; startedAt: string; until: string | null }[] }> {
    let shredded = 0;
    const held = [];
    for (const clip of await repo.listClips(this.#db, { ownerId, limit: 1_000_000 })) {
      if (await this.#shred(clip)) {
        shredded++;
        continue;
      }
      const holds = await repo.activeHolds(this.#db, clip.id, this.#ctx.clock.now());
      const ends = holds.map((h) => (h.until === null ? null : Number(h.until)));
      const until = ends.includes(null) ? null : Math.max(...ends as number[]);
      held.push({ id: clip.id, cameraId: clip.camera_id, startedAt: new Date(Number(clip.started_at)).toISOString(), until: until === null ? null : new Date(until).toISOString() });
    }
    return { shredded, held };
  }

  /** Registers what else to destroy when a clip is shredded (see ShredHook). */
  onShred(hook: ShredHook): void {
    this.#shredHooks.push(hook);
  }

  async retention(actor: UserActor): Promise<{ days: number }> {
    return { days: await repo.retentionDays(this.#db, actor.userId) };
  }

  async setRetention(actor: UserActor, days: number): Promise<{ days: number }> {
    await repo.setRetentionDays(this.#db, actor.userId, orBadRequest(checkRetentionDays(days)));
    return { days };
  }

  /** Deletes clips past their owner's retention period; held clips are skipped. Returns how many. */
  async sweepRetention(): Promise<number> {
    let n = 0;
    for (;;) {
      const batch = await repo.expiredClips(this.#db, this.#ctx.clock.now(), 200);
      for (const clip of batch) if (await this.#shred(clip)) n++;
      if (batch.length < 200) return n;
    }
  }

  async accessLog(actor: UserActor, q: { cursor?: string; limit?: number }) {
    const limit = Math.min(q.limit ?? LIMITS.pageDefault, LIMITS.pageMax);
    const before = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = await repo.listAccess(this.#db, actor.userId, limit + 1, before && { at: before.t, id: before.id });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({ id: r.id, clipId: r.clip_id, actor: r.actor, purpose: r.purpose, at: new Date(Number(r.at)).toISOString() })),
      nextCursor: rows.length > limit && last ? encodeCursor(Number(last.at), last.id) : null,
    };
  }

  #queueThumbnail(row: ClipRow): void {
    this.#thumbs = this.#thumbs.then(() => this.#makeThumbnail(row)).catch((err) => this.#ctx.log.warn({ err, clipId: row.id }, 'thumbnail failed'));
  }

  /**
   * ffmpeg gets a sparse plaintext file holding only the first 8 MiB and the
   * moov box (sample offsets stay valid), enough for the first frame without
   * writing a whole clip's plaintext to disk.
   */
  async #makeThumbnail(row: ClipRow): Promise<void> {
    if (!(await ffmpegAvailable(this.#ctx.config.FFMPEG_PATH))) return;
    const size = Number(row.size);
    const moov = await this.#moovRange(row);
    const ranges = [{ start: 0, end: Math.min(size, 8 * 1024 * 1024) - 1 }];
    if (moov && moov.start > ranges[0].end) ranges.push({ start: moov.start, end: moov.end - 1 });
    const file = await this.#vault.writeSparse(row, ranges);
    try {
      const jpeg = await makeThumbnail(this.#ctx.config.FFMPEG_PATH, file);
      const key = thumbnailKeyFor(row.id);
      await this.#vault.putDerived(row, 'thumbnail', key, jpeg);
      // A clip deleted meanwhile keeps no thumbnail.
      if (!(await repo.setThumbnail(this.#db, row.id, key))) await this.#vault.blobs.delete(key);
    } finally {
      await fsp.rm(file, { force: true });
    }
  }

  async #moovRange(row: ClipRow) {
    const verdict = await checkMp4({ size: Number(row.size), read: async (o, n) => {
      const end = Math.min(o + n, Number(row.size)) - 1;
      if (end < o) return Buffer.alloc(0);
      const chunks: Buffer[] = [];
      for await (const c of await this.#vault.openRange(row, o, end)) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    } });
    return verdict.ok ? verdict.moov : undefined;
  }

  /** Resolves when queued thumbnails are done (tests, shutdown). */
  settled(): Promise<void> {
    return this.#thumbs;
  }

  // For legal (preservation). Byte reads for anyone but the owner are in
  // internal.ts, which only disclosure/ imports.

  async placeHold(input: { clipId: string; reason: string; until: number | null; createdBy: string }, db: DbHandle = this.#db): Promise<string> {
    if (!(await repo.findClip(db, input.clipId))) throw notFound('no such clip');
    const id = newId();
    await repo.insertHold(db, { id, clip_id: input.clipId, reason: input.reason, until: input.until, created_by: input.createdBy, created_at: this.#ctx.clock.now(), released_at: null, released_by: null });
    return id;
  }

  async releaseHold(holdId: string, releasedBy: string, db: DbHandle = this.#db): Promise<boolean> {
    return repo.releaseHold(db, holdId, releasedBy, this.#ctx.clock.now());
  }
}
