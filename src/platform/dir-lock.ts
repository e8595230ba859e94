// One process per directory. proper-lockfile holds DIR/<name>.lock (a directory
// it keeps fresh); we add DIR/<name>.pid beside it so a refusal can name the
// holder, and so a holder that died by SIGKILL (its PID gone) need not wait out
// the stale time. Used by the server's DATA_DIR (issue 17, defect 1) and the
// witness's state directory, so it imports nothing but Node and the lock library.
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/** The directory is held by a live process; `pid` is null when it left no PID file. */
export class DirLocked extends Error {
  readonly pid: number | null;
  constructor(dir: string, pid: number | null) {
    super(`${dir} is locked by PID ${pid ?? 'unknown'}`);
    this.name = 'DirLocked';
    this.pid = pid;
  }
}

// Refreshed every 5 s; a lock not refreshed for 30 s is taken over (a holder on another host, or a reused PID).
const STALE_MS = 30_000;
const UPDATE_MS = 5_000;

function holderPid(pidFile: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10);
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
  // A killed process not yet reaped by its parent (a zombie) still answers kill(0).
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Takes DIR's lock named `name`, or throws DirLocked. `onLost` runs if the lock
 * is taken from us (not refreshed in time): the caller must stop writing.
 * Resolves to the function that releases it.
 */
export async function lockDir(dir: string, name: string, onLost: (err: Error) => void): Promise<() => Promise<void>> {
  const pidFile = path.join(dir, `${name}.pid`);
  const opts = { lockfilePath: path.join(dir, `${name}.lock`), stale: STALE_MS, update: UPDATE_MS, realpath: false, onCompromised: onLost };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, opts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    const pid = holderPid(pidFile);
    // Killed without a chance to unlock: its PID is gone, so the lock is ours to clear.
    if (pid === null || pid === process.pid || alive(pid)) throw new DirLocked(dir, pid);
    fs.rmSync(opts.lockfilePath, { recursive: true, force: true });
    try {
      release = await lockfile.lock(dir, opts);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw new DirLocked(dir, holderPid(pidFile));
      throw again;
    }
  }
  fs.writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  return async () => {
    fs.rmSync(pidFile, { force: true });
    await release();
  };
}
