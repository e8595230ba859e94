// `porchlight keys`: prints a fresh set of the keys every scale-out node must
// share (MASTER_KEY, LOG_SIGNING_KEY, VAPID_PRIVATE_KEY) as environment lines,
// for the operator's secret store. It stores nothing: the keys live in config,
// never on one node's disk, and the master key never in the database.
import { createECDH, randomBytes } from 'node:crypto';
import { parse, printUsage, type Command } from './command.ts';

export const keysCommand: Command = {
  usage: 'porchlight keys\n\nPrints new MASTER_KEY, LOG_SIGNING_KEY and VAPID_PRIVATE_KEY lines to give every node (a PostgreSQL DATABASE_URL requires them).\nRun it once per deployment: new keys open none of the old clips and sign a different log.',
  async run(argv) {
    const { values } = parse(argv, {});
    if (values.help) return printUsage(keysCommand);
    const vapid = createECDH('prime256v1');
    vapid.generateKeys();
    console.log(`MASTER_KEY=${randomBytes(32).toString('hex')}`);
    console.log(`LOG_SIGNING_KEY=${randomBytes(32).toString('hex')}`);
    // getPrivateKey can be shorter than 32 bytes when it has leading zeros; pad to the fixed width.
    console.log(`VAPID_PRIVATE_KEY=${Buffer.concat([Buffer.alloc(32), vapid.getPrivateKey()]).subarray(-32).toString('base64url')}`);
    return 0;
  },
};
