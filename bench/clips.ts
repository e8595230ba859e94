// Issue 3 clip benchmarks, each beside a baseline from the same run:
// 1. ingest of a 50 MB clip (stream, hash, encrypt, store) vs `cp` of the same file;
// 2. a 1 MB range from the middle of a 200 MB clip vs the same range of a plaintext file;
// 3. 200 concurrent 2 MB uploads to the real server (errors counted);
// 4. the server's RSS while a 1 GB clip uploads.
// Test files are a fixture MP4 followed by a `free` box of random bytes, so they
// pass the structural check at any size.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { FsBlobStore } from '../src/platform/blobs/fs.ts';
import { Vault } from '../src/platform/sealed/vault.ts';
import { checkMp4 } from '../src/clips/mp4.ts';
import { fmt, percentile, repoRoot, writeResult } from './lib.ts';
import { MB, makeClip, rssMiB, sha256File, startServer, stopServer, uploadTo } from './server.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];



/** The storage path of an upload, in process: spool (meter, SHA-256, encrypt, write), MP4 check, fsync + rename. */
async function ingestOnce(vault: Vault, file: string, id: string) {
  const spool = await vault.spool(id, fs.createReadStream(file, { highWaterMark: MB }), Number.MAX_SAFE_INTEGER);
  const verdict = await vault.withSpoolSource(spool, checkMp4);
  if (!verdict.ok) throw new Error(verdict.reason);
  await vault.commit(spool, `clips/${id.slice(0, 2)}/${id}`);
  return spool;
}

async function benchIngest(work: string) {
  const src = path.join(work, 'ingest-50.mp4');
  makeClip(src, 50 * MB);
  const vault = new Vault(new FsBlobStore(path.join(work, 'ingest-data')), randomBytes(32));
  const dst = path.join(work, 'cp-copy.mp4');
  const rounds: { ingestMs: number; cpMs: number; cpSyncMs: number; sha256Ms: number }[] = [];
  await ingestOnce(vault, src, 'warmup');
  for (let i = 0; i < 7; i++) {
    let t = performance.now();
    await ingestOnce(vault, src, `ingest${i}`);
    const ingestMs = performance.now() - t;
    t = performance.now();
    execFileSync('cp', [src, dst]);
    const cpMs = performance.now() - t;
    execFileSync('sync', [dst]);
    const cpSyncMs = performance.now() - t;
    fs.rmSync(dst);
    // A floor for any ingest that hashes: reading the file and computing its SHA-256, nothing else.
    t = performance.now();
    sha256File(src);
    const sha256Ms = performance.now() - t;
    rounds.push({ ingestMs, cpMs, cpSyncMs, sha256Ms });
  }
  fs.rmSync(path.join(work, 'ingest-data'), { recursive: true, force: true });
  const ratio = median(rounds.map((r) => r.cpMs / r.ingestMs));
  const ratioSync = median(rounds.map((r) => r.cpSyncMs / r.ingestMs));
  const mbps = (ms: number) => 50 / (ms / 1000);
  console.log('1. ingest of a 50 MB clip (stream, SHA-256, AES-256-GCM, write, MP4 check, fsync + rename) vs cp');
  const ratioHash = median(rounds.map((r) => r.sha256Ms / r.ingestMs));
  for (const r of rounds) console.log(`  ingest ${fmt(r.ingestMs, 0)} ms (${fmt(mbps(r.ingestMs), 0)} MB/s) | cp ${fmt(r.cpMs, 0)} ms | cp + sync ${fmt(r.cpSyncMs, 0)} ms | read + SHA-256 only ${fmt(r.sha256Ms, 0)} ms`);
  console.log(`  median throughput ratio vs cp ${fmt(ratio, 2)} (goal ≥ 0.7) ${ratio >= 0.7 ? 'MET' : 'NOT MET'}; vs cp + sync (same durability) ${fmt(ratioSync, 2)}; vs read + SHA-256 alone ${fmt(ratioHash, 2)}`);
  return { goal: 'ingest throughput >= 0.7 of cp', medianRatioVsCp: ratio, medianRatioVsCpPlusSync: ratioSync, medianRatioVsSha256Only: ratioHash, rounds };
}

async function benchRange(work: string) {
  const src = path.join(work, 'range-200.mp4');
  makeClip(src, 200 * MB);
  const vault = new Vault(new FsBlobStore(path.join(work, 'range-data')), randomBytes(32));
  const spool = await ingestOnce(vault, src, 'range');
  const clip = { id: 'range', size: spool.size, wrapped_key: vault.wrap(spool.dataKey, 'range'), blob_key: 'clips/ra/range' };
  const start = Math.floor(spool.size / 2) - 12345; // deliberately not chunk-aligned
  const end = start + MB - 1;
  const plain = async () => buffer(fs.createReadStream(src, { start, end }));
  const sealed = async () => buffer(await vault.openRange(clip, start, end));
  if (!(await plain()).equals(await sealed())) throw new Error('range read returned other bytes');
  const p: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < 200; i++) {
    let t = performance.now();
    await plain();
    p.push(performance.now() - t);
    t = performance.now();
    await sealed();
    s.push(performance.now() - t);
  }
  fs.rmSync(path.join(work, 'range-data'), { recursive: true, force: true });
  fs.rmSync(src);
  p.sort((a, b) => a - b);
  s.sort((a, b) => a - b);
  const ratio = median(s) / median(p);
  console.log('2. 1 MB range from the middle of a 200 MB clip (decrypts 17 of 3,200 chunks) vs the same range of the plaintext file');
  console.log(`  sealed median ${fmt(median(s), 2)} ms p95 ${fmt(percentile(s, 95), 2)} ms | plaintext median ${fmt(median(p), 2)} ms p95 ${fmt(percentile(p, 95), 2)} ms`);
  console.log(`  median latency ratio ${fmt(ratio, 2)} (goal ≤ 2) ${ratio <= 2 ? 'MET' : 'NOT MET'}`);
  return { goal: 'latency <= 2x plaintext', medianRatio: ratio, sealedMs: { median: median(s), p95: percentile(s, 95) }, plaintextMs: { median: median(p), p95: percentile(p, 95) } };
}




async function benchConcurrent(work: string) {
  const s = await startServer(work, 'concurrent-data');
  const file = path.join(work, 'upload-2.mp4');
  makeClip(file, 2 * MB);
  const buf = fs.readFileSync(file);
  const body = { buf, size: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  try {
    const t = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => uploadTo(s, agent, body, `c-${i}`)));
    const ms = performance.now() - t;
    const errors = results.filter((r) => r.status === 'rejected' || r.value !== 201).length;
    console.log('3. 200 concurrent 2 MB uploads to the server (signed device uploads)');
    console.log(`  ${200 - errors} × 201, ${errors} errors in ${fmt(ms / 1000, 2)} s (${fmt((400 / ms) * 1000, 0)} MB/s aggregate) (goal 0 errors) ${errors === 0 ? 'MET' : 'NOT MET'}`);
    return { goal: '0 errors', errors, seconds: ms / 1000 };
  } finally {
    agent.destroy();
    await stopServer(s);
    fs.rmSync(file);
  }
}


async function benchMemory(work: string) {
  const s = await startServer(work, 'memory-data');
  const file = path.join(work, 'upload-1g.mp4');
  makeClip(file, 1024 * MB);
  const body = { file, size: 1024 * MB, sha256: sha256File(file) };
  const agent = new http.Agent({ keepAlive: false });
  const idle = rssMiB(s.child.pid!);
  let peak = idle;
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(s.child.pid!))), 20);
  try {
    const t = performance.now();
    const status = await uploadTo(s, agent, body, 'one-gig');
    const ms = performance.now() - t;
    clearInterval(timer);
    console.log('4. server RSS while a 1 GB clip uploads');
    console.log(`  status ${status} in ${fmt(ms / 1000, 1)} s (${fmt(1024 / (ms / 1000), 0)} MB/s) | RSS idle ${fmt(idle, 0)} MiB, peak ${fmt(peak, 0)} MiB (goal < 300 MiB) ${peak < 300 && status === 201 ? 'MET' : 'NOT MET'}`);
    return { goal: 'peak RSS < 300 MiB', status, seconds: ms / 1000, idleRssMiB: idle, peakRssMiB: peak };
  } finally {
    clearInterval(timer);
    await stopServer(s);
    fs.rmSync(file);
  }
}

export async function run() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-bench-clips-'));
  try {
    const ingest = await benchIngest(work);
    const range = await benchRange(work);
    const concurrent = await benchConcurrent(work);
    const memory = await benchMemory(work);
    const file = writeResult('clips', { ingest, range, concurrent, memory });
    console.log(`  wrote ${path.relative(repoRoot, file)}`);
    return { ingest, range, concurrent, memory };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
