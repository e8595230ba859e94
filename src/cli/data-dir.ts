// Which DATA_DIR and database a command uses, said on one line of stderr (so
// JSON on stdout stays clean), and the refusal to make a fresh one unless the
// operator asks with --init: a command run in the wrong directory, or without
// DATA_DIR, must not silently start an empty instance in ./data (issue 19,
// "The data directory"). Every command that opens the instance's data calls
// openDataDir before anything is created.
import fs from 'node:fs';
import { sql } from 'kysely';
import { requireNodeKeys, type Config } from '../config.ts';
import { openDatabase } from '../platform/db/db.ts';

/** A fresh DATA_DIR or database without --init: the command stops with this one line, exit code 2. */
export class FreshDataDirRefused extends Error {}

export const initOption = { init: { type: 'boolean' as const } };
export const initHelp = '  --init    create DATA_DIR and the database if they do not exist yet (without it, a command refuses to start a fresh instance)';

/** The database as an operator reads it; a PostgreSQL URL without its password. */
export function describeDatabase(config: Config): string {
  if (config.database.kind === 'sqlite') return `sqlite ${config.database.file}`;
  try {
    const u = new URL(config.database.url);
    if (u.password) u.password = '***';
    return `postgres ${u.toString()}`;
  } catch {
    return 'postgres (DATABASE_URL)';
  }
}

/** Whether the database holds Porchlight's schema: the SQLite file exists, or PostgreSQL has the migrations table. */
async function databaseExists(config: Config): Promise<boolean> {
  if (config.database.kind === 'sqlite') return fs.existsSync(config.database.file);
  const db = await openDatabase(config.database, { migrate: false });
  try {
    const r = await sql<{ t: string | null }>`select to_regclass('kysely_migration')::text as t`.execute(db.kysely);
    return r.rows[0]?.t != null;
  } finally {
    await db.close();
  }
}

/**
 * Prints "DATA_DIR … · database …" to stderr, then throws FreshDataDirRefused
 * when the directory or the database does not exist yet and `init` is false.
 * Creates nothing itself: the command's own start-up does, once allowed.
 */
export async function openDataDir(config: Config, opts: { init: boolean; print?: (line: string) => void }): Promise<{ fresh: boolean }> {
  // A missing node key is a bad setting, said before anything else.
  requireNodeKeys(config);
  const print = opts.print ?? ((line: string) => process.stderr.write(line + '\n'));
  const dirExists = fs.existsSync(config.dataDir);
  const dbExists = await databaseExists(config);
  const fresh = !dirExists || !dbExists;
  print(`porchlight: DATA_DIR ${config.dataDir} · database ${describeDatabase(config)}${fresh && opts.init ? ' (new)' : ''}`);
  if (fresh && !opts.init) {
    const what = !dirExists ? `DATA_DIR ${config.dataDir} does not exist` : `there is no database (${describeDatabase(config)})`;
    throw new FreshDataDirRefused(`porchlight: ${what}; run again with --init to create it, or point DATA_DIR/DATABASE_URL at an existing instance`);
  }
  return { fresh };
}
