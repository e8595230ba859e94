// Issue 5: community requests. Each figure is printed beside a baseline
// measured in the same run on the same data.
//   1. targeting a 0.5 sq mi polygon over 1,000,000 cameras, SQLite R*Tree (goal p99 ≤ 10 ms),
//      against a brute-force scan of the same table
//   2. the same on PostgreSQL/PostGIS (goal p99 ≤ 10 ms, issue 16), against a scan without the GiST index
//   3. approving a request that reaches 5,000 owners: inbox items and outbox rows committed (goal ≤ 1 s),
//      against bare inserts of the same number of rows
//   4. e-mail delivery through the outbox to a local SMTP server (goal ≥ 200 messages/s),
//      against nodemailer sending the same messages directly
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { sql } from 'kysely';
import type { Polygon } from 'geojson';
import { wirePrepared } from '../src/app/prepare.ts';
import type { BuiltApp } from '../src/app/wire.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/platform/db/db.ts';
import { newId } from '../src/platform/crypto.ts';
import { enqueueMany } from '../src/platform/outbox/outbox.ts';
import { smtpMailer } from '../src/platform/outbox/mail.ts';
import { areaM2, bboxOf, pointTester, SQ_MILE_M2 } from '../src/agencies/geo.ts';
import { postgisTargeting, targetCameras } from '../src/requests/targeting.ts';
import type { UserActor } from '../src/platform/access.ts';
import { fmt, percentile, writeResult } from './lib.ts';
import { freshTarget, postgresAvailable, tempDir } from '../test/helpers/db.ts';
import { startSmtp } from '../test/helpers/smtp.ts';
// mulberry32, shared with the demo, so both engines and every run see the same city and polygons.
import { prng } from '../src/demo/neighbourhood.ts';

const CITY = { lat: 45.5, lon: -122.7, sideM: 32_000 };
const M_LAT = 111_320;
const mLon = M_LAT * Math.cos((CITY.lat * Math.PI) / 180);


/** A square of 0.5 sq mi turned 30°, so its bounding box holds corners the exact test must drop. */
export function polygons(n: number, seed = 7): Polygon[] {
  const rnd = prng(seed);
  const half = Math.sqrt(0.5 * SQ_MILE_M2) / 2 * 0.999;
  const out: Polygon[] = [];
  for (let i = 0; i < n; i++) {
    const cn = (rnd() - 0.5) * (CITY.sideM - 4000), ce = (rnd() - 0.5) * (CITY.sideM - 4000);
    const a = Math.PI / 6;
    const ring = [[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]].map(([x, y]) => {
      const e = ce + half * (x * Math.cos(a) - y * Math.sin(a)), nn = cn + half * (x * Math.sin(a) + y * Math.cos(a));
      return [CITY.lon + e / mLon, CITY.lat + nn / M_LAT];
    });
    out.push({ type: 'Polygon', coordinates: [ring] });
  }
  return out;
}

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] };
};

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

/** 1,000,000 cameras of 250,000 owners, 10 % opted out, 5 % of owners blocking law enforcement. */
function loadSqliteCity(file: string, cameras: number) {
  const d = new DatabaseSync(file);
  d.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;');
  const rnd = prng(42);
  const owners = cameras / 4;
  d.exec('BEGIN');
  const user = d.prepare("insert into users (id, email, password_hash, display_name, role, totp_enabled, created_at) values (?, ?, 'x', 'Bench', 'resident', 0, 0)");
  const policy = d.prepare("insert into owner_request_policies (user_id, blocked_agency_types, blocked_mask, updated_at) values (?, '[\"law_enforcement\"]', 1, 0)");
  for (let i = 0; i < owners; i++) {
    user.run(`u${i}`, `u${i}@bench.invalid`);
    if (i % 20 === 0) policy.run(`u${i}`);
  }
  const cam = d.prepare("insert into cameras (id, owner_id, name, lat, lon, kind, community_requests, created_at) values (?, ?, 'Cam', ?, ?, 'doorbell', ?, 0)");
  for (let i = 0; i < cameras; i++) {
    cam.run(`c${i}`, `u${i % owners}`, CITY.lat + ((rnd() - 0.5) * CITY.sideM) / M_LAT, CITY.lon + ((rnd() - 0.5) * CITY.sideM) / mLon, i % 10 === 9 ? 0 : 1);
  }
  d.exec('COMMIT; ANALYZE;');
  d.close();
}

/**
 * The baseline: the same question answered by scanning the whole table. The
 * bounding-box test still runs inside the database (`+ 0` keeps either engine
 * from using an index on lat/lon), so the baseline is the scan, not row transfer.
 */
async function bruteForce(db: Db, area: Polygon, agencyType: string) {
  const b = bboxOf(area);
  const { rows } = await sql<{ id: string; owner_id: string; lat: number; lon: number }>`
    select c.id, c.owner_id, c.lat, c.lon from cameras c
    where c.lat + 0 between ${b.minLat} and ${b.maxLat} and c.lon + 0 between ${b.minLon} and ${b.maxLon}
      and c.community_requests = 1
      and not exists (select 1 from owner_request_policies o where o.user_id = c.owner_id and o.blocked_agency_types like ${`%"${agencyType}"%`})`.execute(db.kysely);
  const inside = pointTester(area);
  return rows.filter((c) => inside(Number(c.lat), Number(c.lon)));
}

export async function targeting(db: Db, queries: number, baselineQueries: number, seed = 7) {
  const polys = polygons(queries, seed);
  for (const p of polys.slice(0, 10)) await targetCameras(db, db.kysely, p, 'law_enforcement'); // warm the cache
  const ms: number[] = [];
  let found = 0;
  for (const p of polys) {
    const [t, rows] = await timed(() => targetCameras(db, db.kysely, p, 'law_enforcement'));
    ms.push(t);
    found += rows.length;
  }
  const base: number[] = [];
  for (const p of polys.slice(0, baselineQueries)) {
    const [t, rows] = await timed(() => bruteForce(db, p, 'law_enforcement'));
    base.push(t);
    const indexed = new Set((await targetCameras(db, db.kysely, p, 'law_enforcement')).map((c) => c.id));
    if (rows.length !== indexed.size || rows.some((r) => !indexed.has(r.id))) throw new Error('the index and the scan disagree');
  }
  return { polygonSqMi: areaM2(polys[0]) / SQ_MILE_M2, camerasPerQuery: found / polys.length, indexedMs: stats(ms), bruteForceMs: stats(base) };
}

export async function loadPostgresCity(db: Db, cameras: number) {
  const owners = cameras / 4;
  await sql`select setseed(0.42)`.execute(db.kysely);
  await sql`insert into users (id, email, password_hash, display_name, role, totp_enabled, created_at)
    select 'u' || g, 'u' || g || '@bench.invalid', 'x', 'Bench', 'resident', 0, 0 from generate_series(0, ${owners - 1}) g`.execute(db.kysely);
  await sql`insert into owner_request_policies (user_id, blocked_agency_types, blocked_mask, updated_at) select 'u' || g, '["law_enforcement"]', 1, 0 from generate_series(0, ${owners - 1}, 20) g`.execute(db.kysely);
  // Bulk load without the per-row trigger, then fill the PostGIS table in one statement.
  await sql`alter table cameras disable trigger cameras_geo_sync`.execute(db.kysely);
  await sql`insert into cameras (id, owner_id, name, lat, lon, kind, community_requests, created_at)
    select 'c' || g, 'u' || (g % ${owners}), 'Cam', ${CITY.lat} + (random() - 0.5) * ${CITY.sideM / M_LAT}, ${CITY.lon} + (random() - 0.5) * ${CITY.sideM / mLon},
      'doorbell', case when g % 10 = 9 then 0 else 1 end, 0 from generate_series(0, ${cameras - 1}) g`.execute(db.kysely);
  await sql`insert into camera_points (camera_id, owner_id, community_requests, blocked, geom)
    select c.id, c.owner_id, c.community_requests, coalesce(o.blocked_mask, 0), ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)
    from cameras c left join owner_request_policies o on o.user_id = c.owner_id`.execute(db.kysely);
  await sql`alter table cameras enable trigger cameras_geo_sync`.execute(db.kysely);
  await sql`analyze`.execute(db.kysely);
  // What an operator runs after a bulk import: sort camera_points in the order of
  // the GiST index that migration 0020 marked, so a query's candidates share pages.
  const [clusterMs] = await timed(() => sql`cluster camera_points`.execute(db.kysely));
  await sql`analyze camera_points`.execute(db.kysely);
  return clusterMs;
}

/**
 * The same polygons timed inside the server (EXPLAIN ANALYZE's execution time,
 * per-node timing off): the database's share of each query, without the round
 * trip, the row transfer and the client's parsing, which a loaded machine delays most.
 */
async function serverSide(db: Db, queries: number) {
  const ms: number[] = [];
  for (const p of polygons(queries)) {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, timing off) ${postgisTargeting(p, 'law_enforcement')}`.execute(db.kysely);
    ms.push(Number(/Execution Time: ([\d.]+) ms/.exec(rows.map((r) => r['QUERY PLAN']).join('\n'))?.[1]));
  }
  return stats(ms);
}

/** The plan of the exact SQL targeting runs, with the pages it touched (warm: after the timed queries). */
async function plan(db: Db, area: Polygon) {
  const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers) ${postgisTargeting(area, 'law_enforcement')}`.execute(db.kysely);
  return rows.map((r) => r['QUERY PLAN']);
}

const user = (userId: string, role: UserActor['role'], agencyId: string | null = null): UserActor =>
  ({ kind: 'user', userId, role, agencyId, totpEnabled: true, sessionId: 'bench', via: 'bearer' });

async function approval(built: BuiltApp, owners: number) {
  const { ctx, services } = built;
  const k = ctx.db.kysely;
  const now = ctx.clock.now();
  const reviewerId = newId();
  const officerId = newId();
  await k.insertInto('users').values([reviewerId, officerId].map((id, i) => ({ id, email: `${id}@bench.invalid`, password_hash: 'x', display_name: 'Staff', role: i ? 'agency' : 'reviewer', agency_id: null, home_lat: null, home_lon: null, totp_secret: null, totp_enabled: 1, totp_last_step: null, created_at: now }))).execute();
  const centre = { lat: 45.52, lon: -122.68 };
  const j = (m: number) => [[centre.lon - m / mLon, centre.lat - m / M_LAT], [centre.lon + m / mLon, centre.lat - m / M_LAT], [centre.lon + m / mLon, centre.lat + m / M_LAT], [centre.lon - m / mLon, centre.lat + m / M_LAT], [centre.lon - m / mLon, centre.lat - m / M_LAT]];
  const agency = await services.agencies.create(user(reviewerId, 'reviewer'), { name: 'Bench PD', type: 'law_enforcement', jurisdiction: { type: 'Polygon', coordinates: [j(5000)] } });
  await k.updateTable('users').set({ agency_id: agency.id }).where('id', '=', officerId).execute();
  // 5,000 owners, one camera each, spread over a 0.45 sq mi square.
  const half = Math.sqrt(0.45 * SQ_MILE_M2) / 2;
  const rnd = prng(3);
  await k.transaction().execute(async (tx) => {
    for (let i = 0; i < owners; i += 500) {
      const ids = Array.from({ length: Math.min(500, owners - i) }, () => newId());
      await tx.insertInto('users').values(ids.map((id) => ({ id, email: `${id}@bench.invalid`, password_hash: 'x', display_name: 'Owner', role: 'resident' as const, agency_id: null, home_lat: null, home_lon: null, totp_secret: null, totp_enabled: 0, totp_last_step: null, created_at: now }))).execute();
      await tx.insertInto('cameras').values(ids.map((id) => ({ id: newId(), owner_id: id, name: 'Cam', lat: centre.lat + ((rnd() * 2 - 1) * half) / M_LAT, lon: centre.lon + ((rnd() * 2 - 1) * half) / mLon, kind: 'doorbell' as const, created_at: now }))).execute();
    }
  });
  const r = await services.requests.create(user(officerId, 'agency', agency.id), agency.id, {
    caseNumber: 'B-1', incidentType: 'burglary', description: 'bench', investigatorContact: 'bench',
    area: { type: 'Polygon', coordinates: [j(half + 5)] }, window: { start: new Date(now - 3 * 3_600_000).toISOString(), end: new Date(now - 3_600_000).toISOString() },
  });
  const [ms] = await timed(() => services.requests.decide(user(reviewerId, 'reviewer'), r.id, { decision: 'approve' }));
  const recipients = Number((await k.selectFrom('request_recipients').select((eb) => eb.fn.countAll<number>().as('n')).where('request_id', '=', r.id).executeTakeFirstOrThrow()).n);
  const outbox = Number((await k.selectFrom('outbox_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  // Baseline: the same number of rows written as bare multi-row inserts in one transaction.
  await sql`create table bench_rows (a text, b text, c text, d bigint)`.execute(k);
  const [baseMs] = await timed(() => k.transaction().execute(async (tx) => {
    const rows = Array.from({ length: recipients + outbox }, () => ({ a: newId(), b: newId(), c: '{"requestId":"x","subject":"s","text":"a short text"}', d: now }));
    for (let i = 0; i < rows.length; i += 500) await sql`insert into bench_rows values ${sql.join(rows.slice(i, i + 500).map((x) => sql`(${x.a}, ${x.b}, ${x.c}, ${x.d})`))}`.execute(tx);
  }));
  return { owners, recipients, outboxRows: outbox, approveMs: ms, baselineBareInsertMs: baseMs };
}

async function email(messages: number) {
  const smtp = await startSmtp();
  const dataDir = tempDir('porchlight-bench-');
  const built = await wirePrepared(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO: 'false', SMTP_URL: smtp.url }), { logger: false });
  try {
    const k = built.ctx.db.kysely;
    const now = built.ctx.clock.now();
    const ids = Array.from({ length: messages }, () => newId());
    for (let i = 0; i < ids.length; i += 500) {
      await k.insertInto('users').values(ids.slice(i, i + 500).map((id) => ({ id, email: `${id}@bench.invalid`, password_hash: 'x', display_name: 'Owner', role: 'resident' as const, agency_id: null, home_lat: null, home_lon: null, totp_secret: null, totp_enabled: 0, totp_last_step: null, created_at: now }))).execute();
    }
    const text = 'Demo City Police asks for footage of a burglary between 21:00 and 23:00.\n\nOpen it: https://porchlight.example/requests/x\n';
    await k.transaction().execute((tx) => enqueueMany(tx, ids.map((userId) => ({ channel: 'email' as const, userId, kind: 'bench', payload: { subject: 'Footage request', text } })), now));
    const [ms] = await timed(async () => {
      while (smtp.received.length < messages) await built.services.outbox.worker.run();
    });
    // Baseline: nodemailer alone, same pool settings, same messages, no database.
    const direct = smtpMailer(smtp.url, 'Porchlight <no-reply@porchlight.invalid>');
    const before = smtp.received.length;
    const [baseMs] = await timed(() => Promise.all(ids.map((id, i) => direct.send({ to: `${id}@bench.invalid`, subject: 'Footage request', text, messageId: `<b${i}@bench.invalid>` }))));
    direct.close();
    if (smtp.received.length - before !== messages) throw new Error('the direct send lost messages');
    return { messages, outboxPerSecond: messages / (ms / 1000), directNodemailerPerSecond: messages / (baseMs / 1000) };
  } finally {
    await built.app.close();
    await smtp.close();
  }
}

export async function run(opts: { cameras?: number; queries?: number } = {}) {
  const cameras = opts.cameras ?? 1_000_000;
  const queries = opts.queries ?? 300;
  const loadBefore = os.loadavg()[0];
  console.log(`   machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${loadBefore.toFixed(1)} (other work on the machine skews every figure)`);
  const result: Record<string, unknown> = { cameras, queries };

  console.log(`1. targeting a 0.5 sq mi polygon (turned 30°) over ${fmt(cameras, 0)} cameras in a ${CITY.sideM / 1000} km square city, SQLite`);
  const dir = tempDir('porchlight-bench-');
  const file = path.join(dir, 'city.db');
  (await openDatabase({ kind: 'sqlite', file })).close();
  const [loadMs] = await timed(async () => loadSqliteCity(file, cameras));
  const lite = await openDatabase({ kind: 'sqlite', file });
  const s = await targeting(lite, queries, 20);
  // The same with a larger page cache and memory-mapped reads on the connection (not the driver's default).
  await sql`pragma cache_size = -65536`.execute(lite.kysely);
  await sql`pragma mmap_size = 268435456`.execute(lite.kysely);
  const sBig = await targeting(lite, queries, 0, 11);
  await lite.close();
  fs.rmSync(dir, { recursive: true, force: true }); // a million cameras take a few hundred MB
  console.log(`   loaded in ${fmt(loadMs / 1000)} s (triggers fill the R*Tree); ${fmt(s.camerasPerQuery, 0)} cameras per polygon`);
  console.log(`   R*Tree + exact test: p50 ${fmt(s.indexedMs.p50, 2)} ms, p99 ${fmt(s.indexedMs.p99, 2)} ms (goal ≤ 10), ${s.indexedMs.n} queries`);
  console.log(`   baseline brute-force scan: p50 ${fmt(s.bruteForceMs.p50, 0)} ms; ratio scan/index at p50 ${fmt(s.bruteForceMs.p50 / s.indexedMs.p50, 0)}×`);
  console.log(`   with a 64 MiB page cache and 256 MiB mmap on the connection: p50 ${fmt(sBig.indexedMs.p50, 2)} ms, p99 ${fmt(sBig.indexedMs.p99, 2)} ms (other polygons)`);
  result.sqlite = { loadSeconds: loadMs / 1000, ...s, withLargerCacheAndMmap: sBig.indexedMs };

  if (await postgresAvailable()) {
    console.log('2. the same on PostgreSQL/PostGIS');
    const fresh = await freshTarget('postgres');
    const pgdb = await openDatabase(fresh.target);
    // REQUESTS_KEEP_PG=1 keeps the 1,000,000-camera database for EXPLAIN by hand.
    const keep = process.env.REQUESTS_KEEP_PG === '1';
    try {
      const [pgLoad, clusterMs] = await timed(() => loadPostgresCity(pgdb, cameras));
      const p = await targeting(pgdb, queries, 20);
      const explained = await plan(pgdb, polygons(1)[0]);
      const inServer = await serverSide(pgdb, queries);
      console.log(`   loaded in ${fmt(pgLoad / 1000)} s, of which CLUSTER camera_points ${fmt(clusterMs / 1000)} s; ${fmt(p.camerasPerQuery, 0)} cameras per polygon`);
      console.log(`   PostGIS ST_Covers on GiST, table clustered on it: p50 ${fmt(p.indexedMs.p50, 2)} ms, p99 ${fmt(p.indexedMs.p99, 2)} ms (goal ≤ 10), ${p.indexedMs.n} queries`);
      console.log(`   inside the server (EXPLAIN ANALYZE execution time, same polygons): p50 ${fmt(inServer.p50, 2)} ms, p99 ${fmt(inServer.p99, 2)} ms`);
      console.log(`   plan: ${explained.filter((l) => /Heap Blocks|Execution Time/.test(l)).map((l) => l.trim()).join('; ')}`);
      console.log(`   baseline full scan: p50 ${fmt(p.bruteForceMs.p50, 0)} ms; ratio ${fmt(p.bruteForceMs.p50 / p.indexedMs.p50, 0)}×`);
      if (keep) console.log(`   kept: ${fresh.target.kind === 'postgres' ? new URL(fresh.target.url).pathname.slice(1) : ''}`);
      result.postgis = { loadSeconds: pgLoad / 1000, clusterSeconds: clusterMs / 1000, ...p, serverExecutionMs: inServer, plan: explained };
    } finally {
      await pgdb.close();
      if (!keep) await fresh.drop();
    }
  } else console.log('2. PostgreSQL is not reachable: skipped');

  console.log('3. approving a request that reaches 5,000 owners (targeting, inbox items, in-app + e-mail outbox rows, one transaction)');
  const approvals: Record<string, unknown> = {};
  for (const engine of ['sqlite', 'postgres'] as const) {
    if (engine === 'postgres' && !(await postgresAvailable())) continue;
    const fresh = await freshTarget(engine);
    const db = await openDatabase(fresh.target);
    const built = await wirePrepared(loadConfig({ DATA_DIR: tempDir('porchlight-bench-'), LOG_LEVEL: 'silent', DEMO: 'false' }), { db, logger: false });
    try {
      const a = await approval(built, 5000);
      console.log(`   ${engine}: ${fmt(a.approveMs, 0)} ms for ${fmt(a.recipients, 0)} inbox items + ${fmt(a.outboxRows, 0)} outbox rows (goal ≤ 1,000 ms); bare insert of as many rows ${fmt(a.baselineBareInsertMs, 0)} ms, ratio ${fmt(a.approveMs / a.baselineBareInsertMs, 1)}`);
      approvals[engine] = a;
    } finally {
      await built.app.close();
      await db.close();
      await fresh.drop();
    }
  }
  result.approval = approvals;

  console.log('4. e-mail through the outbox to a local SMTP server (smtp-server in this process)');
  const e = await email(3000);
  console.log(`   ${fmt(e.outboxPerSecond, 0)} messages/s (goal ≥ 200); nodemailer alone ${fmt(e.directNodemailerPerSecond, 0)}/s, ratio ${fmt(e.outboxPerSecond / e.directNodemailerPerSecond, 2)}`);
  result.email = e;

  const out = writeResult('requests', { loadAverage: { before: loadBefore, after: os.loadavg()[0] }, ...result });
  console.log(`   wrote ${out}`);
  return result;
}

if (import.meta.main) await run({ cameras: Number(process.env.CAMERAS ?? 1_000_000), queries: Number(process.env.QUERIES ?? 300) });
