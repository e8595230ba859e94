// C2SP tlog-tiles (https://c2sp.org/tlog-tiles): the log published as static
// tiles of hashes and bundles of entries. Pure: paths, encodings, which tiles a
// tree size has, and proofs computed FROM tiles (a tile at level L holds the
// hashes of the perfect subtrees of 256^L leaves, so any RFC 9162 §2.1 subtree
// hash is at most 7 node hashes away from stored data) instead of a rebuilt tree.
import { HASH_SIZE, type Hash, type Subtree, type SubtreeSource, consistencyProofRanges, hashRange, inclusionProofRanges, nodeHash, rangeSubtrees, rootHash } from './merkle.ts';

/** tlog-tiles: tiles are 2^8 = 256 hashes wide; entry bundles hold 256 entries. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** Entries are length-prefixed with a big-endian uint16 (tlog-tiles §Log entries). */
export const MAX_ENTRY_BYTES = 0xffff;

export type TileErrorCode = 'bad_path' | 'bad_bundle' | 'missing_tile' | 'short_tile' | 'entry_too_large';

export class TileError extends Error {
  readonly code: TileErrorCode;
  constructor(code: TileErrorCode, message: string) {
    super(message);
    this.name = 'TileError';
    this.code = code;
  }
}

/** A hash tile (level >= 0) or an entry bundle (level = ENTRIES_LEVEL), with its width at some tree size. */
export interface TileCoord {
  readonly level: number;
  readonly index: number;
  /** 1..256; below 256 it is a partial tile, served as `.p/<width>`. */
  readonly width: number;
}

/** Entry bundles are kept beside hash tiles under this pseudo-level (as Go's tlog calls data tiles level -1). */
export const ENTRIES_LEVEL = -1;

/** tlog-tiles §Tile index: groups of three digits, all but the last prefixed with "x". */
export function encodeTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new TileError('bad_path', 'a tile index is a non-negative integer');
  let text = String(n % 1000).padStart(3, '0');
  let rest = Math.floor(n / 1000);
  while (rest > 0) {
    text = `x${String(rest % 1000).padStart(3, '0')}/${text}`;
    rest = Math.floor(rest / 1000);
  }
  return text;
}

/** The path of a hash tile or entry bundle, relative to the log's prefix. */
export function tilePath(t: TileCoord): string {
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) throw new TileError('bad_path', 'a tile width is 1..256');
  const where = t.level === ENTRIES_LEVEL ? 'entries' : String(t.level);
  return `tile/${where}/${encodeTileIndex(t.index)}${t.width < TILE_WIDTH ? `.p/${t.width}` : ''}`;
}

const PATH_RE = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/** Parses a tile path strictly: the one canonical spelling, or null. */
export function parseTilePath(path: string): TileCoord | null {
  const m = PATH_RE.exec(path);
  if (!m) return null;
  const level = m[1] === 'entries' ? ENTRIES_LEVEL : Number(m[1]);
  if (level > 63) return null;
  const groups = m[2].split('/').map((g) => Number(g.replace('x', '')));
  if (groups.length > 6) return null; // more than 10^18 tiles
  const index = groups.reduce((acc, g) => acc * 1000 + g, 0);
  // Six groups reach 10^18: past 2^53 a Number no longer holds the index exactly.
  if (!Number.isSafeInteger(index)) return null;
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (m[3] !== undefined && width >= TILE_WIDTH) return null;
  const coord = { level, index, width };
  return tilePath(coord) === path ? coord : null;
}

/** How many hashes the tree of `size` leaves has at tile level `level` (hashes of 256^level-leaf subtrees). */
export function levelCount(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** Math.max(level, 0));
}

/** The width of tile (level, index) in the tree of `size` leaves: 0 if it does not exist yet. */
export function tileWidth(size: number, level: number, index: number): number {
  return Math.max(0, Math.min(TILE_WIDTH, levelCount(size, level) - index * TILE_WIDTH));
}

/** Every hash tile of the tree of `size` leaves, level by level (tlog-tiles §Merkle tree). */
export function hashTilesForSize(size: number): TileCoord[] {
  const out: TileCoord[] = [];
  for (let level = 0; levelCount(size, level) > 0; level++) {
    const count = levelCount(size, level);
    for (let index = 0; index * TILE_WIDTH < count; index++) out.push({ level, index, width: tileWidth(size, level, index) });
  }
  return out;
}

/** Every entry bundle of the tree of `size` leaves. */
export function entryBundlesForSize(size: number): TileCoord[] {
  const out: TileCoord[] = [];
  for (let index = 0; index * TILE_WIDTH < size; index++) out.push({ level: ENTRIES_LEVEL, index, width: tileWidth(size, 0, index) });
  return out;
}

/** The partial tiles at the right edge of the tree of `size`: all an appender or a root needs. */
export function rightEdgeTiles(size: number): TileCoord[] {
  const out: TileCoord[] = [];
  for (let level = 0; levelCount(size, level) > 0; level++) {
    const count = levelCount(size, level);
    if (count % TILE_WIDTH !== 0) out.push({ level, index: Math.floor(count / TILE_WIDTH), width: count % TILE_WIDTH });
  }
  return out;
}

/** tlog-tiles §Log entries: each entry as a big-endian uint16 length, then its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES) throw new TileError('entry_too_large', `an entry is over ${MAX_ENTRY_BYTES} bytes`);
    total += 2 + e.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out[at] = Math.floor(e.length / 256);
    out[at + 1] = e.length % 256;
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/** Decodes an entry bundle; a truncated length or body is a TileError. */
export function decodeEntryBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw new TileError('bad_bundle', 'an entry bundle ends inside a length');
    const len = bytes[at] * 256 + bytes[at + 1];
    if (at + 2 + len > bytes.length) throw new TileError('bad_bundle', 'an entry bundle ends inside an entry');
    out.push(bytes.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}

export function tileHashes(bytes: Uint8Array, width: number): Hash[] {
  if (bytes.length < width * HASH_SIZE) throw new TileError('short_tile', `a tile of width ${width} needs ${width * HASH_SIZE} bytes`);
  return Array.from({ length: width }, (_, i) => bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
}

/** Root of a perfect tree of hashes (length a power of two). */
export function perfectRoot(hashes: Hash[]): Hash {
  let row = hashes;
  while (row.length > 1) {
    const up: Hash[] = [];
    for (let i = 0; i < row.length; i += 2) up.push(nodeHash(row[i], row[i + 1]));
    row = up;
  }
  return row[0];
}

/** The hash tile holding the stored hashes a perfect subtree is built from, at tree size `size`. */
function subtreeTile(s: Subtree, size: number): { coord: TileCoord; offset: number; count: number } {
  const level = Math.floor(s.level / TILE_HEIGHT);
  const count = 2 ** (s.level - level * TILE_HEIGHT);
  const first = s.index * count;
  const index = Math.floor(first / TILE_WIDTH);
  return { coord: { level, index, width: tileWidth(size, level, index) }, offset: first % TILE_WIDTH, count };
}

export const tileKey = (level: number, index: number) => `${level}/${index}`;

/** Which hash tiles, at which widths, hold the subtrees of the given ranges. */
export function tilesForRanges(ranges: readonly (readonly [number, number])[], size: number): TileCoord[] {
  const out = new Map<string, TileCoord>();
  for (const [s, e] of ranges) {
    for (const st of rangeSubtrees(s, e)) {
      const { coord } = subtreeTile(st, size);
      out.set(tileKey(coord.level, coord.index), coord);
    }
  }
  return [...out.values()];
}

/** Tiles keyed by tileKey(level, index); each may be wider than the tree needs (its prefix is used). */
export type TileSet = ReadonlyMap<string, Uint8Array>;

/**
 * A hash tile with every perfect subtree inside it hashed once: level r holds the
 * roots of 2^r consecutive tile entries. A complete subtree's hash never changes,
 * so an expanded tile stays valid as the log grows (up to its own width).
 */
export class ExpandedTile {
  readonly width: number;
  readonly bytes: Uint8Array;
  /** Level r > 0 starts at offsets[r] in `nodes`; level 0 is `bytes` itself. */
  readonly #nodes: Uint8Array;
  readonly #offsets: number[] = [0, 0];
  constructor(bytes: Uint8Array, width: number) {
    if (bytes.length < width * HASH_SIZE) throw new TileError('short_tile', `a tile of width ${width} needs ${width * HASH_SIZE} bytes`);
    this.width = width;
    this.bytes = bytes;
    let total = 0;
    for (let n = Math.floor(width / 2); n > 0; n = Math.floor(n / 2)) total += n;
    this.#nodes = new Uint8Array(total * HASH_SIZE);
    let below = bytes;
    let belowCount = width;
    let at = 0;
    for (let r = 1; belowCount >= 2; r++) {
      this.#offsets[r] = at;
      const count = Math.floor(belowCount / 2);
      const start = at;
      for (let j = 0; j < count; j++) {
        const h = nodeHash(below.subarray(2 * j * HASH_SIZE, (2 * j + 1) * HASH_SIZE), below.subarray((2 * j + 1) * HASH_SIZE, (2 * j + 2) * HASH_SIZE));
        this.#nodes.set(h, at);
        at += HASH_SIZE;
      }
      below = this.#nodes.subarray(start, at);
      belowCount = count;
    }
  }
  /** The root of the 2^r entries starting at entry j * 2^r; the caller checks it is inside the width. */
  subtree(r: number, j: number): Hash {
    if (r === 0) return this.bytes.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE);
    const at = this.#offsets[r] + j * HASH_SIZE;
    return this.#nodes.subarray(at, at + HASH_SIZE);
  }
}

/** Where expanded tiles may be kept between calls (the service's cache); keyed by tileKey. */
export interface ExpandedTileCache {
  get(key: string): ExpandedTile | undefined;
  set(key: string, tile: ExpandedTile): void;
}

/** Perfect-subtree hashes read from hash tiles of the tree of `size` leaves. */
export function tileSource(tiles: TileSet, size: number, cache?: ExpandedTileCache): SubtreeSource {
  const local = new Map<string, ExpandedTile>();
  return (s) => {
    const { coord, offset, count } = subtreeTile(s, size);
    if (offset + count > coord.width) throw new TileError('missing_tile', `subtree ${s.level}/${s.index} is not complete at size ${size}`);
    const key = tileKey(coord.level, coord.index);
    let tile = local.get(key) ?? cache?.get(key);
    if (!tile || tile.width < coord.width) {
      const bytes = tiles.get(key);
      if (!bytes) throw new TileError('missing_tile', `tile ${tilePath(coord)} is needed`);
      // Expand the whole stored tile (it may be wider than this tree needs): more of it stays useful.
      tile = new ExpandedTile(bytes, Math.min(TILE_WIDTH, Math.max(coord.width, Math.floor(bytes.length / HASH_SIZE))));
      cache?.set(key, tile);
    }
    local.set(key, tile);
    return tile.subtree(s.level - coord.level * TILE_HEIGHT, offset / count);
  };
}

export const inclusionProofTiles = (index: number, size: number) => tilesForRanges(inclusionProofRanges(index, size), size);
export const consistencyProofTiles = (first: number, second: number) => tilesForRanges(consistencyProofRanges(first, second), second);
export const rootTiles = (size: number) => (size === 0 ? [] : tilesForRanges([[0, size]], size));

export function inclusionProofFromTiles(tiles: TileSet, index: number, size: number, cache?: ExpandedTileCache): Hash[] {
  const source = tileSource(tiles, size, cache);
  return inclusionProofRanges(index, size).map(([s, e]) => hashRange(source, s, e));
}
export function consistencyProofFromTiles(tiles: TileSet, first: number, second: number, cache?: ExpandedTileCache): Hash[] {
  const source = tileSource(tiles, second, cache);
  return consistencyProofRanges(first, second).map(([s, e]) => hashRange(source, s, e));
}
export const rootFromTiles = (tiles: TileSet, size: number): Hash => rootHash(tileSource(tiles, size), size);

export interface WrittenTile extends TileCoord {
  readonly bytes: Uint8Array;
}

function concatHashes(hashes: readonly Hash[]): Uint8Array {
  const out = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((h, i) => out.set(h, i * HASH_SIZE));
  return out;
}

/**
 * Appends leaves to a tiled tree. `edge` holds the tree's right-edge partial tiles
 * (rightEdgeTiles(oldSize), entry bundle included); returns every tile and bundle
 * that changed, at its new width, and the new root. Complete tiles at level L
 * yield, by their perfect root, the next hashes of level L + 1 (tlog-tiles §Merkle tree).
 */
export function appendToTiles(oldSize: number, edge: TileSet, leaves: readonly { hash: Hash; entry: Uint8Array }[]): { tiles: WrittenTile[]; size: number; root: Hash } {
  const newSize = oldSize + leaves.length;
  const written: WrittenTile[] = [];
  const after = new Map(edge);
  const load = (level: number, count: number): Uint8Array[] => {
    const width = count % TILE_WIDTH;
    if (width === 0) return [];
    const key = tileKey(level, Math.floor(count / TILE_WIDTH));
    const bytes = edge.get(key);
    if (!bytes) throw new TileError('missing_tile', `the right-edge tile ${key} is needed`);
    return level === ENTRIES_LEVEL ? decodeEntryBundle(bytes).slice(0, width) : tileHashes(bytes, width);
  };
  // Writes `items` appended after `count` existing ones, tile by tile; returns full tiles' contents.
  const extend = (level: number, count: number, items: readonly Uint8Array[], encode: (xs: Uint8Array[]) => Uint8Array): Uint8Array[][] => {
    const full: Uint8Array[][] = [];
    let row = load(level, count);
    let index = Math.floor(count / TILE_WIDTH);
    for (let i = 0; i < items.length; i++) {
      row.push(items[i]);
      if (row.length === TILE_WIDTH || i === items.length - 1) {
        const bytes = encode(row);
        written.push({ level, index, width: row.length, bytes });
        after.set(tileKey(level, index), bytes);
        if (row.length === TILE_WIDTH) full.push(row);
        row = [];
        index++;
      }
    }
    return full;
  };
  if (leaves.length > 0) {
    extend(ENTRIES_LEVEL, oldSize, leaves.map((l) => l.entry), encodeEntryBundle);
    let fresh: Hash[] = leaves.map((l) => l.hash);
    for (let level = 0; fresh.length > 0; level++) {
      const full = extend(level, levelCount(oldSize, level), fresh, concatHashes);
      fresh = full.map(perfectRoot);
    }
  }
  return { tiles: written, size: newSize, root: rootFromTiles(after, newSize) };
}
