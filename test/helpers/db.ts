// Runs a suite once per engine (Kysely test-suite style). SQLite gets a temp
// file; PostgreSQL gets a fresh database on the local server for each suite.
// Without a reachable PostgreSQL the PostgreSQL half is skipped with a visible
// line, except under CI=true, where that is a failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { openDatabase, type Db, type DatabaseTarget, type Engine } from '../../src/platform/db/db.ts';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const ENGINES: Engine[] = ['sqlite', 'postgres'];

let pgUp: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  pgUp ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 15_000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch {
      return false;
    }
  })();
  return pgUp;
}

export function tempDir(prefix = 'porchlight-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A fresh, empty database target of the given engine, and a function that drops it. */
export async function freshTarget(engine: Engine): Promise<{ target: DatabaseTarget; drop(): Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = tempDir();
    return { target: { kind: 'sqlite', file: path.join(dir, 'test.db') }, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `porchlight_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', url: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

// Probed once per test file, before any suite is declared: suites must be
// declared synchronously, or node:test attaches their tests to whichever suite
// happens to be running when an await returns.
const PG_UP = await postgresAvailable();

/**
 * Declares `describe(`${name} [engine]`)` for each engine. The callback gets a
 * getter for the suite's migrated database, opened in `before` and dropped in `after`.
 */
export function forEachEngine(name: string, fn: (getDb: () => Db, engine: Engine) => void): void {
  for (const engine of ENGINES) {
    if (engine === 'postgres' && !PG_UP) {
      if (process.env.CI === 'true') {
        test(`${name} [postgres]`, () => {
          throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL}, and CI=true requires it`);
        });
      } else {
        console.log(`# SKIPPED PostgreSQL half of "${name}": no server at ${PG_ADMIN_URL}`);
        describe(`${name} [postgres]`, { skip: `no PostgreSQL at ${PG_ADMIN_URL}` }, () => {});
      }
      continue;
    }
    describe(`${name} [${engine}]`, () => {
      let db: Db | undefined;
      let drop: (() => Promise<void>) | undefined;
      before(async () => {
        const fresh = await freshTarget(engine);
        drop = fresh.drop;
        db = await openDatabase(fresh.target);
      });
      after(async () => {
        await db?.close();
        await drop?.();
      });
      fn(() => {
        if (!db) throw new Error('database not open yet');
        return db;
      }, engine);
    });
  }
}
