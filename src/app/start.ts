// start(built): what only a serving process does, in this order: lock DATA_DIR
// (before anything touches it), migrate, sweep what interrupted writes left
// behind, start the background workers, listen. CLI commands never call it.
import { migrateToLatest } from '../platform/db/migrate.ts';
import type { BuiltApp } from './wire.ts';
import { lockDataDir } from './lock.ts';
import { metricsApp } from './http.ts';

/**
 * Temp files and orphan blobs of clips, disclosure copies, legal documents and
 * exports; account deletions a crash interrupted.
 * Only safe when no other process writes to DATA_DIR, hence after the lock.
 */
export async function sweep(built: BuiltApp): Promise<void> {
  const { clips, disclosure, legal, exports, deletion } = built.services;
  await clips.startupSweep();
  await disclosure.copies.startupSweep(built.ctx.db.kysely);
  await legal.startupSweep();
  await exports.startupSweep();
  // An account deletion a crash interrupted finishes before anything else is served.
  await deletion.resume();
}

export interface Started {
  address: string;
  /** Where /metrics answers, or null with METRICS_PORT=off. */
  metricsAddress: string | null;
  /** Stops the workers, closes the app and releases the lock. */
  stop(): Promise<void>;
}

export async function start(built: BuiltApp, opts: { beforeListen?: () => Promise<void> } = {}): Promise<Started> {
  const { app, ctx } = built;
  const { config } = ctx;
  let unlock: () => Promise<void>;
  try {
    unlock = await lockDataDir(config.dataDir, (err) => {
      // Another process may now write here: stop at once rather than race it.
      app.log.fatal({ err }, 'lost the DATA_DIR lock');
      process.exit(1);
    });
  } catch (err) {
    await app.close();
    throw err;
  }
  try {
    await migrateToLatest(ctx.db);
    await built.services.ledger.init();
    await sweep(built);
    await opts.beforeListen?.();
    ctx.workers.start();
    const address = await app.listen({ port: config.PORT, host: config.HOST });
    const metrics = config.METRICS_PORT === null ? null : metricsApp(built.metrics);
    const metricsAddress = metrics ? await metrics.listen({ port: config.METRICS_PORT!, host: config.METRICS_HOST }) : null;
    return {
      address,
      metricsAddress,
      stop: async () => {
        ctx.workers.stop();
        await metrics?.close();
        await app.close();
        await unlock();
      },
    };
  } catch (err) {
    ctx.workers.stop();
    await app.close();
    await unlock();
    throw err;
  }
}
