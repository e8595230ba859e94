// `porchlight witness …`: a standalone C2SP tlog-witness. It shares no code
// with `serve` beyond the ledger's pure note, checkpoint and Merkle modules,
// and keeps its own key and state in its own directory.
import { parseArgs } from 'node:util';
import { formatCosignerVerifierKey } from '../ledger/cosignature.ts';
import { NoteError } from '../ledger/note.ts';
import { listenWitness } from '../witness/server.ts';
import { StateDirLocked, lockStateDir } from '../witness/lock.ts';
import { StateStore, WitnessSetupError, initWitnessDir, loadWitnessKey, loadWitnessedLogs } from '../witness/store.ts';
import type { Command } from './command.ts';

const USAGE = `porchlight witness init --state DIR --name NAME
porchlight witness key --state DIR
porchlight witness serve --state DIR --logs FILE --host HOST --port PORT

  init    create DIR and a new Ed25519 cosigning key named NAME (a schema-less
          URL such as witness.example/w1, per C2SP tlog-cosignature); prints the
          witness's verifier key, which logs put in LOG_WITNESSES
  key     print the verifier key again
  serve   answer POST /add-checkpoint (C2SP tlog-witness) for the logs in FILE,
          JSON {"logs": [{"origin": "...", "vkey": "..."}]}, and serve
          GET /<sha256 hex of origin>/checkpoint to monitors

Exit status: 0 done, 1 failed, 2 usage error.`;

export const witnessCommand: Command = {
  usage: USAGE,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: { state: { type: 'string' }, name: { type: 'string' }, logs: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      });
    } catch (e) {
      console.error(`porchlight witness: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [sub, ...rest] = positionals;
    const usage = (what: string) => {
      console.error(`porchlight witness: ${what}\n\n${USAGE}`);
      return 2;
    };
    if (rest.length > 0) return usage(`unexpected "${rest.join(' ')}"`);
    if (!values.state) return usage('--state DIR is required');
    try {
      if (sub === 'init') {
        if (!values.name) return usage('--name NAME is required');
        console.log(formatCosignerVerifierKey(initWitnessDir(values.state, values.name)));
        return 0;
      }
      if (sub === 'key') {
        console.log(formatCosignerVerifierKey(loadWitnessKey(values.state)));
        return 0;
      }
      if (sub === 'serve') {
        if (!values.logs || !values.host || !values.port) return usage('serve needs --logs, --host and --port');
        if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) return usage('--port is a number from 0 to 65535');
        await serve(values.state, values.logs, values.host, Number(values.port));
        return -1;
      }
      return usage(sub ? `unknown command "${sub}"` : 'which command?');
    } catch (err) {
      if (err instanceof WitnessSetupError || err instanceof StateDirLocked || err instanceof NoteError) {
        console.error(`porchlight witness: ${err.message}`);
        return 1;
      }
      throw err;
    }
  },
};

async function serve(state: string, logsFile: string, host: string, port: number): Promise<void> {
  const cosigner = loadWitnessKey(state);
  const logs = loadWitnessedLogs(logsFile);
  const unlock = await lockStateDir(state, (err) => {
    // Another process may write the state now: stop rather than race it.
    console.error(`porchlight witness: lost the state directory lock: ${err.message}`);
    process.exit(1);
  });
  const running = await listenWitness({
    logs,
    cosigner,
    store: new StateStore(state),
    now: () => Math.floor(Date.now() / 1000),
    log: (line) => console.error(`witness: ${line}`),
  }, host, port);
  console.log(`Witness ${formatCosignerVerifierKey(cosigner)}`);
  console.log(`witnessing ${[...logs.keys()].join(', ')}`);
  console.log(`LISTENING ${new URL(running.url).port} ${running.url}`);
  const stop = () => {
    running.close().then(unlock).then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
