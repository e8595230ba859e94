// Issue 2: authenticated GET /api/v1/me against a bare Fastify route, both in
// child processes, measured alternately with autocannon. Goal: ≥ 0.5 of the
// bare route's throughput.
import autocannon from 'autocannon';
import path from 'node:path';
import { fmt, repoRoot, startChild, writeResult } from './lib.ts';

async function load(url: string, headers: Record<string, string>, seconds: number) {
  const r = await autocannon({ url, headers, connections: 16, duration: seconds, pipelining: 1 });
  return { rps: r.requests.average, p99ms: r.latency.p99, errors: r.errors + r.non2xx };
}

export async function run(opts: { seconds?: number; rounds?: number } = {}) {
  const seconds = opts.seconds ?? 5;
  const rounds = opts.rounds ?? 3;
  const bare = await startChild(path.join(repoRoot, 'bench/servers/bare.ts'));
  const app = await startChild(path.join(repoRoot, 'bench/servers/porchlight.ts'));
  const login = await fetch(`http://127.0.0.1:${app.port}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.test', password: 'bench-password-123' }),
  });
  const { token } = (await login.json()) as { token: string };
  const runs: { bare: Awaited<ReturnType<typeof load>>; me: Awaited<ReturnType<typeof load>> }[] = [];
  try {
    await load(`http://127.0.0.1:${bare.port}/`, {}, 1); // warm-up
    await load(`http://127.0.0.1:${app.port}/api/v1/me`, { authorization: `Bearer ${token}` }, 1);
    for (let i = 0; i < rounds; i++) {
      const b = await load(`http://127.0.0.1:${bare.port}/`, {}, seconds);
      const m = await load(`http://127.0.0.1:${app.port}/api/v1/me`, { authorization: `Bearer ${token}` }, seconds);
      runs.push({ bare: b, me: m });
    }
  } finally {
    await bare.stop();
    await app.stop();
  }
  const ratios = runs.map((r) => r.me.rps / r.bare.rps).sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)];
  const mid = runs[Math.floor(runs.length / 2)];
  console.log('GET /api/v1/me (authenticated, SQLite) vs bare Fastify route');
  for (const r of runs) console.log(`  bare ${fmt(r.bare.rps, 0)} req/s p99 ${r.bare.p99ms} ms | /me ${fmt(r.me.rps, 0)} req/s p99 ${r.me.p99ms} ms | ratio ${fmt(r.me.rps / r.bare.rps, 2)} | errors ${r.me.errors}`);
  console.log(`  median throughput ratio ${fmt(median, 2)} (goal ≥ 0.5) ${median >= 0.5 ? 'MET' : 'NOT MET'}`);
  const file = writeResult('me', { goal: 'throughput ratio >= 0.5', medianRatio: median, runs, example: mid });
  console.log(`  wrote ${path.relative(repoRoot, file)}`);
  return { medianRatio: median };
}

if (import.meta.main) await run();
