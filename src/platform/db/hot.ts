// Precompiled queries for the few statements every request runs (session and
// user lookups). Building and compiling a Kysely query costs more than
// executing a small prepared statement, so the SQL is compiled once per
// dialect and only the parameters change.
import type { CompiledQuery, Compilable } from 'kysely';
import type { DbHandle } from './db.ts';

const compiled = new Map<unknown, Map<string, CompiledQuery>>();

/**
 * Runs `build(db)` compiled once per dialect. `build` must bind exactly the
 * values in `params`, in order, as its only parameters.
 */
export async function hotQuery<R>(db: DbHandle, name: string, build: (db: DbHandle) => Compilable<R>, params: readonly unknown[]): Promise<R[]> {
  const dialect = db.getExecutor().adapter.constructor;
  let byName = compiled.get(dialect);
  if (!byName) compiled.set(dialect, (byName = new Map()));
  let q = byName.get(name);
  if (!q) {
    q = build(db).compile();
    if (q.parameters.length !== params.length) throw new Error(`hot query ${name} binds ${q.parameters.length} values, given ${params.length}`);
    byName.set(name, q);
  }
  const res = await db.executeQuery<R>({ ...q, parameters: params } as CompiledQuery<R>);
  return res.rows;
}
