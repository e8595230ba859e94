// `porchlight serve`: wire the app, start it (lock DATA_DIR, migrate, sweep,
// seed the demo on first start, workers, listen) and print where it runs.
// SIGTERM/SIGINT close gracefully and release the lock.
import type { Config } from '../config.ts';
import { wire } from '../app/wire.ts';
import { start } from '../app/start.ts';
import { DataDirLocked } from '../app/lock.ts';
import { seedDemoIfEmpty, type SeededDemo } from '../demo/seed.ts';
import { configFrom, parse, printUsage, settingOptions, settingsHelp, type Command } from './command.ts';

export const serveCommand: Command = {
  usage: `porchlight serve [settings]\n\nSettings:\n${settingsHelp}`,
  async run(argv) {
    const { values } = parse(argv, settingOptions);
    if (values.help) return printUsage(serveCommand);
    try {
      await serve(configFrom(values));
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
  const { app, ctx } = built;
  let demo: SeededDemo | null = null;
  const started = await start(built, { beforeListen: async () => void (demo = config.DEMO ? await seedDemoIfEmpty(built) : null) });
  const base = config.PUBLIC_URL || started.address;
  const lines = [
    '',
    `Porchlight is running at ${base}`,
    `API reference: ${base}/docs   OpenAPI: ${base}/openapi.json`,
    ...(started.metricsAddress ? [`Metrics: ${started.metricsAddress}/metrics`] : []),
    `Database: ${ctx.db.engine}${ctx.db.engine === 'sqlite' && config.database.kind === 'sqlite' ? ` (${config.database.file})` : ''}`,
  ];
  if (demo) lines.push('', ...(demo as SeededDemo).signInLines());
  process.stdout.write(lines.join('\n') + '\n\n');
  const stop = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await started.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
