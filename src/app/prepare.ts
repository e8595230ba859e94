// What any process needs before it uses a wired app's database: the schema at
// the latest migration and the log's first checkpoint. Both are safe beside a
// live server (migrations are recorded and run once; the first checkpoint is
// signed only into an empty log). No sweep: that is start.ts, behind the lock.
import { migrateToLatest } from '../platform/db/migrate.ts';
import type { Config } from '../config.ts';
import { wire, type BuiltApp, type WireOptions } from './wire.ts';

export async function prepare(built: BuiltApp): Promise<void> {
  await migrateToLatest(built.ctx.db);
  await built.services.ledger.init();
  await built.app.ready();
}

/** wire + prepare: what CLI commands, scripts and benchmarks use. Never sweeps, never locks. */
export async function wirePrepared(config: Config, opts: WireOptions = {}): Promise<BuiltApp> {
  const built = await wire(config, opts);
  try {
    await prepare(built);
  } catch (err) {
    await built.app.close();
    throw err;
  }
  return built;
}
