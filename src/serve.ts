// `porchlight serve`: open the database, seed the demo on first start, run the
// background jobs and listen. SIGTERM/SIGINT close gracefully.
import fs from 'node:fs';
import type { Config } from './config.ts';
import { buildApp } from './app.ts';
import { seedDemoIfEmpty } from './demo/seed.ts';

export async function serve(config: Config): Promise<void> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const built = await buildApp(config);
  const { app, ctx } = built;
  const demo = config.DEMO ? await seedDemoIfEmpty(built) : null;
  ctx.workers.start();
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  const base = config.PUBLIC_URL || address;
  const lines = [
    '',
    `Porchlight is running at ${base}`,
    `API reference: ${base}/docs   OpenAPI: ${base}/openapi.json`,
    `Database: ${ctx.db.engine}${ctx.db.engine === 'sqlite' && config.database.kind === 'sqlite' ? ` (${config.database.file})` : ''}`,
  ];
  if (demo) lines.push('', ...demo.signInLines());
  process.stdout.write(lines.join('\n') + '\n\n');
  const stop = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    ctx.workers.stop();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
