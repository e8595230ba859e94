// What a migration is written against: its shape and the column types that
// differ between the engines. Migrations import this, never the migrator
// (migrate.ts imports them), so the two do not form a cycle.
import type { Kysely } from 'kysely';
import type { Engine } from '../types.ts';

export interface EngineMigration {
  up(db: Kysely<any>, engine: Engine): Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Column types that differ between the engines. */
export const types = (engine: Engine) => ({
  bytes: engine === 'postgres' ? 'bytea' : 'blob',
}) as const;
