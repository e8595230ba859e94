// One server per DATA_DIR (issue 17, defect 1). A second `serve` on the same
// directory would sweep the first one's in-flight uploads and sign the same log
// beside it. proper-lockfile holds DATA_DIR/serve.lock (a directory it keeps
// fresh); we add serve.pid beside it so the refusal can name the holder, and so
// a holder that died by SIGKILL (its PID gone) need not wait out the stale time.
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

export class DataDirLocked extends Error {
  readonly dataDir: string;
  readonly pid: number | null;
  constructor(dataDir: string, pid: number | null) {
    super(`porchlight: DATA_DIR ${dataDir} is in use by another server (PID ${pid ?? 'unknown'}); stop it first`);
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

const LOCK = 'serve.lock';
const PID = 'serve.pid';
// Refreshed every 5 s; a lock not refreshed for 30 s is taken over (a holder on another host, or a reused PID).
const STALE_MS = 30_000;

function holderPid(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, PID), 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed server whose parent has not reaped it yet (a zombie) still answers kill(0).
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Takes the lock or throws DataDirLocked. `onLost` runs if the lock is taken
 * from us (not refreshed in time): the caller must stop writing.
 */
export async function lockDataDir(dataDir: string, onLost: (err: Error) => void): Promise<() => Promise<void>> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const opts = { lockfilePath: path.join(dataDir, LOCK), stale: STALE_MS, update: 5_000, realpath: false, onCompromised: onLost };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, opts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    const pid = holderPid(dataDir);
    // Killed without a chance to unlock: its PID is gone, so the lock is ours to clear.
    if (pid === null || pid === process.pid || alive(pid)) throw new DataDirLocked(dataDir, pid);
    fs.rmSync(opts.lockfilePath, { recursive: true, force: true });
    try {
      release = await lockfile.lock(dataDir, opts);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirLocked(dataDir, holderPid(dataDir));
      throw again;
    }
  }
  fs.writeFileSync(path.join(dataDir, PID), `${process.pid}\n`, { mode: 0o600 });
  return async () => {
    fs.rmSync(path.join(dataDir, PID), { force: true });
    await release();
  };
}
