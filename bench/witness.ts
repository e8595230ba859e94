// Issue 18: the witness's POST /add-checkpoint with a 1,000,000-entry log.
// The witness's work is O(log n): one note signature to verify, a consistency
// proof of up to ~2·log2(n) hashes, one cosignature, one durable write. So the
// tree is built synthetically in flat buffers (the proof needs real subtree
// hashes, not a database), and the log "grows" by 251 entries between
// submissions: about one integrator batch, and prime, so that the old sizes are
// not tile-aligned and the proofs are long (20-odd hashes), not the short aligned case. Baselines from the same run, on the same checkpoint
// bytes: a bare Ed25519 verify + sign, and verify + sign + the same durable
// write (temp file, fsync, rename, directory fsync), the floor of any witness.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { signCheckpoint } from '../src/ledger/checkpoint.ts';
import { generateCosigner } from '../src/ledger/cosignature.ts';
import { type Hash, type SubtreeSource, consistencyProof, nodeHash, rootHash, leafHash } from '../src/ledger/merkle.ts';
import { formatVerifierKey, generateSigner, type Signer } from '../src/ledger/note.ts';
import { ed25519Sign, ed25519Verify, utf8 } from '../src/ledger/primitives.ts';
import { formatAddCheckpoint } from '../src/ledger/witness-protocol.ts';
import { listenWitness } from '../src/witness/server.ts';
import { StateStore, loadWitnessedLogs } from '../src/witness/store.ts';
import { fmt, percentile, writeResult } from './lib.ts';

const SIZE = 1_000_000;
const BATCH = 251;
const ROUNDS = 400;

/** Every level of the tree in one flat buffer each: ~64 MB for a million leaves. */
function buildTree(n: number): SubtreeSource {
  const levels: Buffer[] = [];
  let below = Buffer.alloc(n * 32);
  for (let i = 0; i < n; i++) below.set(leafHash(utf8.encode(`entry ${i}`)), i * 32);
  levels.push(below);
  while (below.length > 32) {
    const up = Buffer.alloc(Math.floor(below.length / 64) * 32);
    for (let i = 0; i < up.length / 32; i++) up.set(nodeHash(below.subarray(i * 64, i * 64 + 32), below.subarray(i * 64 + 32, i * 64 + 64)), i * 32);
    levels.push(up);
    below = up;
  }
  return ({ level, index }) => new Uint8Array(levels[level].subarray(index * 32, index * 32 + 32));
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] };
}

function durableWrite(file: string, text: string): void {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx');
  fs.writeSync(fd, text);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  const d = fs.openSync(path.dirname(file), 'r');
  fs.fsyncSync(d);
  fs.closeSync(d);
}

/** The floor: verify the log's signature and sign once, with and without the durable write. */
function baselines(notes: string[], log: Signer, cosigner: Signer, dir: string) {
  const plain: number[] = [];
  const durable: number[] = [];
  for (const note of notes) {
    const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
    const sig = Buffer.from(note.slice(note.lastIndexOf(' ') + 1, -1), 'base64').subarray(4);
    const t0 = performance.now();
    if (!ed25519Verify(log.publicKey, utf8.encode(text), sig)) throw new Error('baseline signature did not verify');
    ed25519Sign(cosigner.seed, utf8.encode(`cosignature/v1\ntime 1\n${text}`));
    const t1 = performance.now();
    durableWrite(path.join(dir, 'baseline'), note);
    const t2 = performance.now();
    plain.push(t1 - t0);
    durable.push(t2 - t0);
  }
  return { verifySign: stats(plain), verifySignDurableWrite: stats(durable) };
}

/** A bare node:http POST route that reads the body and answers one line: the HTTP and client share of the figure. */
async function bareHttp(bodies: string[]) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok\n'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const lat: number[] = [];
  try {
    for (const body of bodies) {
      const s = performance.now();
      await (await fetch(url, { method: 'POST', body })).text();
      lat.push(performance.now() - s);
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
  return stats(lat);
}

export async function run(): Promise<void> {
  const loadBefore = os.loadavg()[0];
  console.log(`   machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${loadBefore.toFixed(1)} (other work on the machine skews every figure)`);
  const t0 = performance.now();
  const tree = buildTree(SIZE);
  console.log(`   built a ${fmt(SIZE, 0)}-leaf tree in memory in ${fmt((performance.now() - t0) / 1000)} s`);

  const log = generateSigner('bench.porchlight/log');
  const sizes = Array.from({ length: ROUNDS + 1 }, (_, i) => SIZE - (ROUNDS - i) * BATCH);
  const roots = new Map<number, Hash>(sizes.map((s) => [s, rootHash(tree, s)]));
  const note = (s: number) => signCheckpoint({ origin: log.name, size: s, root: roots.get(s)!, extensions: [] }, log);
  const bodies = sizes.slice(1).map((s, i) => formatAddCheckpoint({ oldSize: sizes[i], proof: consistencyProof(tree, sizes[i], s), checkpoint: note(s) }));
  const proofLengths = bodies.map((b) => b.split('\n\n')[0].split('\n').length - 1);
  const proofLines = { min: Math.min(...proofLengths), max: Math.max(...proofLengths) };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-bench-witness-'));
  fs.writeFileSync(path.join(dir, 'logs.json'), JSON.stringify({ logs: [{ origin: log.name, vkey: formatVerifierKey(log) }] }));
  const cosigner = generateCosigner('bench.porchlight/witness');
  const witness = await listenWitness({
    logs: loadWitnessedLogs(path.join(dir, 'logs.json')), cosigner, store: new StateStore(dir), now: () => Math.floor(Date.now() / 1000), log: (l) => console.error(l),
  }, '127.0.0.1', 0);
  const post = async (body: string) => {
    const res = await fetch(`${witness.url}/add-checkpoint`, { method: 'POST', body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`add-checkpoint answered ${res.status}: ${text}`);
  };
  try {
    await post(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: note(sizes[0]) }));
    const lat: number[] = [];
    for (const body of bodies) {
      const s = performance.now();
      await post(body);
      lat.push(performance.now() - s);
    }
    const addCheckpoint = stats(lat);
    const base = baselines(bodies.map((b) => b.slice(b.indexOf('\n\n') + 2)), log, cosigner, dir);
    const bare = await bareHttp(bodies);
    const loadAfter = os.loadavg()[0];
    console.log(`1. POST /add-checkpoint over HTTP (keep-alive), log at ${fmt(sizes[1], 0)}…${fmt(SIZE, 0)} entries, +${BATCH} per checkpoint, ${proofLines.min}–${proofLines.max}-hash proofs, ${ROUNDS} requests`);
    console.log(`   p50 ${fmt(addCheckpoint.p50, 3)} ms, p99 ${fmt(addCheckpoint.p99, 3)} ms, max ${fmt(addCheckpoint.max, 3)} ms (state fsynced before each answer)`);
    console.log(`   baseline Ed25519 verify + sign: p50 ${fmt(base.verifySign.p50, 3)} ms, p99 ${fmt(base.verifySign.p99, 3)} ms; ratio p99 ${fmt(addCheckpoint.p99 / base.verifySign.p99, 1)}×`);
    console.log(`   baseline verify + sign + durable write: p50 ${fmt(base.verifySignDurableWrite.p50, 3)} ms, p99 ${fmt(base.verifySignDurableWrite.p99, 3)} ms; ratio p99 ${fmt(addCheckpoint.p99 / base.verifySignDurableWrite.p99, 2)}×`);
    console.log(`   baseline bare node:http POST of the same bodies: p50 ${fmt(bare.p50, 3)} ms, p99 ${fmt(bare.p99, 3)} ms; ratio p99 ${fmt(addCheckpoint.p99 / bare.p99, 2)}×`);
    const file = writeResult('witness', {
      loadAverage: { before: loadBefore, after: loadAfter },
      logSize: SIZE, batch: BATCH, rounds: ROUNDS, proofLines,
      addCheckpointHttpMs: addCheckpoint,
      baselineMs: { ...base, bareHttpPost: bare },
      ratioP99: {
        toVerifySign: addCheckpoint.p99 / base.verifySign.p99, toVerifySignDurableWrite: addCheckpoint.p99 / base.verifySignDurableWrite.p99, toBareHttpPost: addCheckpoint.p99 / bare.p99,
      },
    });
    console.log(`   results: ${path.relative(process.cwd(), file)}`);
  } finally {
    await witness.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
