// What every command shares: its shape, the settings as flags (--port 9000),
// and turning parsed flags into a Config.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SETTINGS, flagName, loadConfig, type Config } from '../config.ts';

export interface Command {
  usage: string;
  /** The exit code, or -1 for a command that keeps running (serve). */
  run(argv: string[]): Promise<number>;
}

export const settingOptions = Object.fromEntries(
  Object.keys(SETTINGS).map((name) => [flagName(name), { type: 'string' as const }]),
) as NonNullable<ParseArgsConfig['options']>;

export const settingsHelp = Object.entries(SETTINGS)
  .map(([name, s]) => `  --${flagName(name).padEnd(30)} ${s.doc} (env ${name})`)
  .join('\n');

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });
}

export function configFrom(values: Record<string, unknown>): Config {
  const flags: Record<string, string | undefined> = {};
  for (const k of Object.keys(settingOptions)) if (typeof values[k] === 'string') flags[k] = values[k] as string;
  return loadConfig(process.env, flags);
}

export function printUsage(command: Command): number {
  console.log(`${command.usage}\n`);
  return 0;
}
