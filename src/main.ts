// The porchlight CLI: serve, demo, admin, log, camera. Every command has --help.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, SETTINGS, flagName, loadConfig } from './config.ts';

type Command = { summary: string; usage: string; run(argv: string[]): Promise<number> };

// Settings may be given as flags (--port 9000) on serve and demo.
const settingOptions = Object.fromEntries(
  Object.keys(SETTINGS).map((name) => [flagName(name), { type: 'string' as const }]),
) as NonNullable<ParseArgsConfig['options']>;

const settingsHelp = Object.entries(SETTINGS)
  .map(([name, s]) => `  --${flagName(name).padEnd(30)} ${s.doc} (env ${name})`)
  .join('\n');

function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });
}

function configFrom(values: Record<string, unknown>) {
  const flags: Record<string, string | undefined> = {};
  for (const k of Object.keys(settingOptions)) if (typeof values[k] === 'string') flags[k] = values[k] as string;
  return loadConfig(process.env, flags);
}

const commands: Record<string, Command> = {
  serve: {
    summary: 'run the server (seeds the demo neighbourhood on an empty database unless DEMO=false)',
    usage: `porchlight serve [settings]\n\nSettings:\n${settingsHelp}`,
    async run(argv) {
      const { values } = parse(argv, settingOptions);
      if (values.help) return help('serve');
      const { serve } = await import('./serve.ts');
      await serve(configFrom(values));
      return -1; // keeps running
    },
  },
  demo: {
    summary: 'seed the demo neighbourhood (--reset wipes the data directory first)',
    usage: `porchlight demo [--reset] [--codes] [settings]\n\n  --reset   wipe the embedded database and re-seed\n  --codes   print current TOTP codes of the demo staff\n\nSettings:\n${settingsHelp}`,
    async run(argv) {
      const { values } = parse(argv, { ...settingOptions, reset: { type: 'boolean' }, codes: { type: 'boolean' } });
      if (values.help) return help('demo');
      const { runDemoCommand } = await import('./demo/command.ts');
      return runDemoCommand(configFrom(values), { reset: Boolean(values.reset), codes: Boolean(values.codes) });
    },
  },
  admin: {
    summary: 'administration: admin create-user --role reviewer|admin|agency --email E --password P --name N [--agency ID]',
    usage: 'porchlight admin create-user --role reviewer|admin|agency --email EMAIL --password PASSWORD --name NAME [--agency AGENCY_ID] [settings]',
    async run(argv) {
      const [sub, ...rest] = argv;
      if (sub !== 'create-user') return help('admin');
      const { values } = parse(rest, {
        ...settingOptions,
        role: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        name: { type: 'string' },
        agency: { type: 'string' },
      });
      if (values.help) return help('admin');
      const { createUserCommand } = await import('./accounts/cli.ts');
      return createUserCommand(configFrom(values), values as Record<string, string | undefined>);
    },
  },
};

function help(name?: string): number {
  if (name && commands[name]) {
    console.log(`${commands[name].usage}\n`);
    return 0;
  }
  console.log('porchlight <command> [options]\n\nCommands:');
  for (const [n, c] of Object.entries(commands)) console.log(`  ${n.padEnd(8)} ${c.summary}`);
  console.log('\nRun "porchlight <command> --help" for details.');
  return 0;
}

/** Lets capabilities add their CLI commands (log, camera) without main knowing their internals. */
export function addCommand(name: string, command: Command) {
  commands[name] = command;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const { registerExtraCommands } = await import('./commands.ts');
  registerExtraCommands(addCommand);
  if (!name || name === '--help' || name === '-h' || name === 'help') return help();
  const cmd = commands[name];
  if (!cmd) {
    console.error(`unknown command "${name}"; run "porchlight --help"`);
    return 2;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(`porchlight: bad setting ${err.message}`);
      process.exitCode = 2;
    } else if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`porchlight: ${err.message}`);
      process.exitCode = 2;
    } else {
      console.error(err instanceof Error ? err.stack : err);
      process.exitCode = 1;
    }
  },
);
