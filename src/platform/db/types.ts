// The database handle's types, apart from db.ts (which opens and migrates) so
// that the migrator and the migrations can name them without importing db.ts.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type Engine = 'sqlite' | 'postgres';
export type DbHandle = Kysely<Database>;
export type Tx = Transaction<Database>;

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Db {
  readonly engine: Engine;
  /** Where it is: a PostgreSQL node opens its own LISTEN connection to the same URL (outbox/fanout.ts). */
  readonly target: DatabaseTarget;
  readonly kysely: Kysely<Database>;
  close(): Promise<void>;
}
