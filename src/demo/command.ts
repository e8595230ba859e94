// `porchlight demo [--reset] [--codes]`: (re)seed the demo neighbourhood.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { buildApp } from '../app.ts';
import { totpCode } from '../accounts/totp.ts';
import { DEMO_STAFF, demoSignIns, seedDemo } from './seed.ts';

export async function runDemoCommand(config: Config, opts: { reset: boolean; codes?: boolean }): Promise<number> {
  if (opts.codes) {
    for (const s of DEMO_STAFF) console.log(`${s.email.padEnd(36)} ${totpCode(s.totp, Date.now())}`);
    return 0;
  }
  if (opts.reset) {
    if (config.database.kind !== 'sqlite') {
      console.error('demo --reset wipes only the embedded SQLite database; drop the PostgreSQL database yourself');
      return 2;
    }
    // Only the files Porchlight made: the database and its WAL, clips, keys stay for the log.
    for (const f of ['', '-wal', '-shm']) fs.rmSync(config.database.file + f, { force: true });
    for (const d of ['blobs', 'tmp', 'disclosures', 'legal']) fs.rmSync(path.join(config.dataDir, d), { recursive: true, force: true });
  }
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const built = await buildApp({ ...config, LOG_LEVEL: 'warn' });
  try {
    const any = await built.ctx.db.kysely.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (any) {
      console.error('the database is not empty; use --reset to wipe and re-seed it');
      return 1;
    }
    await seedDemo(built);
    console.log(demoSignIns(() => Date.now()).signInLines().join('\n'));
    return 0;
  } finally {
    await built.app.close();
  }
}
