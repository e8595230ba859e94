// The witness's state directory: its key, and per log the latest checkpoint it
// cosigned. tlog-witness §add-checkpoint: "The witness MUST persist the new
// checkpoint before responding", so every write is a temp file, fsync, rename
// and a directory fsync: after a crash the file is the old state or the new
// one, never a torn one, and never older than a cosignature we handed out.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseCheckpoint } from '../ledger/checkpoint.ts';
import { formatCosignerKey, generateCosigner, parseCosignerKey } from '../ledger/cosignature.ts';
import { parseVerifierKey, type Signer } from '../ledger/note.ts';
import { sha256, toHex, utf8 } from '../ledger/primitives.ts';
import type { LogState, WitnessedLog } from './witness.ts';

export const KEY_FILE = 'witness.key';
const LOGS_DIR = 'logs';

export class WitnessSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WitnessSetupError';
  }
}

/** tlog-witness §Monitor Retrieval Mechanism names a log by the lower-case hex SHA-256 of its origin. */
export const originHash = (origin: string) => toHex(sha256(utf8.encode(origin)));

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeDurably(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/** `witness init`: a new key named `name` in a new (or empty) state directory. Refuses to replace a key. */
export function initWitnessDir(dir: string, name: string): Signer {
  const signer = generateCosigner(name); // a bad name fails before anything is written
  const file = path.join(dir, KEY_FILE);
  if (fs.existsSync(file)) throw new WitnessSetupError(`${KEY_FILE} already exists in the state directory; a witness keeps its key for life`);
  fs.mkdirSync(path.join(dir, LOGS_DIR), { recursive: true, mode: 0o700 });
  writeDurably(file, formatCosignerKey(signer) + '\n', 0o600);
  return signer;
}

export function loadWitnessKey(dir: string): Signer {
  const file = path.join(dir, KEY_FILE);
  if (!fs.existsSync(file)) throw new WitnessSetupError(`no ${KEY_FILE} in the state directory; run "porchlight witness init" first`);
  if ((fs.statSync(file).mode & 0o077) !== 0) throw new WitnessSetupError(`${KEY_FILE} must not be readable by group or others (chmod 600)`);
  return parseCosignerKey(fs.readFileSync(file, 'utf8'));
}

/**
 * The logs file: JSON `{ "logs": [{ "origin": "...", "vkey": "..." }] }`, the
 * operator's list of logs to witness. Each vkey is the log's Ed25519 key (type 0x01).
 */
export function loadWitnessedLogs(file: string): Map<string, WitnessedLog> {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new WitnessSetupError(`the logs file is not readable JSON: ${(err as Error).message}`);
  }
  const list = (doc as { logs?: unknown } | null)?.logs;
  if (!Array.isArray(list) || list.length === 0) throw new WitnessSetupError('the logs file has no "logs" list');
  const out = new Map<string, WitnessedLog>();
  for (const [i, item] of list.entries()) {
    const { origin, vkey } = (item ?? {}) as { origin?: unknown; vkey?: unknown };
    if (typeof origin !== 'string' || origin.length === 0 || origin.includes('\n')) throw new WitnessSetupError(`logs[${i}].origin must be one non-empty line`);
    if (typeof vkey !== 'string') throw new WitnessSetupError(`logs[${i}].vkey must be the log's verifier key`);
    let key;
    try {
      key = parseVerifierKey(vkey);
    } catch (err) {
      throw new WitnessSetupError(`logs[${i}].vkey: ${(err as Error).message}`);
    }
    const prev = out.get(origin);
    out.set(origin, { origin, keys: [...(prev?.keys ?? []), key] });
  }
  return out;
}

/** Per-log state files, read once and then kept in memory by the server (it is their only writer). */
export class StateStore {
  readonly #dir: string;
  constructor(dir: string) {
    this.#dir = path.join(dir, LOGS_DIR);
    fs.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  #file(origin: string): string {
    return path.join(this.#dir, `${originHash(origin)}.checkpoint`);
  }

  read(origin: string): LogState | null {
    return this.readByHash(originHash(origin));
  }

  /** The state under an origin hash (the monitoring URL's form), or null. */
  readByHash(hash: string): LogState | null {
    if (!/^[0-9a-f]{64}$/.test(hash)) return null;
    let note: string;
    try {
      note = fs.readFileSync(path.join(this.#dir, `${hash}.checkpoint`), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    // Our own file, written whole: its text is what we verified and cosigned.
    const cp = parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1));
    return { size: cp.size, root: cp.root, note };
  }

  write(origin: string, state: LogState): void {
    writeDurably(this.#file(origin), state.note, 0o644);
  }
}
