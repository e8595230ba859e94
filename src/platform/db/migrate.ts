// Migrations run at start on both engines. Each migration is a function of the
// engine, because a few column types differ (bytea vs blob).
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db, Engine } from './types.ts';
import { migrations } from './migrations/index.ts';

class StaticProvider implements MigrationProvider {
  readonly #engine: Engine;
  constructor(engine: Engine) {
    this.#engine = engine;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(migrations)) out[name] = { up: (db) => m.up(db, this.#engine) };
    return out;
  }
}

export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db: db.kysely, provider: new StaticProvider(db.engine) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs the migrations up to and including `name` (tests of a migration over older data). */
export async function migrateTo(db: Db, name: string): Promise<void> {
  const migrator = new Migrator({ db: db.kysely, provider: new StaticProvider(db.engine) });
  const { error } = await migrator.migrateTo(name);
  if (error) throw new Error(`migration to ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
}
