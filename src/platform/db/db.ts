// Opens the database named by the config (SQLite by default, PostgreSQL for
// scale-out), runs migrations, and hands out one typed Kysely handle.
// Repositories take a `DbHandle`, which is either this handle or a transaction;
// services own the transactions.
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { NodeSqliteDialect } from './sqlite-driver.ts';
import { migrateToLatest } from './migrate.ts';
import type { DatabaseTarget, Db } from './types.ts';

export type { Db, DbHandle, Engine, Tx, DatabaseTarget } from './types.ts';

// PostgreSQL returns int8 as strings by default. Every bigint we store is an
// epoch-millisecond time, a size or an index, all well under 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export async function openDatabase(target: DatabaseTarget, opts: { migrate?: boolean } = {}): Promise<Db> {
  let kysely: Kysely<Database>;
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') fs.mkdirSync(path.dirname(target.file), { recursive: true });
    kysely = new Kysely<Database>({ dialect: new NodeSqliteDialect(target.file) });
  } else {
    // Planner settings for short OLTP queries, on every connection. PostGIS
    // declares its functions at cost 10,000, so request targeting (a few ms of
    // work) is planned as if it were costly: ST_Intersects got a parallel worker,
    // whose start took the query to 65-90 ms on a busy 2-core machine, and JIT,
    // once over its threshold, compiled for 4-50 ms (docs/scale-out.md, "Targeting").
    const pool = new pg.Pool({ connectionString: target.url, max: 10, options: '-c jit=off -c max_parallel_workers_per_gather=0' });
    // An idle client error (the server restarting) must not crash the process.
    pool.on('error', () => {});
    kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const db: Db = { engine: target.kind, target, kysely, close: () => kysely.destroy() };
  if (opts.migrate !== false) await migrateToLatest(db);
  return db;
}

/** True when the database answers a trivial query (for /readyz). */
export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db.kysely);
    return true;
  } catch {
    return false;
  }
}
