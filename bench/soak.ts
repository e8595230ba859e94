// Soak (issue 17): the real server under 20 connections of mixed load for 10
// minutes (SOAK_MINUTES to change it): authenticated GET /api/v1/me, a 64 KiB
// range of a stored clip, and the log's checkpoint. Each minute it reports
// throughput, p99, errors and the server's RSS. Goal: RSS flat after the first
// minute (within 50 MB). Beside the load, the log's append + integration
// benchmark runs in its own process, so the log's figure under load is
// reported next to the same figure measured on a quiet server just before.
// The load generator is node:http with a keep-alive agent (no autocannon: the
// mix and the per-minute figures need our own loop).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { clipSigningPayload, exportDevicePublicKey, signClipPayload } from '../src/cameras/signature.ts';
import { fmt, percentile, repoRoot, writeResult } from './lib.ts';

const MB = 1024 * 1024;
const CONNECTIONS = 20;
const RANGE = 64 * 1024;
const CLIP_SIZE = 16 * MB;

interface Server { child: ChildProcess; base: string; token: string; clipId: string }

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A fixture MP4 followed by a `free` box of random bytes: passes the structural check at any size. */
function makeClip(size: number): Buffer {
  const head = fs.readFileSync(path.join(repoRoot, 'test/fixtures/clip.mp4'));
  const box = Buffer.alloc(8);
  box.writeUInt32BE(size - head.length);
  box.write('free', 4, 'latin1');
  return Buffer.concat([head, box, randomBytes(size - head.length - 8)]);
}

async function startServer(dataDir: string, nodeArgs: string[]): Promise<Server> {
  const child = spawn(process.execPath, [...nodeArgs, 'src/main.ts', 'serve', '--init'], {
    cwd: repoRoot,
    env: { RATE_LIMIT_PER_MINUTE: '1000000000', ...process.env, DATA_DIR: dataDir, PORT: '0', DEMO: 'false', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b) => {
      out += b;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  child.stdout!.resume();
  const json = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + url, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, string>>;
  };
  const account = { email: 'soak@example.test', password: 'soak-password-123' };
  await json('POST', '/api/v1/auth/register', { ...account, displayName: 'Soak', home: { lat: 45.5, lon: -122.6 } });
  const token = (await json('POST', '/api/v1/auth/login', account)).token;
  const auth = { authorization: `Bearer ${token}` };
  const camera = (await json('POST', '/api/v1/cameras', { name: 'Soak', location: { lat: 45.5, lon: -122.6 }, kind: 'outdoor' }, auth)).id;
  const { code } = await json('POST', `/api/v1/cameras/${camera}/enrolment-code`, undefined, auth);
  const keys = generateKeyPairSync('ed25519');
  const device = (await json('POST', '/api/v1/devices/enroll', { code, publicKey: exportDevicePublicKey(keys.publicKey) })).token;
  const clip = makeClip(CLIP_SIZE);
  const sha256 = createHash('sha256').update(clip).digest('hex');
  const startedAt = new Date(Date.now() - 120_000).toISOString();
  const endedAt = new Date(Date.now() - 60_000).toISOString();
  const sig = signClipPayload(keys.privateKey, clipSigningPayload({ cameraId: camera, sha256, startedAt, endedAt, kind: 'motion' }));
  const res = await fetch(`${base}/api/v1/clips?${new URLSearchParams({ cameraId: camera, startedAt, endedAt, kind: 'motion' })}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${device}`, 'content-type': 'video/mp4', 'x-device-signature': sig, 'idempotency-key': 'soak' },
    body: new Uint8Array(clip),
  });
  if (res.status !== 201) throw new Error(`clip upload: ${res.status} ${await res.text()}`);
  const clipId = ((await res.json()) as { id: string }).id;
  return { child, base, token, clipId };
}

function get(agent: http.Agent, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

interface Minute { minute: number; requests: number; rps: number; p50ms: number; p99ms: number; errors: number; rssMiB: number; byKind: Record<string, number> }

/** Runs the log's throughput benchmark (bench/ledger.ts) in its own process; resolves with its JSON. */
function ledgerThroughput(seconds: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['bench/ledger.ts'], { cwd: repoRoot, env: { ...process.env, LEDGER_BENCH_THROUGHPUT: String(seconds) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, number>) : reject(new Error(`ledger throughput exited ${code}`))));
  });
}

export async function run() {
  const minutes = Number(process.env.SOAK_MINUTES ?? 10);
  // SOAK_LOG_SECONDS=0 leaves the log's benchmark out (for a quick look at memory).
  const logSeconds = Number(process.env.SOAK_LOG_SECONDS ?? 15);
  const nodeArgs = (process.env.SOAK_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-soak-'));
  const s = await startServer(path.join(work, 'data'), nodeArgs);
  const pid = s.child.pid!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const auth = { authorization: `Bearer ${s.token}` };
  const kinds = [
    { name: 'me', weight: 3, url: () => `${s.base}/api/v1/me`, headers: () => auth },
    {
      name: 'range', weight: 1, url: () => `${s.base}/api/v1/clips/${s.clipId}/video`,
      headers: () => {
        const start = Math.floor(Math.random() * (CLIP_SIZE - RANGE));
        return { ...auth, range: `bytes=${start}-${start + RANGE - 1}` };
      },
    },
    { name: 'checkpoint', weight: 1, url: () => `${s.base}/log/checkpoint`, headers: () => ({}) },
  ];
  const wheel = kinds.flatMap((k) => Array.from({ length: k.weight }, () => k));
  const startRss = rssMiB(pid);
  const load = os.loadavg()[0];
  console.log(`soak: ${minutes} min, ${CONNECTIONS} connections, mix /me 3 : clip range ${RANGE / 1024} KiB 1 : checkpoint 1; machine ${os.cpus().length} cores, load average ${load.toFixed(1)} (other work on the machine skews every figure)`);
  let logQuiet: Record<string, number> | undefined;
  if (logSeconds > 0) {
    console.log(`  log append + integration on the quiet server first (${logSeconds} s, own process) …`);
    logQuiet = await ledgerThroughput(logSeconds);
    console.log(`  quiet: ${fmt(logQuiet.entriesPerSecond, 0)} entries/s sustained, integration alone ${fmt(logQuiet.integrationOnlyPerSecond, 0)}/s`);
  }
  console.log(`  server RSS before load ${fmt(startRss, 0)} MiB`);

  let lat: number[] = [];
  let errors = 0;
  let count: Record<string, number> = {};
  let stop = false;
  const workers = Array.from({ length: CONNECTIONS }, async (_, w) => {
    for (let i = w; !stop; i++) {
      const k = wheel[i % wheel.length];
      const t = performance.now();
      try {
        const status = await get(agent, k.url(), k.headers());
        if (status >= 300) errors++;
      } catch {
        errors++;
      }
      lat.push(performance.now() - t);
      count[k.name] = (count[k.name] ?? 0) + 1;
    }
  });
  const perMinute: Minute[] = [];
  let logUnderLoad: Record<string, number> | undefined;
  const t0 = performance.now();
  for (let m = 1; m <= minutes; m++) {
    // The log's benchmark runs beside the load in the second minute (the first is warm-up).
    const logRun = logSeconds > 0 && m === Math.min(2, minutes) ? ledgerThroughput(logSeconds).then((r) => (logUnderLoad = r)) : null;
    const until = t0 + m * 60_000;
    while (performance.now() < until) await new Promise((r) => setTimeout(r, Math.min(1000, until - performance.now())));
    await logRun;
    // SOAK_NODE_ARGS='--heapsnapshot-signal=SIGUSR2 …' and SOAK_HEAP_SNAPSHOTS=1: a heap snapshot of the server each minute.
    if (process.env.SOAK_HEAP_SNAPSHOTS) s.child.kill('SIGUSR2');
    const done = lat.sort((a, b) => a - b);
    const row: Minute = { minute: m, requests: done.length, rps: done.length / 60, p50ms: percentile(done, 50), p99ms: percentile(done, 99), errors, rssMiB: rssMiB(pid), byKind: count };
    lat = [];
    errors = 0;
    count = {};
    perMinute.push(row);
    console.log(`  minute ${m}: ${fmt(row.rps, 0)} req/s, p50 ${fmt(row.p50ms, 1)} ms, p99 ${fmt(row.p99ms, 1)} ms, errors ${row.errors}, RSS ${fmt(row.rssMiB, 0)} MiB`);
  }
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  await new Promise((r) => setTimeout(r, 5000));
  const idleRss = rssMiB(pid);
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
  fs.rmSync(work, { recursive: true, force: true });

  const after = perMinute.slice(1).map((r) => r.rssMiB);
  const spread = after.length ? Math.max(...after) - Math.min(...after) : 0;
  const growth = after.length ? after[after.length - 1] - perMinute[0].rssMiB : 0;
  console.log(`  RSS after minute 1: min ${fmt(Math.min(...after), 0)}, max ${fmt(Math.max(...after), 0)} MiB (spread ${fmt(spread, 0)}; goal ≤ 50 MB) ${spread <= 50 ? 'MET' : 'NOT MET'}; idle 5 s after the load ${fmt(idleRss, 0)} MiB`);
  if (logUnderLoad && logQuiet) {
    const ok = logUnderLoad.entriesPerSecond >= 10_000;
    console.log(`  log beside the load (minute 2): ${fmt(logUnderLoad.entriesPerSecond, 0)} entries/s sustained (goal ≥ 10,000) ${ok ? 'MET' : 'NOT MET'}, integration alone ${fmt(logUnderLoad.integrationOnlyPerSecond, 0)}/s; quiet ${fmt(logQuiet.entriesPerSecond, 0)} / ${fmt(logQuiet.integrationOnlyPerSecond, 0)}`);
  }
  const file = writeResult(minutes === 10 ? 'soak' : `soak-${minutes}min`, {
    goal: 'RSS flat after the first minute (within 50 MB)', minutes, connections: CONNECTIONS, mix: { me: 3, range64KiB: 1, checkpoint: 1 },
    startRssMiB: startRss, idleRssMiB: idleRss, rssSpreadAfterFirstMinuteMiB: spread, rssGrowthAfterFirstMinuteMiB: growth, perMinute,
    log: { quiet: logQuiet ?? null, underLoad: logUnderLoad ?? null }, loadAverage: { before: load, after: os.loadavg()[0] },
  });
  console.log(`  wrote ${path.relative(repoRoot, file)}`);
}

if (import.meta.main) await run();
