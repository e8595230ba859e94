// One witness per state directory: two would each check "old size" against
// their own view of the state and could cosign a rollback. proper-lockfile holds
// <state>/witness.lock; witness.pid beside it names the holder, so a witness
// killed by SIGKILL (its PID gone) does not block the restart for the stale time.
// The same scheme as the server's DATA_DIR lock (app/lock.ts), kept apart because
// the witness imports no server code.
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

const LOCK = 'witness.lock';
const PID = 'witness.pid';

export class StateDirLocked extends Error {
  constructor(pid: number | null) {
    super(`another witness is running on this state directory (PID ${pid ?? 'unknown'})`);
    this.name = 'StateDirLocked';
  }
}

function holderPid(dir: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(dir, PID), 'utf8'), 10);
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

/** Takes the lock or throws StateDirLocked; `onLost` runs if the lock is taken from us, and must stop the witness. */
export async function lockStateDir(dir: string, onLost: (err: Error) => void): Promise<() => Promise<void>> {
  const opts = { lockfilePath: path.join(dir, LOCK), stale: 30_000, update: 5_000, realpath: false, onCompromised: onLost };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, opts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    const pid = holderPid(dir);
    if (pid === null || pid === process.pid || alive(pid)) throw new StateDirLocked(pid);
    fs.rmSync(opts.lockfilePath, { recursive: true, force: true });
    try {
      release = await lockfile.lock(dir, opts);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw new StateDirLocked(holderPid(dir));
      throw again;
    }
  }
  fs.writeFileSync(path.join(dir, PID), `${process.pid}\n`, { mode: 0o600 });
  return async () => {
    fs.rmSync(path.join(dir, PID), { force: true });
    await release();
  };
}
