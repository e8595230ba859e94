// The log's Ed25519 signing key. From the LOG_SIGNING_KEY setting (a hex seed),
// or DATA_DIR/log-signing.key, created on first start with mode 0600. The key is
// named after the log's origin (C2SP tlog-checkpoint: the origin line names the
// log, and verifiers look the key up by that name).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../config.ts';
import { NoteError, type Signer, signerFromSeed } from './note.ts';

export const LOG_KEY_FILE = 'log-signing.key';

function seedFromFile(file: string): Uint8Array {
  const st = fs.statSync(file);
  if ((st.mode & 0o077) !== 0) throw new Error(`${LOG_KEY_FILE} must not be readable by group or others (chmod 600)`);
  const hex = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${LOG_KEY_FILE} must hold 64 hexadecimal characters (an Ed25519 seed)`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * Loads, or on first start creates, the signing key. Creation writes a temp file,
 * syncs it and hard-links it into place: a crash leaves either no key file or a
 * whole one, and two processes starting at once end up with the same key.
 */
export function loadLogSigner(opts: { dataDir: string; seedHex: string; origin: string }): Signer {
  try {
    return signerFromSeed(opts.origin, opts.seedHex ? new Uint8Array(Buffer.from(opts.seedHex, 'hex')) : seedFromDataDir(opts.dataDir));
  } catch (err) {
    if (err instanceof NoteError && err.code === 'bad_name') throw new ConfigError('LOG_ORIGIN', 'must be one word with no spaces or plus signs (it names the log and its key)');
    throw err;
  }
}

function seedFromDataDir(dataDir: string): Uint8Array {
  const file = path.join(dataDir, LOG_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    try {
      fs.writeSync(fd, randomBytes(32).toString('hex') + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  return seedFromFile(file);
}
