// `porchlight report recount`: recounts an instance's transparency report from its log.
import type { Command } from './command.ts';

export const reportCommand: Command = {
  usage: 'porchlight report recount --url URL [--key VKEY]',
  run: async (argv) => (await import('../transparency/recount.ts')).runReportCli(argv),
};
