// `porchlight demo [--reset] [--codes]`: (re)seed the demo neighbourhood.
// Wires and migrates but never starts the app (no sweep, no lock).
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { wirePrepared } from '../app/prepare.ts';
import { totpCode } from '../accounts/totp.ts';
import { DEMO_STAFF, demoSignIns, seedDemo } from '../demo/seed.ts';
import { demoLines, terminalQr } from './banner.ts';
import { initHelp, initOption, openDataDir } from './data-dir.ts';
import { configFrom, parse, printUsage, settingOptions, settingsHelp, type Command } from './command.ts';

export const demoCommand: Command = {
  usage: `porchlight demo [--init] [--reset] [--codes] [settings]\n\n  --reset   wipe the embedded database and re-seed\n  --codes   print current TOTP codes of the demo staff\n${initHelp}\n\nSettings:\n${settingsHelp}`,
  async run(argv) {
    const { values } = parse(argv, { ...settingOptions, ...initOption, reset: { type: 'boolean' }, codes: { type: 'boolean' } });
    if (values.help) return printUsage(demoCommand);
    return runDemoCommand(configFrom(values), { reset: Boolean(values.reset), codes: Boolean(values.codes), init: Boolean(values.init) });
  },
};

export async function runDemoCommand(config: Config, opts: { reset: boolean; codes?: boolean; init?: boolean }): Promise<number> {
  if (opts.codes) {
    for (const s of DEMO_STAFF) console.log(`${s.email.padEnd(36)} ${totpCode(s.totp, Date.now())}`);
    return 0;
  }
  // Before --reset: wiping an instance is no way to make one where there was none.
  await openDataDir(config, { init: Boolean(opts.init) });
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
  const built = await wirePrepared({ ...config, LOG_LEVEL: 'warn' });
  try {
    const any = await built.ctx.db.kysely.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (any) {
      console.error('the database is not empty; use --reset to wipe and re-seed it');
      return 1;
    }
    await seedDemo(built);
    const demo = demoSignIns(() => Date.now());
    console.log(demoLines(demo, process.stdout.isTTY ? await terminalQr(demo.agencyTotp.otpauthUri) : null).join('\n'));
    return 0;
  } finally {
    await built.app.close();
  }
}
