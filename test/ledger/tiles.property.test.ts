// Property test (DEEP=1 for more runs): random append sequences written into
// tiles the way the integrator writes them; every inclusion and consistency proof
// computed from those tiles equals the in-memory RFC 9162 proof and verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { consistencyProof, inclusionProof, leafHash, listSource, rootOf, verifyConsistency, verifyInclusion } from '../../src/ledger/merkle.ts';
import { toHex } from '../../src/ledger/primitives.ts';
import { type Store, append, entryOf } from './tilestore.ts';
import {
  ENTRIES_LEVEL, consistencyProofFromTiles, decodeEntryBundle, inclusionProofFromTiles, rootFromTiles, tileKey,
} from '../../src/ledger/tiles.ts';

test('property: after random append sequences every proof computed from tiles verifies', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 2 ** 31 }), (batches, seed) => {
      const store: Store = new Map();
      const checkpoints: { size: number; root: Uint8Array }[] = [];
      let size = 0;
      for (const b of batches) {
        const cp = append(store, size, b);
        size = cp.size;
        checkpoints.push(cp);
      }
      const leaves = Array.from({ length: size }, (_, i) => leafHash(entryOf(i)));
      const src = listSource(leaves);
      let rnd = seed;
      const pick = (n: number) => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) % n;
      for (const cp of checkpoints) {
        // The latest tiles serve every older size too (a tile's prefix is its older partial).
        assert.equal(toHex(rootFromTiles(store, cp.size)), toHex(cp.root));
        assert.equal(toHex(cp.root), toHex(rootOf(leaves.slice(0, cp.size))));
        for (let k = 0; k < Math.min(cp.size, 40); k++) {
          const i = pick(cp.size);
          const proof = inclusionProofFromTiles(store, i, cp.size);
          assert.deepEqual(proof.map(toHex), inclusionProof(src, i, cp.size).map(toHex));
          verifyInclusion(i, cp.size, leaves[i], proof, cp.root);
        }
        for (const later of checkpoints) {
          if (cp.size === 0 || later.size < cp.size) continue;
          const proof = consistencyProofFromTiles(store, cp.size, later.size);
          assert.deepEqual(proof.map(toHex), consistencyProof(src, cp.size, later.size).map(toHex));
          verifyConsistency(cp.size, later.size, cp.root, later.root, proof);
        }
      }
      // Entry bundles hold the entries, in order.
      for (let i = 0; i * 256 < size; i++) {
        const got = decodeEntryBundle(store.get(tileKey(ENTRIES_LEVEL, i))!);
        assert.deepEqual(got.map((e) => Buffer.from(e).toString()), Array.from({ length: Math.min(256, size - i * 256) }, (_, k) => `entry ${i * 256 + k}`));
      }
    }),
    { numRuns: process.env.DEEP ? 400 : 40 },
  );
});

