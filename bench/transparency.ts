// Issue 13: the transparency report over a 1,000,000-entry log of mixed kinds
// (disclosures, decisions, requests sent and answered, owners notified).
//   1. building the report from the log after a restart (read + parse + fold), beside parsing alone
//   2. folding in 1,000 new entries, integrated by the real integrator (goal ≤ 100 ms)
//   3. `porchlight report recount` against `porchlight log verify`, each in its own
//      process over HTTP, on the same log in the same run (goal ≥ 0.5 of verify's leaves/s)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { wirePrepared } from '../src/app/prepare.ts';
import { loadConfig } from '../src/config.ts';
import { signCheckpoint } from '../src/ledger/checkpoint.ts';
import { type LogEntry, encodeEntry, parseEntry } from '../src/ledger/entry.ts';
import { leafHash } from '../src/ledger/merkle.ts';
import * as repo from '../src/ledger/repository.ts';
import { append } from '../src/ledger/service.ts';
import { ENTRIES_LEVEL, TILE_WIDTH, appendToTiles, rightEdgeTiles, tileKey } from '../src/ledger/tiles.ts';
import { ReportTally } from '../src/transparency/report.ts';
import { fmt, percentile, repoRoot, writeResult } from './lib.ts';
import { tempDir } from '../test/helpers/db.ts';

const KINDS = ['consent', 'consent', 'consent', 'warrant', 'emergency', 'subpoena', 'decision', 'request_sent', 'request_answered', 'owners_notified', 'refusal_e2ee'] as const;

/** Entry i of the synthetic log: a realistic mix, every field the tally reads. */
function entry(i: number): LogEntry {
  const basis = KINDS[i % KINDS.length];
  const c = i.toString(16).padStart(64, 'c');
  const base = { v: 2 as const, basis, agency: `ag_${i % 40}`, ref: `rq_${Math.floor(i / 50)}`, reviewers: [`rev_${i % 9}`], time: new Date(Date.UTC(2025, 0, 1) + i * 30_000).toISOString(), clips: [] as string[] };
  switch (basis) {
    case 'decision': return { ...base, demand: 'warrant', outcome: (['approved', 'narrowed', 'rejected'] as const)[i % 3] };
    case 'request_sent': return { ...base, incident: 'burglary', count: 40 + (i % 60) };
    case 'request_answered': return { ...base, count: 1 };
    case 'owners_notified': return { ...base, count: 1 + (i % 4) };
    default: return { ...base, clips: [c] };
  }
}

/** Writes an N-entry log as integration stores it: entries with their index, tiles, one signed checkpoint. */
async function buildLog(dataDir: string, n: number): Promise<number> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO: 'false' });
  const built = await wirePrepared(config, { logger: false });
  const db = built.ctx.db.kysely;
  const signer = built.services.ledger.signer;
  const t0 = performance.now();
  const edgeStore = new Map<string, Uint8Array>();
  let size = 0;
  let root: Uint8Array = new Uint8Array();
  while (size < n) {
    const count = Math.min(16_384, n - size);
    const edge = new Map<string, Uint8Array>();
    for (const t of rightEdgeTiles(size)) edge.set(tileKey(t.level, t.index), edgeStore.get(tileKey(t.level, t.index))!);
    if (size % TILE_WIDTH) edge.set(tileKey(ENTRIES_LEVEL, Math.floor(size / TILE_WIDTH)), edgeStore.get(tileKey(ENTRIES_LEVEL, Math.floor(size / TILE_WIDTH)))!);
    const bytes = Array.from({ length: count }, (_, k) => encodeEntry(entry(size + k)));
    const out = appendToTiles(size, edge, bytes.map((e) => ({ entry: e, hash: leafHash(e) })));
    for (const t of out.tiles) edgeStore.set(tileKey(t.level, t.index), t.bytes);
    await db.transaction().execute(async (tx) => {
      for (let k = 0; k < count; k += 500) {
        await tx.insertInto('log_entries').values(bytes.slice(k, k + 500).map((e, j) => ({ entry: e, created_at: Date.now(), idx: size + k + j }))).execute();
      }
      await repo.upsertTiles(tx, out.tiles);
    });
    size = out.size;
    root = out.root;
  }
  const note = signCheckpoint({ origin: signer.name, size, root, extensions: [] }, signer);
  await repo.insertCheckpoint(db, { size, root, note }, Date.now());
  await built.app.close();
  return (performance.now() - t0) / 1000;
}

function child(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}: ${out}`))));
  });
}

async function timed(args: string[]): Promise<{ seconds: number; out: string }> {
  const t0 = performance.now();
  const out = await child(args);
  return { seconds: (performance.now() - t0) / 1000, out: out.trim() };
}

export async function run(opts: { size?: number } = {}) {
  const n = opts.size ?? 1_000_000;
  const loadBefore = os.loadavg()[0];
  console.log(`   machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${loadBefore.toFixed(1)}`);
  const dataDir = tempDir('porchlight-bench-report-');
  console.log(`   building a ${fmt(n, 0)}-entry log of mixed kinds (in a child process) …`);
  const buildSeconds = Number(await child(['bench/transparency.ts'], { REPORT_BENCH_BUILD: dataDir, SIZE: String(n) }));
  console.log(`   built in ${fmt(buildSeconds)} s`);

  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO: 'false' });
  const built = await wirePrepared(config, { logger: false });
  const { transparency, ledger } = built.services;
  const db = built.ctx.db.kysely;

  // Baseline for 1: reading and parsing every entry, no tally.
  let t0 = performance.now();
  for (let from = 0; from < n; from += 5000) for (const r of await repo.entriesByIndex(db, from, Math.min(n, from + 5000))) parseEntry(r.entry);
  const parseSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const first = await transparency.report();
  const reportSeconds = (performance.now() - t0) / 1000;
  console.log(`1. the report from ${fmt(n, 0)} entries after a restart: ${fmt(reportSeconds, 2)} s (${first.figures.length} figures)`);
  console.log(`   baseline: reading and parsing the same entries ${fmt(parseSeconds, 2)} s; ratio ${fmt(reportSeconds / parseSeconds, 2)}`);

  // 2. 1,000 new entries through append and the integrator, then the next request.
  const folds: number[] = [];
  for (let round = 0; round < 10; round++) {
    const at = n + round * 1000;
    await db.transaction().execute(async (tx) => {
      for (let k = 0; k < 1000; k++) await append(tx, entry(at + k));
    });
    while ((await ledger.integrateOnce()) > 0) { /* drain */ }
    t0 = performance.now();
    const r = await transparency.report();
    folds.push(performance.now() - t0);
    if (r.log.size !== at + 1000) throw new Error(`the report is at ${r.log.size}, not ${at + 1000}`);
  }
  folds.sort((a, b) => a - b);
  const tally = new ReportTally();
  const sample = Array.from({ length: 1000 }, (_, k) => encodeEntry(entry(k)));
  t0 = performance.now();
  sample.forEach((b, i) => tally.fold(i, parseEntry(b)));
  tally.figures();
  const pureMs = performance.now() - t0;
  console.log(`2. folding in 1,000 new entries (10 rounds): p50 ${fmt(percentile(folds, 50), 1)} ms, max ${fmt(folds.at(-1)!, 1)} ms (goal ≤ 100)`);
  console.log(`   baseline: the pure fold of 1,000 entries in memory ${fmt(pureMs, 1)} ms`);

  // 3. recount against verify, same log, same run, both over HTTP from their own processes.
  const address = await built.app.listen({ port: 0, host: '127.0.0.1' });
  const size = n + 10_000;
  const verify = await timed(['src/main.ts', 'log', 'verify', '--url', address, '--key', ledger.verifierKey]);
  const recount = await timed(['src/main.ts', 'report', 'recount', '--url', address, '--key', ledger.verifierKey]);
  if (!verify.out.includes(`${size} entries`) || !recount.out.includes(`at tree size ${size}`)) throw new Error(`unexpected output:\n${verify.out}\n${recount.out}`);
  const ratio = verify.seconds / recount.seconds;
  console.log(`3. log verify ${fmt(size / verify.seconds, 0)} leaves/s, report recount ${fmt(size / recount.seconds, 0)} leaves/s; ratio ${fmt(ratio, 2)} (goal ≥ 0.5)`);
  console.log(`   ${recount.out}`);
  await built.app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const file = writeResult('transparency', {
    loadAverage: { before: loadBefore, after: os.loadavg()[0] }, size: n, buildSeconds,
    report: { seconds: reportSeconds, figures: first.figures.length, baselineParseSeconds: parseSeconds },
    fold1000: { p50Ms: percentile(folds, 50), maxMs: folds.at(-1), baselinePureMs: pureMs },
    recount: { leaves: size, verifySeconds: verify.seconds, recountSeconds: recount.seconds, ratio },
  });
  console.log(`   wrote ${file}`);
}

if (import.meta.main && process.env.REPORT_BENCH_BUILD) process.stdout.write(String(await buildLog(process.env.REPORT_BENCH_BUILD, Number(process.env.SIZE ?? 1_000_000))));
