// Issue 12: the neighbourhood feed. Each figure is printed beside a baseline
// measured in the same run on the same data.
//   1. the feed page (the newest 50 posts within 10 miles of a home) over
//      1,000,000 posts, SQLite (goal p99 ≤ 10 ms), against a brute-force scan
//      that reads every post and sorts the ones in the circle
//   2. the same on PostgreSQL (goal p99 ≤ 10 ms), against the same scan
// Posts lie uniformly over a 64 km square city and a year of time, so a
// 10-mile circle holds about a fifth of them (~190,000): the page query must
// not read them all to find the newest 50.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/platform/db/db.ts';
import { CELL_DEG, CATEGORIES, cellOf, cellsCovering, circleOf, type Category } from '../src/feed/policy.ts';
import { pageIds, pageIdsByScan } from '../src/feed/repository.ts';
import { fmt, percentile, writeResult } from './lib.ts';
import { freshTarget, postgresAvailable, tempDir } from '../test/helpers/db.ts';
import { prng } from '../src/demo/neighbourhood.ts';

const CITY = { lat: 45.5, lon: -122.7, sideM: 64_000 };
const M_LAT = 111_320;
const mLon = M_LAT * Math.cos((CITY.lat * Math.PI) / 180);
const MILE = 1609.344;
const YEAR = 365 * 24 * 3_600_000;
const NOW = Date.UTC(2026, 11, 1);

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] };
};

/** Homes to read from: anywhere a 10-mile circle still fits mostly inside the city. */
function centres(n: number, seed: number) {
  const rnd = prng(seed);
  return Array.from({ length: n }, () => ({ lat: CITY.lat + ((rnd() - 0.5) * (CITY.sideM - 20_000)) / M_LAT, lon: CITY.lon + ((rnd() - 0.5) * (CITY.sideM - 20_000)) / mLon }));
}

function loadSqlite(file: string, posts: number) {
  const d = new DatabaseSync(file);
  d.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;');
  d.exec("insert into users (id, email, password_hash, display_name, role, totp_enabled, created_at) values ('u', 'u@bench.invalid', 'x', 'Bench', 'resident', 0, 0)");
  // The page index is built once after the load (as a bulk load would), with the migration's own definition.
  const index = (d.prepare("select sql from sqlite_master where name = 'feed_posts_page'").get() as { sql: string }).sql;
  d.exec('drop index feed_posts_page; BEGIN');
  const ins = d.prepare("insert into feed_posts (id, author_id, category, title, body, exact_lat, exact_lon, lat, lon, cell, created_at) values (?, 'u', ?, 'Bench post', 'Text', ?, ?, ?, ?, ?, ?)");
  const rnd = prng(42);
  for (let i = 0; i < posts; i++) {
    const lat = CITY.lat + ((rnd() - 0.5) * CITY.sideM) / M_LAT, lon = CITY.lon + ((rnd() - 0.5) * CITY.sideM) / mLon;
    ins.run(`p${i}`, CATEGORIES[i % CATEGORIES.length], lat, lon, lat, lon, cellOf({ lat, lon }), NOW - Math.floor(rnd() * YEAR));
  }
  d.exec(`COMMIT; ${index}; ANALYZE;`);
  d.close();
}

async function loadPostgres(db: Db, posts: number) {
  await sql`insert into users (id, email, password_hash, display_name, role, totp_enabled, created_at) values ('u', 'u@bench.invalid', 'x', 'Bench', 'resident', 0, 0)`.execute(db.kysely);
  await sql`drop index feed_posts_page`.execute(db.kysely);
  await sql`select setseed(0.42)`.execute(db.kysely);
  const cats = sql.raw(`array[${CATEGORIES.map((c) => `'${c}'`).join(',')}]`);
  await sql`insert into feed_posts (id, author_id, category, title, body, exact_lat, exact_lon, lat, lon, cell, created_at)
    select 'p' || g, 'u', (${cats})[1 + g % ${CATEGORIES.length}], 'Bench post', 'Text', lat, lon, lat, lon,
      floor((lat + 90) / ${CELL_DEG})::bigint * ${Math.round(360 / CELL_DEG)} + floor((lon + 180) / ${CELL_DEG})::bigint, ${NOW} - floor(random() * ${YEAR})::bigint
    from (select g, ${CITY.lat} + (random() - 0.5) * ${CITY.sideM / M_LAT} as lat, ${CITY.lon} + (random() - 0.5) * ${CITY.sideM / mLon} as lon from generate_series(0, ${posts - 1}) g) s`.execute(db.kysely);
  await sql`create index feed_posts_page on feed_posts (cell, created_at, id, lat, lon, category, deleted_at)`.execute(db.kysely);
  await sql`analyze feed_posts`.execute(db.kysely);
}

async function page(db: Db, queries: number, scans: number, categories: Category[], seed: number) {
  const indexed: number[] = [];
  const scanned: number[] = [];
  let cells = 0;
  for (const [i, c] of centres(queries, seed).entries()) {
    const circle = circleOf(c, 10 * MILE);
    const cover = cellsCovering(circle);
    cells += cover.length;
    const t0 = performance.now();
    const got = await pageIds(db.kysely, { circle, cells: cover, categories, before: null, limit: 51 });
    indexed.push(performance.now() - t0);
    if (i < scans) {
      const t1 = performance.now();
      const want = await pageIdsByScan(db.kysely, { circle, categories, before: null, limit: 51 });
      scanned.push(performance.now() - t1);
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error('the page query and the scan disagree');
    }
  }
  return { cellsPerQuery: cells / queries, indexedMs: stats(indexed), bruteForceMs: stats(scanned) };
}

function report(label: string, r: Awaited<ReturnType<typeof page>>) {
  console.log(`   ${label}: p50 ${fmt(r.indexedMs.p50, 2)} ms, p99 ${fmt(r.indexedMs.p99, 2)} ms (goal ≤ 10), ${r.indexedMs.n} queries, ${fmt(r.cellsPerQuery, 0)} cells each`);
  console.log(`   baseline brute-force scan: p50 ${fmt(r.bruteForceMs.p50, 0)} ms; ratio scan/index at p50 ${fmt(r.bruteForceMs.p50 / r.indexedMs.p50, 0)}×, at p99 ${fmt(r.bruteForceMs.p99 / r.indexedMs.p99, 0)}×`);
}

export async function run(opts: { posts?: number; queries?: number } = {}) {
  const posts = opts.posts ?? 1_000_000;
  const queries = opts.queries ?? 300;
  const loadBefore = os.loadavg()[0];
  console.log(`   machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${loadBefore.toFixed(1)} (other work on the machine skews every figure)`);
  const result: Record<string, unknown> = { posts, queries, citySideKm: CITY.sideM / 1000, radiusMi: 10, pageSize: 50 };

  console.log(`1. the feed page (newest 50 within 10 mi) over ${fmt(posts, 0)} posts in a ${CITY.sideM / 1000} km square city over a year, SQLite`);
  const dir = tempDir('porchlight-bench-');
  const file = path.join(dir, 'feed.db');
  (await openDatabase({ kind: 'sqlite', file })).close();
  const t0 = performance.now();
  loadSqlite(file, posts);
  const loadMs = performance.now() - t0;
  const lite = await openDatabase({ kind: 'sqlite', file });
  const s = await page(lite, queries, 10, [], 7);
  const sCat = await page(lite, queries, 5, ['lost_found_pet'], 8);
  await lite.close();
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`   loaded in ${fmt(loadMs / 1000)} s`);
  report('all categories', s);
  report('one category (a sixth of the posts)', sCat);
  result.sqlite = { loadSeconds: loadMs / 1000, all: s, oneCategory: sCat };

  if (await postgresAvailable()) {
    console.log('2. the same on PostgreSQL (the same SQL)');
    const fresh = await freshTarget('postgres');
    const pgdb = await openDatabase(fresh.target);
    try {
      const t1 = performance.now();
      await loadPostgres(pgdb, posts);
      const pgLoad = performance.now() - t1;
      const p = await page(pgdb, queries, 10, [], 7);
      const pCat = await page(pgdb, queries, 5, ['lost_found_pet'], 8);
      console.log(`   loaded in ${fmt(pgLoad / 1000)} s`);
      report('all categories', p);
      report('one category', pCat);
      result.postgres = { loadSeconds: pgLoad / 1000, all: p, oneCategory: pCat };
    } finally {
      await pgdb.close();
      await fresh.drop();
    }
  } else console.log('2. PostgreSQL is not reachable: skipped');

  result.loadAverage = { before: loadBefore, after: os.loadavg()[0] };
  console.log(`   results: ${writeResult('feed', result)}`);
  return result;
}

if (import.meta.main) await run({ posts: Number(process.env.POSTS ?? 1_000_000), queries: Number(process.env.QUERIES ?? 300) });
