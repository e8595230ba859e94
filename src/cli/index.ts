// Every command, each in its own file and loaded only when it runs, so
// `porchlight serve` loads none of the others. Add a command: one file here and one line below.
import type { Command } from './command.ts';

type Entry = { summary: string; load: () => Promise<Command> };

export const COMMANDS: Record<string, Entry> = {
  serve: { summary: 'run the server (seeds the demo neighbourhood on an empty database unless DEMO=false)', load: async () => (await import('./serve.ts')).serveCommand },
  demo: { summary: 'seed the demo neighbourhood (--reset wipes the data directory first)', load: async () => (await import('./demo.ts')).demoCommand },
  admin: { summary: 'administration: admin create-user --role reviewer|admin|agency --email E --password P --name N [--agency ID]', load: async () => (await import('./admin.ts')).adminCommand },
  log: { summary: 'disclosure log verifier: log verify --url URL --key VKEY [--state FILE] [--witness VKEY ... --min-witnesses N] | log verify-receipt FILE --key VKEY | log verify-evidence ZIP --key VKEY', load: async () => (await import('./log.ts')).logCommand },
  report: { summary: 'transparency report: report recount --url URL [--key VKEY] recomputes every figure from the log', load: async () => (await import('./report.ts')).reportCommand },
  witness: { summary: 'a C2SP tlog-witness: witness init --state DIR --name NAME | key | serve --state DIR --logs FILE --host H --port P', load: async () => (await import('./witness.ts')).witnessCommand },
  keys: { summary: 'print new MASTER_KEY, LOG_SIGNING_KEY and VAPID_PRIVATE_KEY lines for scale-out nodes (PostgreSQL)', load: async () => (await import('./keys.ts')).keysCommand },
  camera: { summary: 'camera agent: camera enroll | upload | watch | status | rotate-token (runs on the camera or a bridge)', load: async () => (await import('./camera.ts')).cameraCommand },
  frigate: { summary: 'Frigate NVR bridge: frigate run | check | status --config FILE (uploads finished Frigate events as camera clips)', load: async () => (await import('./frigate.ts')).frigateCommand },
};

export function help(): number {
  console.log('porchlight <command> [options]\n\nCommands:');
  for (const [n, c] of Object.entries(COMMANDS)) console.log(`  ${n.padEnd(8)} ${c.summary}`);
  console.log('\nRun "porchlight <command> --help" for details.');
  return 0;
}
