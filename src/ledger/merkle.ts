// RFC 9162 §2.1 Merkle tree over SHA-256: hashes, roots, inclusion and consistency
// proofs. Pure: no I/O. Proof *generation* is split in two so that it can run
// over stored tiles without rebuilding the tree: first the pure list of ranges
// whose hashes the proof needs (inclusionProofRanges / consistencyProofRanges),
// then the hashes of those ranges from any source of perfect-subtree hashes.
//
// Sizes and indices are JavaScript numbers used with plain arithmetic only
// (division, multiplication, remainder): the bitwise operators are 32-bit and
// would silently break past 2^31 leaves. Numbers are exact up to 2^53 - 1.
import { bytesEqual, sha256 } from './primitives.ts';

export type Hash = Uint8Array;
export const HASH_SIZE = 32;

export type MerkleErrorCode =
  | 'bad_size' // not a non-negative safe integer
  | 'index_out_of_range'
  | 'size_order' // first size greater than second
  | 'empty_tree' // consistency from an empty tree proves nothing (RFC 9162 §2.1.4.2)
  | 'bad_hash_length'
  | 'proof_length' // too many or too few proof elements for the sizes
  | 'root_mismatch'
  | 'bad_range'; // an internal caller asked for a range that is not an RFC 9162 subtree

export class MerkleError extends Error {
  readonly code: MerkleErrorCode;
  constructor(code: MerkleErrorCode, message: string) {
    super(message);
    this.name = 'MerkleError';
    this.code = code;
  }
}

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(data: Uint8Array): Hash {
  return sha256(LEAF_PREFIX, data);
}

// The 65-byte input of an interior node hash, reused: sha256 is synchronous, and
// verifying a log hashes one node per leaf (no concatenation per node).
const NODE_INPUT = new Uint8Array(1 + 2 * HASH_SIZE);
NODE_INPUT[0] = 0x01;

/** RFC 9162 §2.1.1: interior node SHA-256(0x01 || left || right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) return sha256(NODE_PREFIX, left, right);
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 1 + HASH_SIZE);
  return sha256(NODE_INPUT);
}

/** RFC 9162 §2.1.1: the hash of an empty tree is the hash of the empty string. */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

/** A perfect subtree: 2^level leaves starting at leaf index * 2^level. */
export interface Subtree {
  readonly level: number;
  readonly index: number;
}

/** Returns the hash of a perfect subtree; the caller guarantees it exists. */
export type SubtreeSource = (subtree: Subtree) => Hash;

/** A half-open leaf range [start, end) of the tree. */
export type Range = readonly [start: number, end: number];

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new MerkleError('bad_size', `${what} must be a non-negative safe integer`);
}

/** The largest power of two strictly smaller than n (n > 1): RFC 9162 §2.1.1's k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Splits [start, end) into perfect subtrees, left to right, largest first.
 * Every range that RFC 9162's recursion produces starts at a multiple of the
 * smallest power of two not below its length, so its MTH is the right-to-left
 * fold of these subtrees; anything else is a caller bug.
 */
export function rangeSubtrees(start: number, end: number): Subtree[] {
  checkSize(start, 'start');
  checkSize(end, 'end');
  if (end <= start) throw new MerkleError('bad_range', 'empty range');
  let span = 1;
  while (span < end - start) span *= 2;
  if (start % span !== 0) throw new MerkleError('bad_range', `range [${start}, ${end}) is not a subtree`);
  const out: Subtree[] = [];
  let pos = start;
  let size = span;
  let level = Math.log2(span);
  while (pos < end) {
    if (pos + size <= end) {
      out.push({ level, index: pos / size });
      pos += size;
    }
    size /= 2;
    level -= 1;
  }
  return out;
}

/** MTH(D[start:end]) (RFC 9162 §2.1.1) from perfect-subtree hashes. */
export function hashRange(source: SubtreeSource, start: number, end: number): Hash {
  const parts = rangeSubtrees(start, end);
  let h = source(parts[parts.length - 1]);
  for (let i = parts.length - 2; i >= 0; i--) h = nodeHash(source(parts[i]), h);
  return h;
}

/** MTH of the first `size` leaves. */
export function rootHash(source: SubtreeSource, size: number): Hash {
  checkSize(size, 'size');
  return size === 0 ? EMPTY_ROOT : hashRange(source, 0, size);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the ranges whose hashes form the inclusion proof, leaf end first. */
export function inclusionProofRanges(index: number, size: number): Range[] {
  checkSize(index, 'index');
  checkSize(size, 'size');
  if (index >= size) throw new MerkleError('index_out_of_range', `index ${index} is not below size ${size}`);
  const out: Range[] = [];
  const path = (start: number, end: number): void => {
    const n = end - start;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (index - start < k) {
      path(start, start + k);
      out.push([start + k, end]);
    } else {
      path(start + k, end);
      out.push([start, start + k]);
    }
  };
  path(0, size);
  return out;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) via SUBPROOF: the ranges whose hashes form the consistency proof. */
export function consistencyProofRanges(first: number, second: number): Range[] {
  checkSize(first, 'first size');
  checkSize(second, 'second size');
  if (first > second) throw new MerkleError('size_order', `first size ${first} exceeds second size ${second}`);
  if (first === 0 || first === second) return [];
  const out: Range[] = [];
  const subproof = (m: number, start: number, end: number, b: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!b) out.push([start, end]);
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, start + k, b);
      out.push([start + k, end]);
    } else {
      subproof(m - k, start + k, end, false);
      out.push([start, start + k]);
    }
  };
  subproof(first, 0, second, true);
  return out;
}

export function inclusionProof(source: SubtreeSource, index: number, size: number): Hash[] {
  return inclusionProofRanges(index, size).map(([s, e]) => hashRange(source, s, e));
}

export function consistencyProof(source: SubtreeSource, first: number, second: number): Hash[] {
  return consistencyProofRanges(first, second).map(([s, e]) => hashRange(source, s, e));
}

function checkHash(h: Uint8Array, what: string): void {
  if (h.length !== HASH_SIZE) throw new MerkleError('bad_hash_length', `${what} is ${h.length} bytes, not ${HASH_SIZE}`);
}

/** RFC 9162 §2.1.3.2: throws a MerkleError unless `proof` proves `leaf` at `index` in the tree `root` of `size`. */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): void {
  checkSize(index, 'index');
  checkSize(size, 'size');
  if (index >= size) throw new MerkleError('index_out_of_range', `index ${index} is not below size ${size}`);
  checkHash(leaf, 'leaf hash');
  checkHash(root, 'root hash');
  proof.forEach((p, i) => checkHash(p, `proof element ${i}`));
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new MerkleError('proof_length', 'inclusion proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new MerkleError('proof_length', 'inclusion proof is too short');
  if (!bytesEqual(r, root)) throw new MerkleError('root_mismatch', 'inclusion proof does not lead to the root');
}

/** RFC 9162 §2.1.4.2: throws a MerkleError unless `proof` shows tree (first, root1) is a prefix of (second, root2). */
export function verifyConsistency(first: number, second: number, root1: Hash, root2: Hash, proof: readonly Hash[]): void {
  checkSize(first, 'first size');
  checkSize(second, 'second size');
  if (first > second) throw new MerkleError('size_order', `first size ${first} exceeds second size ${second}`);
  // The algorithm starts from first - 1; an empty first tree has no hash to build
  // on, so such a "proof" proves nothing and is refused rather than trivially accepted.
  if (first === 0) throw new MerkleError('empty_tree', 'consistency from an empty tree proves nothing');
  if (first === second) {
    if (proof.length !== 0) throw new MerkleError('proof_length', 'equal sizes need an empty proof');
    if (!bytesEqual(root1, root2)) throw new MerkleError('root_mismatch', 'equal sizes but different roots');
    return;
  }
  if (proof.length === 0) throw new MerkleError('proof_length', 'consistency proof is empty');
  checkHash(root1, 'first root');
  checkHash(root2, 'second root');
  proof.forEach((p, i) => checkHash(p, `proof element ${i}`));
  // Step 2: if first is an exact power of two, first_hash is the first node.
  let path = proof;
  let isPow2 = first;
  while (isPow2 % 2 === 0) isPow2 /= 2;
  if (isPow2 === 1) path = [root1, ...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (sn === 0) throw new MerkleError('proof_length', 'consistency proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new MerkleError('proof_length', 'consistency proof is too short');
  if (!bytesEqual(fr, root1)) throw new MerkleError('root_mismatch', 'consistency proof does not lead to the first root');
  if (!bytesEqual(sr, root2)) throw new MerkleError('root_mismatch', 'consistency proof does not lead to the second root');
}

/**
 * A subtree source over an in-memory list of leaf hashes: every level is built
 * once. For tests, small tools and the standalone verifier's own recomputation;
 * the service reads stored tiles instead.
 */
export function listSource(leaves: readonly Hash[]): SubtreeSource {
  const levels: Hash[][] = [leaves.slice()];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const up: Hash[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) up.push(nodeHash(below[i], below[i + 1]));
    levels.push(up);
  }
  return ({ level, index }) => {
    const h = levels[level]?.[index];
    if (!h) throw new MerkleError('bad_range', `no complete subtree at level ${level} index ${index}`);
    return h;
  };
}

/** MTH of a list of leaf hashes (RFC 9162 §2.1.1). */
export function rootOf(leaves: readonly Hash[]): Hash {
  return rootHash(listSource(leaves), leaves.length);
}
