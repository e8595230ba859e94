// The standalone verifier's core: pure except for the fetch function it is given,
// and importing only the pure ledger modules, so it runs in the CLI, in tests and
// (later) in the browser. It trusts nothing the log serves except what the
// log's key signed: the checkpoint. Every tile is recomputed from the entries up.
import { type Checkpoint, CheckpointError, openCheckpoint } from './checkpoint.ts';
import { openCosignedCheckpoint } from './cosignature.ts';
import { EntryError, type LogEntry, entryCommitsTo, parseEntry } from './entry.ts';
import { EMPTY_ROOT, type Hash, MerkleError, leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import { NoteError, type Verifier } from './note.ts';
import { bytesEqual, fromBase64, sha256, utf8 } from './primitives.ts';
import {
  ENTRIES_LEVEL, TILE_WIDTH, TileError, type TileCoord, consistencyProofFromTiles, consistencyProofTiles, decodeEntryBundle, levelCount,
  perfectRoot, rootFromTiles, rootTiles, tileHashes, tileKey, tilePath, tileWidth,
} from './tiles.ts';

export type VerifyErrorCode =
  | 'fetch_failed'
  | 'bad_checkpoint' // signature, origin or syntax
  | 'bad_entry'
  | 'entry_mismatch' // an entry bundle does not hash to the level-0 tile
  | 'tile_mismatch' // a hash tile differs from the hashes recomputed below it
  | 'root_mismatch' // the tiles do not lead to the signed root
  | 'rollback' // the log is smaller than a checkpoint it signed before
  | 'inconsistent' // the log is not an extension of the previous checkpoint
  | 'bad_receipt'
  | 'bad_cosignature' // a cosignature by a witness we were given does not verify
  | 'too_few_cosignatures'; // fewer valid cosignatures than --min-witnesses

export class VerifyError extends Error {
  readonly code: VerifyErrorCode;
  constructor(code: VerifyErrorCode, message: string) {
    super(message);
    this.name = 'VerifyError';
    this.code = code;
  }
}

/** Fetches a path under the log's prefix ("checkpoint", "tile/0/000.p/7"); null when absent (404). */
export type Fetcher = (path: string) => Promise<Uint8Array | null>;

const wrap = (code: VerifyErrorCode, err: unknown): VerifyError => {
  if (err instanceof VerifyError) return err;
  const known = err instanceof NoteError || err instanceof CheckpointError || err instanceof MerkleError || err instanceof TileError || err instanceof EntryError;
  if (!known) throw err;
  return new VerifyError(code, `${err.message} (${err.code})`);
};

/** Opens a signed checkpoint with the log's key; every failure is a VerifyError('bad_checkpoint'). */
export function openSignedCheckpoint(text: string | Uint8Array, verifier: Verifier): Checkpoint {
  try {
    return openCheckpoint(text, verifier).checkpoint;
  } catch (err) {
    throw wrap('bad_checkpoint', err);
  }
}

/**
 * Fetches a tile at the width the tree needs. tlog-tiles lets a log drop partial
 * tiles once the full one exists, so a missing partial falls back to the full
 * tile, of which only the prefix is used.
 */
async function fetchTile(fetch: Fetcher, t: TileCoord): Promise<Uint8Array> {
  let bytes = await fetch(tilePath(t));
  if (!bytes && t.width < TILE_WIDTH) bytes = await fetch(tilePath({ ...t, width: TILE_WIDTH }));
  if (!bytes) throw new VerifyError('fetch_failed', `${tilePath(t)} is missing`);
  return bytes;
}

/**
 * RFC 9162 §2.1.1 leaf hashes SHA-256(0x00 || entry) of a bundle's first `count`
 * entries (subarrays of `bundle`) without a copy per entry: in one copy of the
 * bundle, the length byte just before each entry becomes the 0x00 prefix.
 */
function bundleLeafHashes(bundle: Uint8Array, entries: readonly Uint8Array[], count: number): Hash[] {
  const work = new Uint8Array(bundle); // a copy (Buffer#slice would be a view)
  const out: Hash[] = new Array(count);
  for (let j = 0; j < count; j++) {
    const at = entries[j].byteOffset - bundle.byteOffset - 1;
    work[at] = 0x00;
    out[j] = sha256(work.subarray(at, at + 1 + entries[j].length));
  }
  return out;
}

export interface LogVerification {
  readonly checkpoint: Checkpoint;
  /** The signed checkpoint as served, to be kept as the next run's state. */
  readonly checkpointText: string;
  readonly leaves: number;
  readonly tiles: number;
  /** The previous checkpoint this one was shown to extend, if one was given. */
  readonly previousSize: number | null;
  /** Names of the given witnesses whose cosignatures verified. */
  readonly cosignedBy: string[];
}

/** Witnesses to require: their cosigner keys (type 0x04) and how many must have cosigned. */
export interface WitnessPolicy {
  readonly keys: readonly Verifier[];
  readonly min: number;
}

/**
 * Counts valid cosignatures by the policy's witnesses (C2SP tlog-cosignature).
 * Lines by keys not in the policy are ignored; one by a listed witness that does
 * not verify fails the check (signed-note §Signatures: reject the whole note).
 */
export function checkCosignatures(text: string | Uint8Array, verifier: Verifier, policy: WitnessPolicy): string[] {
  let names: string[];
  try {
    names = openCosignedCheckpoint(text, verifier, policy.keys).cosignatures.map((c) => c.name);
  } catch (err) {
    throw wrap('bad_cosignature', err);
  }
  if (names.length < policy.min) {
    throw new VerifyError('too_few_cosignatures', `${names.length} valid cosignature${names.length === 1 ? '' : 's'} (${names.join(', ') || 'none'}), ${policy.min} required`);
  }
  return names;
}

/**
 * Verifies the whole log: the checkpoint's signature, every entry bundle against
 * the level-0 hashes, every higher tile against the tiles below, the signed root,
 * and (given the previous signed checkpoint) that the log only grew.
 * `concurrency` bounds the fetches in flight.
 */
export async function verifyLog(opts: {
  verifier: Verifier; fetch: Fetcher; previous?: string; concurrency?: number; witnesses?: WitnessPolicy;
  /** Called with each entry, in log order, once it is parsed; it is checked against its hash before the next bundle is read. */
  onEntry?: (index: number, entry: LogEntry) => void;
  /** Called after each entry bundle is checked, with the entries checked so far and the checkpoint's size. */
  onProgress?: (done: number, total: number) => void;
}): Promise<LogVerification> {
  const { verifier, fetch } = opts;
  const raw = await fetch('checkpoint');
  if (!raw) throw new VerifyError('fetch_failed', 'the checkpoint is missing');
  const checkpoint = openSignedCheckpoint(raw, verifier);
  // Before any tile: a checkpoint too few witnesses vouch for may be a split view.
  const cosignedBy = opts.witnesses ? checkCosignatures(raw, verifier, opts.witnesses) : [];
  const prev = opts.previous === undefined ? null : openSignedCheckpoint(opts.previous, verifier);
  const n = checkpoint.size;
  if (prev && prev.size > n) throw new VerifyError('rollback', `the log shrank from ${prev.size} to ${n} entries`);

  // Keep the tiles the root and the consistency proof are computed from.
  const keep = new Set<string>([...rootTiles(n), ...(prev && prev.size > 0 && prev.size < n ? consistencyProofTiles(prev.size, n) : [])].map((t) => tileKey(t.level, t.index)));
  const kept = new Map<string, Uint8Array>();
  let tiles = 0;

  // Level 0: entry bundles hashed and compared with level-0 tiles, in a window of parallel fetches.
  let above: Hash[] = [];
  const bundles = Math.ceil(n / TILE_WIDTH);
  const window = Math.max(1, opts.concurrency ?? 8);
  const inflight = new Map<number, Promise<[Uint8Array, Uint8Array]>>();
  const start = (i: number) => {
    if (i >= bundles || inflight.has(i)) return;
    const w = tileWidth(n, 0, i);
    const p = Promise.all([fetchTile(fetch, { level: ENTRIES_LEVEL, index: i, width: w }), fetchTile(fetch, { level: 0, index: i, width: w })]);
    p.catch(() => {}); // observed when awaited below
    inflight.set(i, p);
  };
  for (let i = 0; i < Math.min(window, bundles); i++) start(i);
  for (let i = 0; i < bundles; i++) {
    start(i + window - 1);
    const [bundleBytes, tileBytes] = await inflight.get(i)!;
    inflight.delete(i);
    const w = tileWidth(n, 0, i);
    let entries: Uint8Array[];
    let hashes: Hash[];
    try {
      entries = decodeEntryBundle(bundleBytes);
      hashes = tileHashes(tileBytes, w);
    } catch (err) {
      throw wrap('entry_mismatch', err);
    }
    if (entries.length < w) throw new VerifyError('entry_mismatch', `${tilePath({ level: ENTRIES_LEVEL, index: i, width: w })} has ${entries.length} entries, not ${w}`);
    const leaves = bundleLeafHashes(bundleBytes, entries, w);
    for (let j = 0; j < w; j++) {
      const index = i * TILE_WIDTH + j;
      let entry: LogEntry;
      try {
        entry = parseEntry(entries[j]);
      } catch (err) {
        throw new VerifyError('bad_entry', `entry ${index}: ${(err as Error).message}`);
      }
      if (!bytesEqual(leaves[j], hashes[j])) throw new VerifyError('entry_mismatch', `entry ${index} does not match its hash in ${tilePath({ level: 0, index: i, width: w })}`);
      opts.onEntry?.(index, entry);
    }
    tiles += 2;
    opts.onProgress?.(i * TILE_WIDTH + w, n);
    if (keep.has(tileKey(0, i))) kept.set(tileKey(0, i), tileBytes);
    if (w === TILE_WIDTH) above.push(perfectRoot(hashes));
  }

  // Higher levels: each tile must hold exactly the roots of the full tiles below it.
  for (let level = 1; levelCount(n, level) > 0; level++) {
    const computed = above;
    above = [];
    for (let i = 0; i * TILE_WIDTH < computed.length; i++) {
      const w = tileWidth(n, level, i);
      const bytes = await fetchTile(fetch, { level, index: i, width: w });
      let hashes: Hash[];
      try {
        hashes = tileHashes(bytes, w);
      } catch (err) {
        throw wrap('tile_mismatch', err);
      }
      for (let j = 0; j < w; j++) {
        if (!bytesEqual(hashes[j], computed[i * TILE_WIDTH + j])) throw new VerifyError('tile_mismatch', `${tilePath({ level, index: i, width: w })} hash ${j} differs from the tiles below`);
      }
      tiles++;
      if (keep.has(tileKey(level, i))) kept.set(tileKey(level, i), bytes);
      if (w === TILE_WIDTH) above.push(perfectRoot(hashes));
    }
  }

  try {
    const root = n === 0 ? EMPTY_ROOT : rootFromTiles(kept, n);
    if (!bytesEqual(root, checkpoint.root)) throw new VerifyError('root_mismatch', `the tiles do not lead to the signed root of size ${n}`);
    if (prev) {
      if (prev.size === 0 || prev.size === n) {
        const want = prev.size === 0 ? EMPTY_ROOT : checkpoint.root;
        if (!bytesEqual(prev.root, want)) throw new VerifyError('inconsistent', `two different roots were signed for size ${prev.size}`);
      } else {
        verifyConsistency(prev.size, n, prev.root, checkpoint.root, consistencyProofFromTiles(kept, prev.size, n));
      }
    }
  } catch (err) {
    throw wrap(err instanceof MerkleError ? 'inconsistent' : 'root_mismatch', err);
  }
  return { checkpoint, checkpointText: utf8.decode(raw) ?? '', leaves: n, tiles, previousSize: prev ? prev.size : null, cosignedBy };
}

/** A receipt as served at /api/v1/me/receipts: everything needed to check one entry offline. */
export interface Receipt {
  /** The entry's canonical JSON, exactly as logged. */
  readonly entry: string;
  readonly index: number;
  /** The signed checkpoint the proof leads to. */
  readonly checkpoint: string;
  /** RFC 9162 inclusion proof, base64 hashes, leaf end first. */
  readonly proof: string[];
  /** The owner's clips in this entry, with the salts that open their commitments. */
  readonly clips: { id: string; sha256: string; salt: string }[];
}

export interface ReceiptVerification {
  readonly entry: LogEntry;
  readonly index: number;
  readonly checkpoint: Checkpoint;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a receipt (untrusted JSON) offline against the log's key: signature, inclusion, and each clip's commitment. */
export function verifyReceipt(receipt: unknown, verifier: Verifier): ReceiptVerification {
  const r = receipt;
  if (!isObj(r) || typeof r.entry !== 'string' || typeof r.checkpoint !== 'string' || !Number.isSafeInteger(r.index) || !Array.isArray(r.proof) || !Array.isArray(r.clips)) {
    throw new VerifyError('bad_receipt', 'a receipt has entry, index, checkpoint, proof and clips');
  }
  const checkpoint = openSignedCheckpoint(r.checkpoint, verifier);
  const entryBytes = utf8.encode(r.entry);
  let entry: LogEntry;
  try {
    entry = parseEntry(entryBytes);
  } catch (err) {
    throw wrap('bad_entry', err);
  }
  const proof = r.proof.map((p) => (typeof p === 'string' ? fromBase64(p) : null));
  if (proof.some((p) => p === null)) throw new VerifyError('bad_receipt', 'the proof is a list of base64 hashes');
  try {
    verifyInclusion(r.index as number, checkpoint.size, leafHash(entryBytes), proof as Hash[], checkpoint.root);
  } catch (err) {
    throw wrap('bad_receipt', err);
  }
  for (const c of r.clips) {
    if (!isObj(c) || typeof c.salt !== 'string' || typeof c.sha256 !== 'string') throw new VerifyError('bad_receipt', 'each clip has a sha256 and a salt');
    if (!entryCommitsTo(entry, c.salt, c.sha256)) throw new VerifyError('bad_receipt', `the entry does not commit to clip ${String(c.id)} with this salt`);
  }
  return { entry, index: r.index as number, checkpoint };
}
