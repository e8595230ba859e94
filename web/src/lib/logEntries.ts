// Browsing the log and checking one entry in the browser (issue 13 §4), with
// the CLI's own pure modules: the entry parser, the signed-checkpoint check,
// and RFC 9162 inclusion and consistency proofs. The server's answers are
// untrusted; only what the log's key signed is believed.
import { parseEntry, type LogEntry } from '../../../src/ledger/entry.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../../src/ledger/merkle.ts';
import { ENTRIES_LEVEL, TILE_WIDTH, decodeEntryBundle, tilePath } from '../../../src/ledger/tiles.ts';
import { openSignedCheckpoint } from '../../../src/ledger/verify.ts';
import { bytesEqual, fromBase64 } from '../ledger/primitives';
import { fetchBytes, fetchText, send } from '../api/client';
import { LOG_PREFIX, logVerifier } from './ledger';

export interface BrowsedEntry {
  index: number;
  bytes: Uint8Array;
  entry: LogEntry | null;
}

/** Entries [from, to) of the tree of `size`, from its entry bundles. */
export async function fetchEntries(size: number, from: number, to: number): Promise<BrowsedEntry[]> {
  const out: BrowsedEntry[] = [];
  for (let bundle = Math.floor(from / TILE_WIDTH); bundle * TILE_WIDTH < to; bundle++) {
    const width = Math.min(TILE_WIDTH, size - bundle * TILE_WIDTH);
    let bytes = await fetchBytes(`${LOG_PREFIX}/${tilePath({ level: ENTRIES_LEVEL, index: bundle, width })}`);
    if (!bytes && width < TILE_WIDTH) bytes = await fetchBytes(`${LOG_PREFIX}/${tilePath({ level: ENTRIES_LEVEL, index: bundle, width: TILE_WIDTH })}`);
    if (!bytes) throw new Error(`entry bundle ${bundle} is missing`);
    decodeEntryBundle(bytes).slice(0, width).forEach((b, j) => {
      const index = bundle * TILE_WIDTH + j;
      if (index < from || index >= to) return;
      let entry: LogEntry | null = null;
      try {
        entry = parseEntry(b);
      } catch {
        // Shown as malformed; checking it says why.
      }
      out.push({ index, bytes: b, entry });
    });
  }
  return out;
}

const SEEN_KEY = 'porchlight.log.seen-checkpoint';

export interface EntryCheck {
  size: number;
  origin: string;
  /** The size of the checkpoint this browser saw before, now proven a prefix of this one; null the first time. */
  consistentWith: number | null;
}

const hashes = (list: unknown): Uint8Array[] => {
  if (!Array.isArray(list)) throw new Error('the proof is not a list');
  return list.map((h) => {
    const b = typeof h === 'string' ? fromBase64(h) : null;
    if (!b) throw new Error('the proof holds something that is not a base64 hash');
    return b;
  });
};

/**
 * Checks that the entry's bytes are at `index` in the log as signed now, and
 * that the log signed now extends the one this browser last saw; then
 * remembers the new checkpoint.
 */
export async function checkEntry(index: number, bytes: Uint8Array, storage: Storage = localStorage): Promise<EntryCheck> {
  const { verifier } = await logVerifier();
  const text = await fetchText(`${LOG_PREFIX}/checkpoint`);
  const cp = openSignedCheckpoint(text, verifier);
  if (index >= cp.size) throw new Error(`entry ${index} is not in the signed tree of ${cp.size} entries yet`);
  const inc = await send<{ proof: unknown }>('GET', `/api/v1/log/proof/inclusion?index=${index}&size=${cp.size}`);
  verifyInclusion(index, cp.size, leafHash(bytes), hashes(inc.proof), cp.root);

  let consistentWith: number | null = null;
  const seenText = storage.getItem(SEEN_KEY);
  if (seenText) {
    const seen = openSignedCheckpoint(seenText, verifier);
    if (seen.size > cp.size) throw new Error(`the log shrank: this browser saw ${seen.size} entries, it now shows ${cp.size}`);
    if (seen.size === cp.size || seen.size === 0) {
      if (seen.size === cp.size && !bytesEqual(seen.root, cp.root)) throw new Error(`two different trees were signed for size ${cp.size}`);
    } else {
      const con = await send<{ proof: unknown }>('GET', `/api/v1/log/proof/consistency?from=${seen.size}&to=${cp.size}`);
      verifyConsistency(seen.size, cp.size, seen.root, cp.root, hashes(con.proof));
    }
    consistentWith = seen.size;
  }
  storage.setItem(SEEN_KEY, text);
  return { size: cp.size, origin: cp.origin, consistentWith };
}
