// A tiled log kept in a Map, appended to the way the integrator does it (shared by the tiles tests).
import { leafHash } from '../../src/ledger/merkle.ts';
import { utf8 } from '../../src/ledger/primitives.ts';
import { ENTRIES_LEVEL, appendToTiles, rightEdgeTiles, tileKey } from '../../src/ledger/tiles.ts';

export type Store = Map<string, Uint8Array>;
export const entryOf = (i: number) => utf8.encode(`entry ${i}`);

/** Appends a batch the way the integrator does: read the right edge, write the changed tiles. */
export function append(store: Store, oldSize: number, count: number): { size: number; root: Uint8Array } {
  const edge = new Map<string, Uint8Array>();
  for (const t of rightEdgeTiles(oldSize)) edge.set(tileKey(t.level, t.index), store.get(tileKey(t.level, t.index))!);
  const bundle = store.get(tileKey(ENTRIES_LEVEL, Math.floor(oldSize / 256)));
  if (oldSize % 256 !== 0) edge.set(tileKey(ENTRIES_LEVEL, Math.floor(oldSize / 256)), bundle!);
  const leaves = Array.from({ length: count }, (_, k) => ({ entry: entryOf(oldSize + k), hash: leafHash(entryOf(oldSize + k)) }));
  const out = appendToTiles(oldSize, edge, leaves);
  for (const t of out.tiles) store.set(tileKey(t.level, t.index), t.bytes);
  return { size: out.size, root: out.root };
}

