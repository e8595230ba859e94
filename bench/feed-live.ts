// Issue 12: a new post reaching 1,000 connected readers live (goal p99 ≤ 500 ms),
// on the real server with its workers running: 1,000 residents around one
// home hold GET /api/v1/me/events open; another resident posts; each stream's
// arrival of that post's event is timed from the moment the POST was sent.
// Baseline, in the same run: the same 1,000 streams receiving one event
// published straight into the hub (no database, no outbox), so the ratio is
// what the transactional outbox costs.
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { wirePrepared } from '../src/app/prepare.ts';
import { loadConfig } from '../src/config.ts';
import { hashToken, newId, randomToken } from '../src/platform/crypto.ts';
import { fmt, percentile, writeResult } from './lib.ts';
import { tempDir } from '../test/helpers/db.ts';

const CENTRE = { lat: 45.5231, lon: -122.6765 };

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] };
};

/** One SSE stream; calls `on` with each event's parsed data. */
function stream(port: number, token: string, on: (e: { kind: string; payload: { postId?: string; bench?: string } }) => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/me/events', headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events answered ${res.statusCode}`));
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (data) on(JSON.parse(data.slice(6)));
        }
      });
      resolve(req);
    });
    req.on('error', reject);
  });
}

export async function run(opts: { clients?: number; posts?: number } = {}) {
  const clients = opts.clients ?? 1000;
  const posts = opts.posts ?? 5;
  const loadBefore = os.loadavg()[0];
  console.log(`   machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${loadBefore.toFixed(1)}`);
  console.log(`1. a new post reaching ${clients} connected SSE readers (SQLite, workers running)`);
  const built = await wirePrepared(loadConfig({ DATA_DIR: tempDir('porchlight-bench-'), LOG_LEVEL: 'silent', DEMO: 'false', PORT: '0' }), { logger: false });
  const k = built.ctx.db.kysely;
  const now = Date.now();
  // Readers' accounts and sessions written directly: a thousand password sign-ins would time Argon2, not the feed.
  const tokens: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i <= clients; i++) {
    const id = newId();
    ids.push(id);
    const token = randomToken('pls_');
    tokens.push(token);
    const lat = CENTRE.lat + ((i % 40) - 20) * 0.0004, lon = CENTRE.lon + (Math.floor(i / 40) - 12) * 0.0005;
    await k.insertInto('users').values({ id, email: `r${i}@bench.invalid`, password_hash: 'x', display_name: `R${i}`, role: 'resident', agency_id: null, home_lat: lat, home_lon: lon, totp_secret: null, totp_enabled: 0, totp_last_step: null, created_at: now }).execute();
    await k.insertInto('sessions').values({ id: newId(), token_hash: hashToken(token), user_id: id, created_at: now, last_seen_at: now, expires_at: now + 86_400_000, user_agent: null, ip: null, second_factor: 0 }).execute();
  }
  built.ctx.workers.start();
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (built.app.server.address() as AddressInfo).port;
  const arrivals = new Map<string, number[]>();
  const open: http.ClientRequest[] = [];
  for (let i = 1; i <= clients; i++) {
    open.push(await stream(port, tokens[i], (e) => {
      const key = e.payload.postId ?? e.payload.bench;
      if (key) arrivals.set(key, [...(arrivals.get(key) ?? []), performance.now()]);
    }));
  }
  const waitFor = async (key: string) => {
    for (let i = 0; i < 200 && (arrivals.get(key)?.length ?? 0) < clients; i++) await new Promise((r) => setTimeout(r, 25));
  };
  const live: number[] = [];
  const base: number[] = [];
  try {
    for (let p = 0; p < posts; p++) {
      // Baseline: one event straight into the hub for every reader.
      const bench = `b${p}`;
      const t0 = performance.now();
      for (const id of ids.slice(1)) built.services.outbox.hub.publish(id, { id: bench, kind: 'bench', payload: { bench }, createdAt: new Date().toISOString() });
      await waitFor(bench);
      base.push(...(arrivals.get(bench) ?? []).map((t) => t - t0));
      // The post, through the API.
      const t1 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/feed/posts`, {
        method: 'POST', headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Bench post ${p}`, body: 'Anyone else hear that?', category: 'community', location: CENTRE }),
      });
      if (res.status !== 201) throw new Error(`post answered ${res.status}: ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      await waitFor(id);
      const got = arrivals.get(id) ?? [];
      if (got.length < clients) console.log(`   post ${p}: only ${got.length} of ${clients} streams got it in 5 s`);
      live.push(...got.map((t) => t - t1));
    }
  } finally {
    for (const r of open) r.destroy();
    await built.app.close();
  }
  const l = stats(live), b = stats(base);
  console.log(`   post to every stream: p50 ${fmt(l.p50, 0)} ms, p99 ${fmt(l.p99, 0)} ms (goal ≤ 500), ${l.n} arrivals over ${posts} posts`);
  console.log(`   baseline hub publish to the same streams: p50 ${fmt(b.p50, 1)} ms, p99 ${fmt(b.p99, 1)} ms; ratio at p99 ${fmt(l.p99 / b.p99, 0)}×`);
  const result = { clients, posts, liveMs: l, hubBaselineMs: b, loadAverage: { before: loadBefore, after: os.loadavg()[0] } };
  console.log(`   results: ${writeResult('feed-live', result)}`);
  return result;
}

if (import.meta.main) await run({ clients: Number(process.env.CLIENTS ?? 1000), posts: Number(process.env.POSTS ?? 5) });
