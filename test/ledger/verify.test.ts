// The standalone verifier core over an in-memory tlog-tiles log: an honest log
// verifies; any changed tile, entry or checkpoint, or a fork, is caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { type LogEntry, clipCommitment, encodeEntry, newClipSalt } from '../../src/ledger/entry.ts';
import { inclusionProof, leafHash, listSource } from '../../src/ledger/merkle.ts';
import { type Signer, generateSigner } from '../../src/ledger/note.ts';
import { sha256, toBase64, toHex, utf8 } from '../../src/ledger/primitives.ts';
import { ENTRIES_LEVEL, TILE_WIDTH, appendToTiles, rightEdgeTiles, tileKey, tilePath } from '../../src/ledger/tiles.ts';
import { VerifyError, type VerifyErrorCode, type Fetcher, verifyLog, verifyReceipt } from '../../src/ledger/verify.ts';

const entryAt = (i: number): LogEntry => ({
  v: 1, basis: i % 3 === 0 ? 'consent' : 'warrant', agency: `ag_${i % 7}`, ref: `req_${i}`, reviewers: [`rev_${i % 5}`],
  time: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(), clips: [clipCommitment(sha256(utf8.encode(`salt ${i}`)), sha256(utf8.encode(`clip ${i}`)))],
});

/** A tiny static log: tiles kept as the server keeps them (widest version per tile), served by path. */
class MemoryLog {
  readonly tiles = new Map<string, { level: number; index: number; width: number; bytes: Uint8Array }>();
  readonly entries: Uint8Array[] = [];
  size = 0;
  checkpoint = '';
  readonly signer: Signer;
  constructor(signer: Signer) {
    this.signer = signer;
  }
  append(count: number): string {
    const edge = new Map<string, Uint8Array>();
    for (const t of [...rightEdgeTiles(this.size), ...(this.size % TILE_WIDTH ? [{ level: ENTRIES_LEVEL, index: Math.floor(this.size / TILE_WIDTH) }] : [])]) {
      edge.set(tileKey(t.level, t.index), this.tiles.get(tileKey(t.level, t.index))!.bytes);
    }
    const fresh = Array.from({ length: count }, (_, k) => encodeEntry(entryAt(this.size + k)));
    const out = appendToTiles(this.size, edge, fresh.map((entry) => ({ entry, hash: leafHash(entry) })));
    for (const t of out.tiles) this.tiles.set(tileKey(t.level, t.index), t);
    this.entries.push(...fresh);
    this.size = out.size;
    this.checkpoint = signCheckpoint({ origin: this.signer.name, size: out.size, root: out.root, extensions: [] }, this.signer);
    return this.checkpoint;
  }
  /** Serves a tile at any width up to the stored one, as the service does. */
  fetch: Fetcher = async (path) => {
    if (path === 'checkpoint') return utf8.encode(this.checkpoint);
    for (const t of this.tiles.values()) {
      for (const w of [TILE_WIDTH, t.width]) {
        if (w > t.width || tilePath({ ...t, width: w }) !== path) continue;
        return t.bytes; // a wider tile's prefix is the narrower one; verifiers take the prefix
      }
    }
    return null;
  };
}

const rejects = async (p: Promise<unknown>, code: VerifyErrorCode) =>
  assert.rejects(p, (e: unknown) => e instanceof VerifyError && e.code === code, code);

test('an honest log verifies, as a monitor across growth', async () => {
  const log = new MemoryLog(generateSigner('porchlight.example/log'));
  const verifier = log.signer;
  await rejects(verifyLog({ verifier, fetch: log.fetch }), 'bad_checkpoint');
  const states: string[] = [];
  for (const n of [1, 2, 253, 1, 300, 0, 2000]) {
    states.push(log.append(n));
    const r = await verifyLog({ verifier, fetch: log.fetch, previous: states.length > 1 ? states[states.length - 2] : undefined });
    assert.equal(r.leaves, log.size);
  }
  for (const old of states) assert.equal((await verifyLog({ verifier, fetch: log.fetch, previous: old })).leaves, log.size);
});

test('verification reports its progress bundle by bundle, ending at the checkpoint size', async () => {
  const log = new MemoryLog(generateSigner('porchlight.example/log'));
  log.append(TILE_WIDTH * 2 + 10);
  const seen: [number, number][] = [];
  await verifyLog({ verifier: log.signer, fetch: log.fetch, onProgress: (done, total) => seen.push([done, total]) });
  assert.deepEqual(seen, [[TILE_WIDTH, log.size], [TILE_WIDTH * 2, log.size], [log.size, log.size]]);
});

test('a changed entry, tile or checkpoint makes verification fail', async () => {
  const signer = generateSigner('porchlight.example/log');
  const fresh = () => {
    const log = new MemoryLog(signer);
    log.append(600);
    return log;
  };
  const flip = (log: MemoryLog, key: string, at: number) => {
    const t = log.tiles.get(key)!;
    const bytes = new Uint8Array(t.bytes);
    bytes[at] ^= 1;
    log.tiles.set(key, { ...t, bytes });
  };
  let log = fresh();
  flip(log, tileKey(ENTRIES_LEVEL, 1), 40);
  await rejects(verifyLog({ verifier: signer, fetch: log.fetch }), 'bad_entry');
  log = fresh();
  flip(log, tileKey(0, 2), 5);
  await rejects(verifyLog({ verifier: signer, fetch: log.fetch }), 'entry_mismatch');
  log = fresh();
  flip(log, tileKey(1, 0), 33);
  await rejects(verifyLog({ verifier: signer, fetch: log.fetch }), 'tile_mismatch');
  log = fresh();
  log.tiles.delete(tileKey(0, 1));
  await rejects(verifyLog({ verifier: signer, fetch: log.fetch }), 'fetch_failed');
  // A whole entry replaced, with every tile recomputed to match it: the signed root gives it away.
  log = fresh();
  const rewritten = [encodeEntry({ ...entryAt(0), ref: 'rewritten' }), ...log.entries.slice(1)];
  const rebuilt = new MemoryLog(signer);
  for (const t of appendToTiles(0, new Map(), rewritten.map((entry) => ({ entry, hash: leafHash(entry) }))).tiles) rebuilt.tiles.set(tileKey(t.level, t.index), t);
  rebuilt.checkpoint = log.checkpoint;
  await rejects(verifyLog({ verifier: signer, fetch: rebuilt.fetch }), 'root_mismatch');
  // A checkpoint signed by another key, or altered.
  await rejects(verifyLog({ verifier: generateSigner(signer.name), fetch: log.fetch }), 'bad_checkpoint');
  log.checkpoint = log.checkpoint.replace('\n600\n', '\n601\n');
  await rejects(verifyLog({ verifier: signer, fetch: log.fetch }), 'bad_checkpoint');
});

test('a fork or a rollback against the monitor state is caught', async () => {
  const signer = generateSigner('porchlight.example/log');
  const a = new MemoryLog(signer);
  a.append(10);
  const stateA = a.append(5);
  // The same key signs a different history of the same length, then grows it.
  const b = new MemoryLog(signer);
  const edge = new Map<string, Uint8Array>();
  const forked = [...Array.from({ length: 14 }, (_, i) => encodeEntry(entryAt(i))), encodeEntry({ ...entryAt(99), ref: 'fork' })];
  const out = appendToTiles(0, edge, forked.map((entry) => ({ entry, hash: leafHash(entry) })));
  b.tiles.clear();
  for (const t of out.tiles) b.tiles.set(tileKey(t.level, t.index), t);
  b.size = 15;
  b.checkpoint = signCheckpoint({ origin: signer.name, size: 15, root: out.root, extensions: [] }, signer);
  await rejects(verifyLog({ verifier: signer, fetch: b.fetch, previous: stateA }), 'inconsistent');
  b.append(20);
  await rejects(verifyLog({ verifier: signer, fetch: b.fetch, previous: stateA }), 'inconsistent');
  const small = new MemoryLog(signer);
  small.append(3);
  await rejects(verifyLog({ verifier: signer, fetch: small.fetch, previous: stateA }), 'rollback');
});

test('receipts verify offline and fail when any part is changed', () => {
  const signer = generateSigner('porchlight.example/log');
  const salt = newClipSalt();
  const clip = sha256(utf8.encode('my clip'));
  const mine: LogEntry = { ...entryAt(0), clips: [clipCommitment(salt, clip)] };
  const entries = [encodeEntry(entryAt(1)), encodeEntry(mine), encodeEntry(entryAt(2))];
  const leaves = entries.map(leafHash);
  const { root } = appendToTiles(0, new Map(), entries.map((entry, i) => ({ entry, hash: leaves[i] })));
  const receipt = {
    entry: Buffer.from(entries[1]).toString(),
    index: 1,
    checkpoint: signCheckpoint({ origin: signer.name, size: 3, root, extensions: [] }, signer),
    proof: inclusionProof(listSource(leaves), 1, 3).map(toBase64),
    clips: [{ id: 'clip_1', sha256: toHex(clip), salt: toHex(salt) }],
  };
  assert.equal(verifyReceipt(receipt, signer).index, 1);
  const bad = (r: unknown) => assert.throws(() => verifyReceipt(r, signer), VerifyError);
  bad({ ...receipt, index: 0 });
  bad({ ...receipt, index: 3 });
  bad({ ...receipt, proof: receipt.proof.slice(1) });
  bad({ ...receipt, proof: [...receipt.proof].reverse() });
  bad({ ...receipt, entry: receipt.entry.replace('"v":1', '"v":1 ') });
  bad({ ...receipt, clips: [{ ...receipt.clips[0], salt: toHex(newClipSalt()) }] });
  bad({ ...receipt, checkpoint: receipt.checkpoint.replace('\n3\n', '\n4\n') });
  bad({ ...receipt, proof: ['not base64!'] });
  bad(null);
  bad('receipt');
  assert.throws(() => verifyReceipt(receipt, generateSigner(signer.name)), VerifyError);
});
