// The disclosure log's use cases: appending (in the caller's transaction), the
// background integrator, and reading checkpoints, tiles, proofs and receipts.
//
// Appending only sequences: it stores the entry in the caller's transaction, so
// a disclosure and its log entry commit or fail together, and assigns nothing
// public. The integrator then, in ONE transaction per batch, gives pending
// entries contiguous indices, writes the changed tiles and signs the new
// checkpoint. Nothing is public until that transaction commits, and a crash
// rolls all of it back, so the log can never have signed two checkpoints that
// disagree: the next run starts again from the last committed tree.
import { sql } from 'kysely';
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { ConfigError } from '../config.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { badRequest, notFound } from '../platform/http/errors.ts';
import { signCheckpoint } from './checkpoint.ts';
import { type LogEntry, clipCommitment, encodeEntry, newClipSalt } from './entry.ts';
import { loadLogSigner } from './keys.ts';
import { EMPTY_ROOT, HASH_SIZE, leafHash } from './merkle.ts';
import { type Signer, formatVerifierKey } from './note.ts';
import { bytesEqual, fromHex, toBase64, toHex, utf8 } from './primitives.ts';
import * as repo from './repository.ts';
import {
  ENTRIES_LEVEL, TILE_WIDTH, type ExpandedTile, type ExpandedTileCache, type TileCoord, appendToTiles, consistencyProofFromTiles, consistencyProofTiles, decodeEntryBundle,
  encodeEntryBundle, inclusionProofFromTiles, inclusionProofTiles, rightEdgeTiles, rootFromTiles, tileKey,
} from './tiles.ts';
import type { Receipt } from './verify.ts';
import type { WitnessCosigning } from './witnessing.ts';

/** Whose clip an entry concerns, kept privately for that owner's receipts. */
export interface Subject {
  ownerId: string;
  clipId: string;
  /** Hex SHA-256 of the clip. */
  clipSha256: string;
  /** Hex 32-byte salt of the clip's commitment in the entry. */
  salt: string;
}

/** A fresh salt and the commitment to put in an entry's `clips` (the owner keeps the salt). */
export function commitClip(clipSha256Hex: string): { salt: string; commitment: string } {
  const clip = fromHex(clipSha256Hex);
  if (!clip || clip.length !== 32) throw new Error('a clip hash is 64 lower-case hex characters');
  const salt = newClipSalt();
  return { salt: toHex(salt), commitment: clipCommitment(salt, clip) };
}

/**
 * Sequences an entry in the caller's transaction. Validates it (canonical JSON,
 * ≤ 65,535 bytes, no personal data fields) and that every subject's clip is
 * committed to in it. Returns the private sequence number, not a log index.
 */
export async function append(tx: DbHandle, entry: LogEntry, subjects: readonly Subject[] = [], now = Date.now()): Promise<{ seq: number }> {
  const bytes = encodeEntry(entry);
  for (const s of subjects) {
    const salt = fromHex(s.salt);
    const clip = fromHex(s.clipSha256);
    if (!salt || !clip || salt.length !== 32 || clip.length !== 32 || !entry.clips.includes(clipCommitment(salt, clip))) {
      throw new Error(`subject clip ${s.clipId} is not committed to in the entry`);
    }
  }
  const seq = await repo.insertEntry(tx, bytes, now);
  await repo.insertSubjects(tx, subjects.map((s) => ({ seq, owner_id: s.ownerId, clip_id: s.clipId, clip_sha256: s.clipSha256, salt: s.salt })));
  return { seq };
}

/**
 * Expanded hash tiles, least recently used first out. A tile at a given width
 * never changes (a wider version only appends), so a cached tile serves every
 * request up to its width; about 16 KiB each.
 */
class TileCache implements ExpandedTileCache {
  readonly #max: number;
  readonly #map = new Map<string, ExpandedTile>();
  constructor(max: number) {
    this.#max = max;
  }
  get(key: string): ExpandedTile | undefined {
    const v = this.#map.get(key);
    if (v) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: string, v: ExpandedTile): void {
    this.#map.delete(key);
    if (this.#map.size >= this.#max) this.#map.delete(this.#map.keys().next().value!);
    this.#map.set(key, v);
  }
}

export class LedgerService {
  readonly #ctx: AppContext;
  #signer: Signer | undefined;
  readonly #cache = new TileCache(4096);
  readonly #witnesses: WitnessCosigning;

  constructor(ctx: AppContext, deps: { witnesses: WitnessCosigning }) {
    this.#ctx = ctx;
    this.#witnesses = deps.witnesses;
    ctx.workers.add({ name: 'ledger.integrate', intervalMs: ctx.config.LOG_BATCH_MS, run: () => this.integrate().then(() => undefined) });
    // Its own worker: a slow or dead witness delays cosignatures, never integration.
    ctx.workers.add({ name: 'ledger.witness', intervalMs: ctx.config.LOG_BATCH_MS, run: () => this.cosignLatest() });
  }

  /** The log's signing key, named by its origin; known once init() has opened the log. */
  get signer(): Signer {
    if (!this.#signer) throw new Error('the log is not open yet (LedgerService.init)');
    return this.#signer;
  }

  get verifierKey(): string {
    return formatVerifierKey(this.signer);
  }

  /**
   * Opens the log. Its origin (C2SP tlog-checkpoint: the first line of every
   * checkpoint, and the name of its key) is fixed when the log is created, by
   * the first checkpoint, which is the empty tree's, signed here once. After
   * that the stored checkpoints name it: a changed PUBLIC_URL or port never
   * changes it, and a LOG_ORIGIN that differs stops start-up, since verifiers
   * would reject every checkpoint signed under a new name.
   */
  async init(): Promise<void> {
    const { db, clock, config } = this.#ctx;
    const latest = await repo.latestCheckpoint(db.kysely);
    const stored = latest ? latest.note.slice(0, latest.note.indexOf('\n')) : undefined;
    if (stored !== undefined && config.LOG_ORIGIN && config.LOG_ORIGIN !== stored) {
      throw new ConfigError('LOG_ORIGIN', `is "${config.LOG_ORIGIN}", but this log was created as "${stored}" and a log's origin never changes; unset LOG_ORIGIN or set it to "${stored}"`);
    }
    this.#signer = loadLogSigner({ dataDir: config.dataDir, seedHex: config.LOG_SIGNING_KEY, origin: stored ?? config.logOrigin });
    if (latest) return;
    const note = signCheckpoint({ origin: this.signer.name, size: 0, root: EMPTY_ROOT, extensions: [] }, this.signer);
    await repo.insertCheckpoint(db.kysely, { size: 0, root: EMPTY_ROOT, note }, clock.now());
  }

  /** Integrates batches until fewer than a full batch is pending. Returns how many entries it integrated. */
  async integrate(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.integrateOnce();
      total += n;
      if (n < this.#ctx.config.LOG_BATCH_SIZE) return total;
    }
  }

  /**
   * One batch, in one transaction: indices, tiles, checkpoint. On SQLite the
   * commit that publishes a checkpoint is made durable (synchronous=FULL for it):
   * the database runs at NORMAL, where a power loss may drop the last commits,
   * and a served checkpoint that vanished would let the log sign a different one
   * for the same size. Syncing the WAL here also makes every earlier append durable.
   */
  async integrateOnce(): Promise<number> {
    const { db } = this.#ctx;
    if (db.engine !== 'sqlite') return this.#integrateBatch();
    const before = await sql<{ synchronous: number }>`pragma synchronous`.execute(db.kysely);
    const level = Number(before.rows[0]?.synchronous ?? 1);
    if (level >= 2) return this.#integrateBatch();
    await sql`pragma synchronous = FULL`.execute(db.kysely);
    try {
      return await this.#integrateBatch();
    } finally {
      await sql.raw(`pragma synchronous = ${level}`).execute(db.kysely);
    }
  }

  async #integrateBatch(): Promise<number> {
    const { db, clock, config } = this.#ctx;
    return db.kysely.transaction().execute(async (tx) => {
      if (db.engine === 'postgres' && !(await repo.tryIntegratorLock(tx))) return 0;
      const pending = await repo.pendingEntries(tx, config.LOG_BATCH_SIZE);
      if (pending.length === 0) return 0;
      const latest = await repo.latestCheckpoint(tx);
      const oldSize = latest?.size ?? 0;
      const edgeCoords: { level: number; index: number }[] = rightEdgeTiles(oldSize);
      if (oldSize % TILE_WIDTH !== 0) edgeCoords.push({ level: ENTRIES_LEVEL, index: Math.floor(oldSize / TILE_WIDTH) });
      const edgeRows = await repo.readTiles(tx, edgeCoords);
      const edge = new Map([...edgeRows].map(([k, r]) => [k, r.bytes]));
      // Refuse to extend a tree whose stored edge does not match what we signed:
      // signing on top of damaged tiles would publish a fork.
      if (latest && oldSize > 0 && !bytesEqual(rootFromTiles(edge, oldSize), latest.root)) {
        throw new Error(`stored tiles do not match the signed checkpoint of size ${oldSize}; integration stopped`);
      }
      const out = appendToTiles(oldSize, edge, pending.map((p) => ({ entry: p.entry, hash: leafHash(p.entry) })));
      const assigned = await repo.assignIndices(tx, db.engine, oldSize, pending.map((p) => p.seq));
      if (assigned !== pending.length) throw new Error(`assigned ${assigned} of ${pending.length} indices; integration rolled back`);
      await repo.upsertTiles(tx, out.tiles);
      const note = signCheckpoint({ origin: this.signer.name, size: out.size, root: out.root, extensions: [] }, this.signer);
      if (!(await repo.insertCheckpoint(tx, { size: out.size, root: out.root, note }, clock.now()))) {
        throw new Error(`a checkpoint of size ${out.size} already exists; integration rolled back`);
      }
      return pending.length;
    });
  }

  /** The latest checkpoint, with the witnesses' cosignatures gathered for it (C2SP tlog-witness). */
  async checkpoint(): Promise<string> {
    const cp = await repo.latestCheckpoint(this.#ctx.db.kysely);
    if (!cp) throw notFound('the log has no checkpoint yet');
    return this.#witnesses.published(cp);
  }

  /** Submits the latest signed checkpoint to the witnesses (LOG_WITNESSES) that have not cosigned it. */
  async cosignLatest(): Promise<void> {
    const cp = await repo.latestCheckpoint(this.#ctx.db.kysely);
    if (!cp) return;
    await this.#witnesses.cosign(cp, this.signer, async (from, to) => consistencyProofFromTiles(await this.#tiles(consistencyProofTiles(from, to)), from, to, this.#cache));
  }

  /** A tile or entry bundle at a width: as stored, or the prefix of a wider stored version. */
  async tile(coord: TileCoord): Promise<Uint8Array | null> {
    const key = tileKey(coord.level, coord.index);
    const cached = coord.level === ENTRIES_LEVEL ? undefined : this.#cache.get(key);
    const row = cached && cached.width >= coord.width ? cached : (await repo.readTiles(this.#ctx.db.kysely, [coord])).get(key);
    if (!row || row.width < coord.width) return null;
    if (coord.level === ENTRIES_LEVEL) return coord.width === row.width ? row.bytes : encodeEntryBundle(decodeEntryBundle(row.bytes).slice(0, coord.width));
    return row.bytes.subarray(0, coord.width * HASH_SIZE);
  }

  /** Reads the hash tiles a proof needs that the cache does not hold at a sufficient width. */
  async #tiles(coords: readonly TileCoord[]): Promise<Map<string, Uint8Array>> {
    const missing = coords.filter((c) => (this.#cache.get(tileKey(c.level, c.index))?.width ?? 0) < c.width);
    const out = new Map<string, Uint8Array>();
    for (const [k, r] of await repo.readTiles(this.#ctx.db.kysely, missing)) out.set(k, r.bytes);
    return out;
  }

  /** The largest tree size known to be signed: sizes up to it need no query (the log only grows). */
  #knownSize = 0;

  async #size(size: number | undefined): Promise<number> {
    if (size !== undefined && size <= this.#knownSize) return size;
    const latest = await repo.latestCheckpoint(this.#ctx.db.kysely);
    const max = latest?.size ?? 0;
    this.#knownSize = Math.max(this.#knownSize, max);
    if (size === undefined) return max;
    if (size > max) throw badRequest(`the log has ${max} entries`);
    return size;
  }

  async inclusionProof(index: number, size?: number): Promise<{ index: number; size: number; proof: string[] }> {
    const n = await this.#size(size);
    if (index >= n) throw badRequest(`index must be below the tree size ${n}`);
    const proof = inclusionProofFromTiles(await this.#tiles(inclusionProofTiles(index, n)), index, n, this.#cache);
    return { index, size: n, proof: proof.map(toBase64) };
  }

  async consistencyProof(from: number, to?: number): Promise<{ from: number; to: number; proof: string[] }> {
    const n = await this.#size(to);
    if (from < 1 || from > n) throw badRequest(`from must be between 1 and ${n}`);
    const proof = consistencyProofFromTiles(await this.#tiles(consistencyProofTiles(from, n)), from, n, this.#cache);
    return { from, to: n, proof: proof.map(toBase64) };
  }

  /** Receipts for the entries concerning the signed-in owner: integrated ones with proofs, and how many are pending. */
  async receipts(actor: UserActor): Promise<{ key: string; receipts: Receipt[]; pending: number }> {
    const db = this.#ctx.db.kysely;
    const rows = await repo.entriesOfOwner(db, actor.userId, 500);
    const latest = await repo.latestCheckpoint(db);
    const bySeq = new Map<number, { idx: number | null; entry: Uint8Array; clips: Receipt['clips'][number][] }>();
    for (const r of rows) {
      const e = bySeq.get(r.seq) ?? { idx: r.idx, entry: r.entry, clips: [] };
      e.clips.push({ id: r.clip_id, sha256: r.clip_sha256, salt: r.salt });
      bySeq.set(r.seq, e);
    }
    const receipts: Receipt[] = [];
    let pending = 0;
    for (const e of bySeq.values()) {
      if (e.idx === null || !latest || e.idx >= latest.size) {
        pending++;
        continue;
      }
      const proof = inclusionProofFromTiles(await this.#tiles(inclusionProofTiles(e.idx, latest.size)), e.idx, latest.size, this.#cache);
      receipts.push({ entry: utf8.decode(e.entry) ?? '', index: e.idx, checkpoint: this.#witnesses.cosignedNote(latest), proof: proof.map(toBase64), clips: e.clips });
    }
    return { key: this.verifierKey, receipts, pending };
  }
}

