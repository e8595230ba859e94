// `porchlight serve`: wire the app, start it (lock DATA_DIR, migrate, sweep,
// seed the demo on first start, workers, listen) and print where it runs.
// SIGTERM/SIGINT close gracefully and release the lock.
import type { Config } from '../config.ts';
import { wire, type BuiltApp } from '../app/wire.ts';
import { start } from '../app/start.ts';
import { DataDirLocked } from '../app/lock.ts';
import { seedDemoIfEmpty, type SeededDemo } from '../demo/seed.ts';
import { serveBanner, terminalQr } from './banner.ts';
import { initHelp, initOption, openDataDir } from './data-dir.ts';
import { configFrom, parse, printUsage, settingOptions, settingsHelp, type Command } from './command.ts';

export const serveCommand: Command = {
  usage: `porchlight serve [--init] [settings]\n\n${initHelp}\n\nSettings:\n${settingsHelp}`,
  async run(argv) {
    const { values } = parse(argv, { ...settingOptions, ...initOption });
    if (values.help) return printUsage(serveCommand);
    try {
      const config = configFrom(values);
      await openDataDir(config, { init: Boolean(values.init) });
      await serve(config);
    } catch (err) {
      if (!(err instanceof DataDirLocked)) throw err;
      // One line that names the directory and the holder (issue 17, defect 1).
      console.error(err.message);
      return 1;
    }
    return -1; // keeps running
  },
};

export async function serve(config: Config): Promise<void> {
  const built = await wire(config);
  const { app } = built;
  let demo: SeededDemo | null = null;
  const started = await start(built, { beforeListen: async () => void (demo = config.DEMO ? await quietly(built.app.log, () => seedAndDeliver(built)) : null) });
  const seeded = demo as SeededDemo | null;
  // The QR only where a person reads it; a log file gets the otpauth URI alone.
  const qr = seeded && process.stdout.isTTY ? await terminalQr(seeded.agencyTotp.otpauthUri) : null;
  process.stdout.write(serveBanner({ base: config.PUBLIC_URL || started.address, metricsAddress: started.metricsAddress, demo: seeded, qr }));
  const stop = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await started.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/**
 * Seeds an empty database, then runs every worker twice so that what seeding
 * queued (a few hundred dev-mode e-mails, the notices that follow the log's
 * integration) is delivered now, quietly, rather than logged around the banner.
 */
async function seedAndDeliver(built: BuiltApp): Promise<SeededDemo | null> {
  const { fresh, demo } = await seedDemoIfEmpty(built);
  if (fresh) {
    try {
      await built.ctx.workers.runAll();
      await built.ctx.workers.runAll();
    } catch (err) {
      // The timers retry whatever failed once the server runs.
      built.app.log.warn({ err }, 'delivering what the demo queued failed; the workers will retry');
    }
  }
  return demo;
}

/** Seeding makes a few hundred records; at info each would log a line above the banner. */
async function quietly<T>(log: { level: string }, work: () => Promise<T>): Promise<T> {
  const level = log.level;
  if (level === 'info' || level === 'debug' || level === 'trace') log.level = 'warn';
  try {
    return await work();
  } finally {
    log.level = level;
  }
}
