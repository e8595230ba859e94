// `porchlight log …`: the disclosure log verifier. verify-evidence reads an
// agency's evidence ZIP; the ledger knows nothing of requests, so it is routed here.
import type { Command } from './command.ts';

export const logCommand: Command = {
  usage: 'porchlight log <verify|verify-receipt|verify-evidence> --help',
  run: async (argv) => (argv[0] === 'verify-evidence'
    ? (await import('../disclosure/evidence-cli.ts')).runEvidenceCli(argv.slice(1))
    : (await import('../ledger/cli.ts')).runLogCli(argv)),
};
