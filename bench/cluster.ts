// Issue 16: three nodes behind the round-robin proxy against one node behind
// the same proxy, in the same run, each on its own fresh PostgreSQL database
// and the local S3 server (scripts/cluster.ts, what `npm run cluster` starts).
// Two loads of 16 connections each: authenticated GET /api/v1/me, and a mix of
// the feed page, a 64 KiB range of a stored clip and the log's checkpoint.
// On 2 cores three nodes cannot be faster than one: this measures the cost of
// the scale-out shape (more processes, the proxy hop, shared state in
// PostgreSQL), not a speed-up. CLUSTER_BENCH_SECONDS sets each load's length.
import autocannon from 'autocannon';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startCluster } from '../scripts/cluster.ts';
import { fmt, writeResult } from './lib.ts';
import { MB, makeClip, provision, uploadTo } from './server.ts';

const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RANGE = 64 * 1024;
const CLIP = 16 * MB;

interface Load { rps: number; p99ms: number; errors: number }

async function load(opts: autocannon.Options): Promise<Load> {
  const r = await autocannon({ connections: 16, pipelining: 1, ...opts });
  return { rps: r.requests.average, p99ms: r.latency.p99, errors: r.errors + r.non2xx };
}

async function dropDatabase(name: string) {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
}

async function measure(nodes: number, seconds: number, work: string): Promise<{ me: Load; mixed: Load }> {
  const db = `porchlight_bench_cluster_${nodes}_${process.pid}`;
  await dropDatabase(db);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${db}`;
  const cluster = await startCluster({ nodes, port: 0, dir: path.join(work, `cluster-${nodes}`), databaseUrl: url.toString(), env: { RATE_LIMIT_PER_MINUTE: '1000000000' } });
  try {
    const s = { base: cluster.url, ...(await provision(cluster.url)) };
    const file = path.join(work, 'clip.mp4');
    makeClip(file, CLIP);
    const buf = fs.readFileSync(file);
    const status = await uploadTo(s, new http.Agent(), { buf, size: buf.length, sha256: createHash('sha256').update(buf).digest('hex') }, 'cluster');
    if (status !== 201) throw new Error(`clip upload answered ${status}`);
    const auth = { authorization: `Bearer ${s.session}` };
    const { items } = (await (await fetch(`${cluster.url}/api/v1/clips`, { headers: auth })).json()) as { items: { id: string }[] };
    const clip = items[0]!.id;
    const me = { url: `${cluster.url}/api/v1/me`, headers: auth };
    await load({ ...me, duration: 2 }); // warm-up: every node's caches
    const meLoad = await load({ ...me, duration: seconds });
    const start = Math.floor(CLIP / 2);
    const mixed = await load({
      url: cluster.url,
      duration: seconds,
      requests: [
        { method: 'GET', path: '/api/v1/feed', headers: auth },
        { method: 'GET', path: `/api/v1/clips/${clip}/video`, headers: { ...auth, range: `bytes=${start}-${start + RANGE - 1}` } },
        { method: 'GET', path: '/log/checkpoint' },
      ],
    });
    return { me: meLoad, mixed };
  } finally {
    await cluster.stop();
    await dropDatabase(db);
  }
}

export async function run() {
  const seconds = Number(process.env.CLUSTER_BENCH_SECONDS ?? 10);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-bench-cluster-'));
  const load0 = os.loadavg()[0];
  try {
    const three = await measure(3, seconds, work);
    const one = await measure(1, seconds, work);
    const line = (name: string, a: Load, b: Load) =>
      console.log(`  ${name}: 3 nodes ${fmt(a.rps, 0)} req/s p99 ${a.p99ms} ms (errors ${a.errors}) | 1 node ${fmt(b.rps, 0)} req/s p99 ${b.p99ms} ms (errors ${b.errors}) | throughput ratio 3/1 ${fmt(a.rps / b.rps, 2)}`);
    console.log(`3 nodes against 1, each behind the round-robin proxy, PostgreSQL + s3rver, ${seconds} s per load, 16 connections; ${os.cpus().length} cores, load average ${fmt(load0, 1)} before`);
    line('GET /api/v1/me', three.me, one.me);
    line('mixed (feed, 64 KiB clip range, checkpoint)', three.mixed, one.mixed);
    console.log('  on 2 cores this is the overhead of the shape, not a speed-up');
    const file = writeResult('cluster', { seconds, connections: 16, three, one, ratio: { me: three.me.rps / one.me.rps, mixed: three.mixed.rps / one.mixed.rps }, loadAverage: { before: load0, after: os.loadavg()[0] } });
    console.log(`  wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
