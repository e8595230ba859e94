// One server per DATA_DIR (issue 17, defect 1). A second `serve` on the same
// directory would sweep the first one's in-flight uploads and sign the same log
// beside it. The lock itself is platform/dir-lock.ts, shared with the witness.
import fs from 'node:fs';
import { DirLocked, lockDir } from '../platform/dir-lock.ts';

export class DataDirLocked extends Error {
  readonly dataDir: string;
  readonly pid: number | null;
  constructor(dataDir: string, pid: number | null) {
    super(`porchlight: DATA_DIR ${dataDir} is in use by another server (PID ${pid ?? 'unknown'}); stop it first`);
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

/**
 * Takes the lock or throws DataDirLocked. `onLost` runs if the lock is taken
 * from us (not refreshed in time): the caller must stop writing.
 */
export async function lockDataDir(dataDir: string, onLost: (err: Error) => void): Promise<() => Promise<void>> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    return await lockDir(dataDir, 'serve', onLost);
  } catch (err) {
    if (err instanceof DirLocked) throw new DataDirLocked(dataDir, err.pid);
    throw err;
  }
}
