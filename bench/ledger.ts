// Issue 4: the disclosure log on SQLite. Each figure is printed beside a baseline
// measured in the same run on the same bytes (raw SHA-256, or the same proof
// computed in memory), because the ratio is what survives a noisy machine.
//   1. sustained append + integration with concurrent appenders (goal ≥ 10,000 entries/s)
//   2. latency from append commit to inclusion in a signed checkpoint (goal p99 ≤ 2 s)
//   3. inclusion proof at 1,000,000 entries, service and HTTP (goal p99 ≤ 1 ms)
//   4. `porchlight log verify` over that 1,000,000-entry log over HTTP (leaves/s)
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { wirePrepared } from '../src/app/prepare.ts';
import { loadConfig } from '../src/config.ts';
import { signCheckpoint } from '../src/ledger/checkpoint.ts';
import { leafHash } from '../src/ledger/merkle.ts';
import { sha256, toHex, utf8 } from '../src/ledger/primitives.ts';
import * as repo from '../src/ledger/repository.ts';
import { append, commitClip } from '../src/ledger/service.ts';
import { ENTRIES_LEVEL, type ExpandedTile, TILE_WIDTH, appendToTiles, inclusionProofFromTiles, rightEdgeTiles, tileKey } from '../src/ledger/tiles.ts';
import { fmt, percentile, repoRoot, writeResult } from './lib.ts';
import { tempDir } from '../test/helpers/db.ts';
import type { LogEntry } from '../src/ledger/entry.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function entry(i: number): LogEntry {
  const { commitment } = commitClip(toHex(sha256(utf8.encode(`clip ${i}`))));
  return { v: 1, basis: 'warrant', agency: `ag_${i % 40}`, ref: `dm_${i}`, reviewers: [`rev_${i % 9}`, `rev_${(i + 1) % 9}`], time: new Date(Date.UTC(2026, 0, 1) + i).toISOString(), clips: [commitment] };
}

/** RFC 8785 text of entry(i) built directly (keys already in canonical order), for building a big log fast. */
function canonicalEntryBytes(i: number): Uint8Array {
  const c = i.toString(16).padStart(64, 'c'); // any 64 hex digits: verifiers cannot open commitments anyway
  const t = new Date(Date.UTC(2026, 0, 1) + i).toISOString();
  return utf8.encode(`{"agency":"ag_${i % 40}","basis":"warrant","clips":["${c}"],"ref":"dm_${i}","reviewers":["rev_${i % 9}","rev_${(i + 1) % 9}"],"time":"${t}","v":1}`);
}

/** Raw SHA-256 of the same bytes: the baseline every hashing figure is compared with. */
function sha256Rate(items: Uint8Array[]): number {
  const t0 = performance.now();
  for (const b of items) createHash('sha256').update(b).digest();
  return items.length / ((performance.now() - t0) / 1000);
}

async function throughput(seconds: number, appenders: number) {
  const dataDir = tempDir('porchlight-bench-');
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO: 'false' });
  const built = await wirePrepared(config, { logger: false });
  const ledger = built.services.ledger;
  const db = built.ctx.db;
  const appendedAt: number[] = []; // by seq (SQLite assigns 1, 2, 3, … and integrates in seq order)
  let stop = false;
  const t0 = performance.now();
  const workers = Array.from({ length: appenders }, async (_, w) => {
    for (let i = w; !stop; i += appenders) {
      const { seq } = await db.kysely.transaction().execute((tx) => append(tx, entry(i)));
      appendedAt[seq] = performance.now();
      // Real appends arrive through I/O; yield so timers (the integrator's tick) run as in the server.
      await new Promise((r) => setImmediate(r));
    }
  });
  // The integrator as the server runs it: every LOG_BATCH_MS, drain in batches of LOG_BATCH_SIZE.
  const latencies: number[] = [];
  let integrated = 0;
  let integrating = true;
  const integrator = (async () => {
    while (integrating) {
      const tick = performance.now();
      for (;;) {
        const n = await ledger.integrateOnce();
        const now = performance.now();
        for (let s = integrated + 1; s <= integrated + n; s++) latencies.push(now - appendedAt[s]);
        integrated += n;
        if (n < config.LOG_BATCH_SIZE) break;
      }
      const wait = config.LOG_BATCH_MS - (performance.now() - tick);
      if (integrating && wait > 0) await sleep(wait);
    }
  })();
  await sleep(seconds * 1000);
  stop = true;
  await Promise.all(workers);
  const appended = appendedAt.filter(Boolean).length;
  while (integrated < appended) await sleep(20);
  const elapsed = (performance.now() - t0) / 1000;
  integrating = false;
  await integrator;
  // Integration capacity alone: a backlog appended in one transaction, then drained.
  const backlog = 50_000;
  await db.kysely.transaction().execute(async (tx) => {
    for (let i = 0; i < backlog; i++) await append(tx, entry(10_000_000 + i));
  });
  const ti = performance.now();
  const drained = await ledger.integrate();
  const integrationPerSecond = drained / ((performance.now() - ti) / 1000);
  await built.app.close();
  latencies.sort((a, b) => a - b);
  const sample = Array.from({ length: 20000 }, (_, i) => new Uint8Array(Buffer.concat([Buffer.from([0]), Buffer.from(canonicalEntryBytes(i))])));
  return {
    appenders,
    batchSize: config.LOG_BATCH_SIZE,
    batchMs: config.LOG_BATCH_MS,
    entries: integrated,
    seconds: elapsed,
    entriesPerSecond: integrated / elapsed,
    integrationOnlyPerSecond: integrationPerSecond,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] },
    baselineSha256LeavesPerSecond: sha256Rate(sample),
  };
}

/**
 * Builds an N-entry log in DATA_DIR by writing tiles and one signed checkpoint,
 * exactly what integration stores. Runs in a child process (LEDGER_BENCH_BUILD),
 * so the measuring process starts with a clean heap, like a restarted server.
 */
async function buildBigLog(dataDir: string, n: number): Promise<number> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO: 'false' });
  const built = await wirePrepared(config, { logger: false });
  const db = built.ctx.db;
  const signer = built.services.ledger.signer;
  const t0 = performance.now();
  const edgeStore = new Map<string, Uint8Array>();
  let size = 0;
  let root: Uint8Array = new Uint8Array();
  while (size < n) {
    const count = Math.min(65536, n - size);
    const edge = new Map<string, Uint8Array>();
    for (const t of rightEdgeTiles(size)) edge.set(tileKey(t.level, t.index), edgeStore.get(tileKey(t.level, t.index))!);
    if (size % TILE_WIDTH) edge.set(tileKey(ENTRIES_LEVEL, Math.floor(size / TILE_WIDTH)), edgeStore.get(tileKey(ENTRIES_LEVEL, Math.floor(size / TILE_WIDTH)))!);
    const leaves = Array.from({ length: count }, (_, k) => {
      const e = canonicalEntryBytes(size + k);
      return { entry: e, hash: leafHash(e) };
    });
    const out = appendToTiles(size, edge, leaves);
    for (const t of out.tiles) edgeStore.set(tileKey(t.level, t.index), t.bytes);
    await db.kysely.transaction().execute((tx) => repo.upsertTiles(tx, out.tiles));
    size = out.size;
    root = out.root;
  }
  const note = signCheckpoint({ origin: signer.name, size, root, extensions: [] }, signer);
  await repo.insertCheckpoint(db.kysely, { size, root, note }, Date.now());
  await built.app.close();
  return (performance.now() - t0) / 1000;
}

function child(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}: ${out}`))));
  });
}

async function openBigLog(dataDir: string) {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO: 'false' });
  const built = await wirePrepared(config, { logger: false });
  const ledger = built.services.ledger;
  // The in-memory baseline's tiles: every hash tile, read once.
  const rows = await built.ctx.db.kysely.selectFrom('log_tiles').select(['level', 'idx', 'data']).where('level', '>=', 0).execute();
  const store = new Map(rows.map((r) => [tileKey(Number(r.level), Number(r.idx)), r.data]));
  return { built, ledger, store };
}

async function proofs(big: Awaited<ReturnType<typeof openBigLog>>, n: number, count: number) {
  const pick = () => Array.from({ length: count }, () => Math.floor(Math.random() * n));
  const time = async (idx: number[], f: (i: number) => Promise<unknown> | unknown) => {
    const ts: number[] = [];
    for (const i of idx) {
      const t0 = performance.now();
      await f(i);
      ts.push(performance.now() - t0);
    }
    return ts.sort((a, b) => a - b);
  };
  const stats = (ts: number[]) => ({ p50: percentile(ts, 50), p99: percentile(ts, 99) });
  // Baseline: the same proofs over tiles already in memory, expanded and cached like the service's.
  const memCache = new Map<string, ExpandedTile>();
  await time(pick(), (i) => inclusionProofFromTiles(big.store, i, n, memCache));
  const mem = await time(pick(), (i) => inclusionProofFromTiles(big.store, i, n, memCache));
  // The service straight after start (tiles read from SQLite and expanded), then warm.
  const cold = await time(pick(), (i) => big.ledger.inclusionProof(i, n));
  for (let k = 0; k < 3; k++) await time(pick(), (i) => big.ledger.inclusionProof(i, n));
  const warm = await time(pick(), (i) => big.ledger.inclusionProof(i, n));
  const app = big.built.app;
  const viaHttp = async (i: number) => {
    const r = await app.inject({ method: 'GET', url: `/api/v1/log/proof/inclusion?index=${i}&size=${n}` });
    if (r.statusCode !== 200) throw new Error(r.body);
  };
  for (let k = 0; k < 3; k++) await time(pick(), viaHttp); // the route's own service instance warms its cache too
  const http = await time(pick(), viaHttp);
  return { count, inMemoryMs: stats(mem), serviceColdMs: stats(cold), serviceWarmMs: stats(warm), httpInjectWarmMs: stats(http) };
}

/** `porchlight log verify` itself, in its own process, against the log served over HTTP. */
async function verifyBig(big: Awaited<ReturnType<typeof openBigLog>>, n: number) {
  const address = await big.built.app.listen({ port: 0, host: '127.0.0.1' });
  const t0 = performance.now();
  const out = await child(['src/main.ts', 'log', 'verify', '--url', `${address}/log`, '--key', big.ledger.verifierKey], {});
  const seconds = (performance.now() - t0) / 1000;
  if (!out.includes(`${n} entries`)) throw new Error(`log verify said: ${out}`);
  const sample = Array.from({ length: 50000 }, (_, i) => new Uint8Array(Buffer.concat([Buffer.from([0]), Buffer.from(canonicalEntryBytes(i))])));
  return { leaves: n, seconds, leavesPerSecond: n / seconds, cliOutput: out.trim(), baselineSha256LeavesPerSecond: sha256Rate(sample) };
}

export async function run(opts: { seconds?: number; size?: number } = {}) {
  const seconds = opts.seconds ?? 15;
  const n = opts.size ?? 1_000_000;
  const loadBefore = os.loadavg()[0];
  console.log(`   machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${loadBefore.toFixed(1)} (other work on the machine skews every figure)`);
  console.log(`1. sustained append + integration, SQLite, ${seconds} s, 16 concurrent appenders, one entry per transaction`);
  const tp = await throughput(seconds, 16);
  console.log(`   ${fmt(tp.entriesPerSecond, 0)} entries/s sequenced and integrated (goal ≥ 10,000; ${fmt(tp.entries, 0)} entries)`);
  console.log(`   baseline raw SHA-256 of the same leaves: ${fmt(tp.baselineSha256LeavesPerSecond, 0)}/s; ratio ${fmt(tp.entriesPerSecond / tp.baselineSha256LeavesPerSecond, 3)}`);
  console.log(`   integration alone (a 50,000-entry backlog drained in batches of ${tp.batchSize}): ${fmt(tp.integrationOnlyPerSecond, 0)} entries/s`);
  console.log(`2. append → signed checkpoint latency: p50 ${fmt(tp.latencyMs.p50, 0)} ms, p99 ${fmt(tp.latencyMs.p99, 0)} ms (goal ≤ 2,000), max ${fmt(tp.latencyMs.max, 0)} ms; integrator tick ${tp.batchMs} ms`);
  console.log(`3. building a ${fmt(n, 0)}-entry log (tiles written as integration writes them, in a child process) …`);
  const dataDir = tempDir('porchlight-bench-big-');
  const buildSeconds = Number(await child(['bench/ledger.ts'], { LEDGER_BENCH_BUILD: dataDir, SIZE: String(n) }));
  console.log(`   built in ${fmt(buildSeconds)} s; now measured in this process with a fresh service, as after a restart`);
  const big = await openBigLog(dataDir);
  const pr = await proofs(big, n, 5000);
  console.log(`   inclusion proof p99: service warm ${fmt(pr.serviceWarmMs.p99, 3)} ms, HTTP (inject, warm) ${fmt(pr.httpInjectWarmMs.p99, 3)} ms (goal ≤ 1 ms); p50 ${fmt(pr.serviceWarmMs.p50, 3)} / ${fmt(pr.httpInjectWarmMs.p50, 3)} ms`);
  console.log(`   cold (first ${fmt(pr.count, 0)} random proofs after start, tiles read and expanded): p50 ${fmt(pr.serviceColdMs.p50, 3)} ms, p99 ${fmt(pr.serviceColdMs.p99, 3)} ms`);
  console.log(`   baseline: same proofs from in-memory tiles p99 ${fmt(pr.inMemoryMs.p99, 3)} ms; ratio service/in-memory ${fmt(pr.serviceWarmMs.p99 / pr.inMemoryMs.p99, 1)}`);
  console.log(`4. porchlight log verify (its own process) over HTTP, ${fmt(n, 0)} entries …`);
  const vf = await verifyBig(big, n);
  console.log(`   ${fmt(vf.leavesPerSecond, 0)} leaves/s (${fmt(vf.seconds)} s wall, process start included)`);
  console.log(`   baseline raw SHA-256 of the same leaves: ${fmt(vf.baselineSha256LeavesPerSecond, 0)}/s; ratio ${fmt(vf.leavesPerSecond / vf.baselineSha256LeavesPerSecond, 3)}`);
  await big.built.app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const file = writeResult('ledger', { loadAverage: { before: loadBefore, after: os.loadavg()[0] }, throughput: tp, inclusionProof: { size: n, ...pr, buildSeconds }, verify: vf });
  console.log(`   wrote ${file}`);
  return { tp, pr, vf };
}

if (import.meta.main) {
  if (process.env.LEDGER_BENCH_BUILD) process.stdout.write(String(await buildBigLog(process.env.LEDGER_BENCH_BUILD, Number(process.env.SIZE ?? 1_000_000))));
  // Figure 1 alone, as JSON on stdout, for the soak benchmark to run beside its load.
  else if (process.env.LEDGER_BENCH_THROUGHPUT) process.stdout.write(JSON.stringify(await throughput(Number(process.env.LEDGER_BENCH_THROUGHPUT), 16)));
  else await run({ seconds: Number(process.env.SECONDS ?? 15), size: Number(process.env.SIZE ?? 1_000_000) });
}
