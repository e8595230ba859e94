// C2SP tlog-tiles: paths, bundles, and proofs computed from tiles, checked
// against the in-memory RFC 9162 tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafHash, rootOf, verifyConsistency, verifyInclusion } from '../../src/ledger/merkle.ts';
import { toHex, utf8 } from '../../src/ledger/primitives.ts';
import { type Store, append, entryOf } from './tilestore.ts';
import {
  ENTRIES_LEVEL, TileError, consistencyProofFromTiles, consistencyProofTiles, decodeEntryBundle, encodeEntryBundle,
  encodeTileIndex, entryBundlesForSize, hashTilesForSize, inclusionProofFromTiles, inclusionProofTiles, parseTilePath, rightEdgeTiles,
  tilePath,
} from '../../src/ledger/tiles.ts';

test('tile paths follow tlog-tiles: three-digit groups, x on all but the last', () => {
  assert.equal(tilePath({ level: 15, index: 455667, width: 256 }), 'tile/15/x455/667');
  assert.equal(tilePath({ level: 15, index: 123456789, width: 41 }), 'tile/15/x123/x456/789.p/41');
  assert.equal(tilePath({ level: 0, index: 0, width: 256 }), 'tile/0/000');
  assert.equal(tilePath({ level: 0, index: 1234067, width: 7 }), 'tile/0/x001/x234/067.p/7');
  assert.equal(tilePath({ level: ENTRIES_LEVEL, index: 1000, width: 256 }), 'tile/entries/x001/000');
  assert.equal(tilePath({ level: ENTRIES_LEVEL, index: 5, width: 3 }), 'tile/entries/005.p/3');
  assert.equal(encodeTileIndex(2 ** 40), 'x001/x099/x511/x627/776');
  for (const c of [{ level: 15, index: 123456789, width: 41 }, { level: 2, index: 999, width: 256 }, { level: ENTRIES_LEVEL, index: 1000000, width: 1 }]) {
    assert.deepEqual(parseTilePath(tilePath(c)), c);
  }
});

test('tile paths that are not the one canonical spelling are refused', () => {
  for (const p of [
    'tile/0/0', 'tile/0/1', 'tile/0/x000/001', 'tile/0/001/002', 'tile/0/x1/002', 'tile/00/001', 'tile/64/001', 'tile/0/001.p/0',
    'tile/0/001.p/256', 'tile/0/001.p/007', 'tile/0/001.p/', 'tile/-1/001', 'tile/entries/001.p/300', 'tile/0/../001', '/tile/0/001',
    'tile/0/001/', 'tile/data/001', 'tile/0/x001/x002/x003/x004/x005/x006/007',
  ]) {
    assert.equal(parseTilePath(p), null, p);
  }
});

test('entry bundles are big-endian uint16 length-prefixed entries', () => {
  const entries = [new Uint8Array(0), utf8.encode('a'), new Uint8Array(300).fill(7)];
  const bytes = encodeEntryBundle(entries);
  assert.deepEqual([...bytes.subarray(0, 5)], [0, 0, 0, 1, 0x61]);
  assert.deepEqual([...bytes.subarray(5, 7)], [0x01, 0x2c]);
  assert.deepEqual(decodeEntryBundle(bytes), entries);
  assert.throws(() => decodeEntryBundle(bytes.subarray(0, bytes.length - 1)), TileError);
  assert.throws(() => decodeEntryBundle(new Uint8Array([0])), TileError);
  assert.throws(() => encodeEntryBundle([new Uint8Array(65536)]), TileError);
  assert.equal(decodeEntryBundle(encodeEntryBundle([new Uint8Array(65535)]))[0].length, 65535);
});

test('the tiles of a tree size', () => {
  assert.deepEqual(hashTilesForSize(0), []);
  assert.deepEqual(hashTilesForSize(5), [{ level: 0, index: 0, width: 5 }]);
  assert.deepEqual(hashTilesForSize(256 * 256 + 256 + 3).map(tilePath), [
    ...Array.from({ length: 257 }, (_, i) => tilePath({ level: 0, index: i, width: 256 })), 'tile/0/257.p/3',
    'tile/1/000', 'tile/1/001.p/1', 'tile/2/000.p/1',
  ]);
  assert.deepEqual(entryBundlesForSize(513).map(tilePath), ['tile/entries/000', 'tile/entries/001', 'tile/entries/002.p/1']);
  assert.deepEqual(rightEdgeTiles(256 * 256 * 2 + 256 * 3 + 7).map(tilePath), ['tile/0/515.p/7', 'tile/1/002.p/3', 'tile/2/000.p/2']);
});

test('a tree past level 2 (over 65,536 leaves) is right, and proofs need only a few tiles', () => {
  const store: Store = new Map();
  let cp: { size: number; root: Uint8Array } = { size: 0, root: new Uint8Array() };
  const seen: { size: number; root: Uint8Array }[] = [];
  for (const b of [70000, 1, 255, 65536 * 2]) {
    cp = append(store, cp.size, b);
    seen.push(cp);
  }
  const leaves = Array.from({ length: cp.size }, (_, i) => leafHash(entryOf(i)));
  assert.equal(toHex(cp.root), toHex(rootOf(leaves)));
  for (const i of [0, 65535, 65536, 70000, cp.size - 1]) verifyInclusion(i, cp.size, leaves[i], inclusionProofFromTiles(store, i, cp.size), cp.root);
  for (const old of seen.slice(0, -1)) verifyConsistency(old.size, cp.size, old.root, cp.root, consistencyProofFromTiles(store, old.size, cp.size));
  assert.ok(inclusionProofTiles(12345, cp.size).length <= 6);
  assert.ok(consistencyProofTiles(70001, cp.size).length <= 8);
});
