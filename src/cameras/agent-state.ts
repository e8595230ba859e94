// The camera agent's state directory: the device's private key, its token and
// server, and the upload journal. Everything in it is secret or private (the
// key signs clips as this camera; the token uploads as it), so the directory is
// 0700 and every file 0600, written atomically (temp file, fsync, rename) so a
// power cut never leaves half a key.
import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, type KeyObject } from 'node:crypto';

export const DEFAULT_STATE_DIR = './camera-agent';
const STATE_FILE = 'state.json';
const KEY_FILE = 'device-key.pem';
const JOURNAL_FILE = 'journal.jsonl';

export interface AgentState {
  version: 1;
  server: string;
  cameraId: string;
  token: string;
  publicKey: string;
  enrolledAt: string;
}

export class AgentError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export function ensureStateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** Writes a file readable only by its owner, replacing any earlier one atomically. */
export function writePrivateFile(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, 0o600); // the umask cannot widen it, but an existing temp file could have other bits
  fs.renameSync(tmp, file);
}

export function hasState(dir: string): boolean {
  return fs.existsSync(path.join(dir, STATE_FILE));
}

export function saveEnrolment(dir: string, state: AgentState, privateKeyPem: string): void {
  ensureStateDir(dir);
  writePrivateFile(path.join(dir, KEY_FILE), privateKeyPem);
  writePrivateFile(path.join(dir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}

export function saveState(dir: string, state: AgentState): void {
  writePrivateFile(path.join(dir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}

export function loadState(dir: string): { state: AgentState; key: KeyObject } {
  const stateFile = path.join(dir, STATE_FILE);
  if (!fs.existsSync(stateFile)) throw new AgentError(`no enrolment in ${dir}; run "porchlight camera enroll --server URL --code CODE" first`);
  let state: AgentState;
  try {
    state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as AgentState;
  } catch {
    throw new AgentError(`${stateFile} is not valid JSON; enrol again with --force`);
  }
  if (state.version !== 1 || typeof state.server !== 'string' || typeof state.token !== 'string' || typeof state.cameraId !== 'string') {
    throw new AgentError(`${stateFile} is not an agent state file; enrol again with --force`);
  }
  const mode = fs.statSync(stateFile).mode & 0o777;
  if (mode & 0o077) throw new AgentError(`${stateFile} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  const key = createPrivateKey(fs.readFileSync(path.join(dir, KEY_FILE), 'utf8'));
  return { state, key };
}

// The journal: one JSON line per file the server has answered for, appended
// and fsynced after the answer. It lets a restarted watcher skip what is done.
// A crash between the server's answer and the append only means the file is
// sent again, with the same Idempotency-Key, and the server returns the clip
// it already has: never a duplicate.

export interface JournalEntry {
  /** File name within the watched directory. */
  name: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  status: 'uploaded' | 'rejected';
  clipId?: string;
  reason?: string;
  at: string;
}

export const journalKey = (e: { name: string; size: number; mtimeMs: number }) => `${e.name}\u0000${e.size}\u0000${e.mtimeMs}`;

export class Journal {
  readonly #file: string;
  readonly #entries = new Map<string, JournalEntry>();

  constructor(dir: string) {
    ensureStateDir(dir);
    this.#file = path.join(dir, JOURNAL_FILE);
    if (!fs.existsSync(this.#file)) return;
    for (const line of fs.readFileSync(this.#file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as JournalEntry;
        if (typeof e.name === 'string' && typeof e.size === 'number' && typeof e.mtimeMs === 'number') this.#entries.set(journalKey(e), e);
      } catch {
        // A line cut short by a crash during the append: that upload is simply not recorded.
      }
    }
  }

  get(key: string): JournalEntry | undefined {
    return this.#entries.get(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Rewrites the journal keeping only entries `keep` accepts (those whose files
   * are still there), so it does not grow for ever on a small device. Dropping
   * an entry too many is harmless: that file would be sent again with the same
   * Idempotency-Key and the server would answer with the clip it has.
   */
  compact(keep: (e: JournalEntry) => boolean): void {
    const kept = [...this.#entries.values()].filter(keep);
    if (kept.length === this.#entries.size) return;
    writePrivateFile(this.#file, kept.map((e) => JSON.stringify(e)).join('\n') + '\n');
    this.#entries.clear();
    for (const e of kept) this.#entries.set(journalKey(e), e);
  }

  record(entry: JournalEntry): void {
    const fd = fs.openSync(this.#file, 'a', 0o600);
    try {
      // A leading newline ends any line a crash left unfinished, so this one parses.
      fs.writeSync(fd, '\n' + JSON.stringify(entry));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.#entries.set(journalKey(entry), entry);
  }
}
