// A Kysely dialect over Node's built-in `node:sqlite`. Kysely's own SqliteDialect
// targets better-sqlite3, whose statement API differs (positional arguments are
// spread here, and there is no `reader` flag), so this driver adapts it.
//
// One connection, guarded by a mutex: SQLite has one writer, and holding the
// connection for the whole of a transaction keeps other queries out of it.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

type SqlValue = null | number | bigint | string | Uint8Array;

class Mutex {
  #tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.#tail;
    this.#tail = prev.then(() => next);
    await prev;
    return release;
  }
}

// Preparing a statement costs more than running a small one, and an app runs
// the same few hundred SQL texts over and over: keep them prepared.
const STATEMENT_CACHE_SIZE = 512;

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, { stmt: StatementSync; reader: boolean }>();
  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(sql: string) {
    let entry = this.#statements.get(sql);
    if (!entry) {
      const stmt = this.#db.prepare(sql);
      entry = { stmt, reader: stmt.columns().length > 0 };
      // Transaction control and DDL are not worth keeping.
      if (!/^\s*(begin|commit|rollback|create|alter|drop|pragma)/i.test(sql)) {
        if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value!);
        this.#statements.set(sql, entry);
      }
    }
    return entry;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { stmt, reader } = this.#prepare(query.sql);
    const params = query.parameters.map(toSqlValue);
    // Statements that return columns (SELECT, or anything with RETURNING) are read with all().
    if (reader) {
      // node:sqlite rows have a null prototype; plain objects behave like pg's rows.
      return { rows: stmt.all(...params).map((r) => ({ ...r })) as R[] };
    }
    const res = stmt.run(...params);
    return { rows: [], numAffectedRows: BigInt(res.changes), insertId: BigInt(res.lastInsertRowid) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on node:sqlite');
  }
}

function toSqlValue(v: unknown): SqlValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || v instanceof Uint8Array) return v;
  return JSON.stringify(v);
}

class NodeSqliteDriver implements Driver {
  readonly #file: string;
  readonly #mutex = new Mutex();
  #db?: DatabaseSync;
  #conn?: NodeSqliteConnection;
  #release?: () => void;

  constructor(file: string) {
    this.#file = file;
  }

  async init(): Promise<void> {
    this.#db = new DatabaseSync(this.#file, { enableForeignKeyConstraints: true });
    // WAL lets readers in other processes (CLI, verifier) proceed while we write;
    // the busy timeout makes a second process wait rather than fail at once.
    // synchronous=NORMAL in WAL mode: a commit survives the process being killed
    // (kill -9) because it is in the WAL file; only an OS crash or power loss can
    // lose the last commits, never corrupt the database (sqlite.org/pragma.html#pragma_synchronous).
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
    this.#conn = new NodeSqliteConnection(this.#db);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.#mutex.lock();
    return this.#conn!;
  }

  async beginTransaction(conn: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    // IMMEDIATE takes the write lock up front, so a transaction never fails half way on SQLITE_BUSY.
    await conn.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    this.#db?.close();
  }
}

export class NodeSqliteDialect implements Dialect {
  readonly #file: string;
  constructor(file: string) {
    this.#file = file;
  }
  createDriver(): Driver {
    return new NodeSqliteDriver(this.#file);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}
