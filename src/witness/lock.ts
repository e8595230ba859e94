// One witness per state directory: two would each check "old size" against
// their own view of the state and could cosign a rollback. The lock is the
// server's scheme (platform/dir-lock.ts: a held lock plus a PID file, so a
// witness killed by SIGKILL does not block the restart for the stale time).
import { DirLocked, lockDir } from '../platform/dir-lock.ts';

export class StateDirLocked extends Error {
  constructor(pid: number | null) {
    super(`another witness is running on this state directory (PID ${pid ?? 'unknown'})`);
    this.name = 'StateDirLocked';
  }
}

/** Takes the lock or throws StateDirLocked; `onLost` runs if the lock is taken from us, and must stop the witness. */
export async function lockStateDir(dir: string, onLost: (err: Error) => void): Promise<() => Promise<void>> {
  try {
    return await lockDir(dir, 'witness', onLost);
  } catch (err) {
    if (err instanceof DirLocked) throw new StateDirLocked(err.pid);
    throw err;
  }
}
