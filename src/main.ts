// The porchlight entry point: finds the command and hands off to src/cli/.
// Every command has --help.
import { ConfigError } from './config.ts';
import { COMMANDS, help } from './cli/index.ts';
import { FreshDataDirRefused } from './cli/data-dir.ts';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') return help();
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`unknown command "${name}"; run "porchlight --help"`);
    return 2;
  }
  return (await entry.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof FreshDataDirRefused) {
      console.error(err.message);
      process.exitCode = 2;
    } else if (err instanceof ConfigError) {
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
