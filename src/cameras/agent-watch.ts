// `porchlight camera watch DIR`: uploads each new .mp4 once the recorder has
// finished writing it.
//
// - A file is taken once its size and modification time hold still across two
//   scans, so a clip still being written is never sent half-done.
// - Failures of the network or the server are retried with exponential backoff
//   and jitter; an answer that rejects the clip itself (400, 413, 415, 422) is
//   journalled as rejected and not retried; 401/403 stop the watcher, because
//   every later upload would fail the same way (the token was revoked).
// - The journal in the state directory records each acknowledged upload, so a
//   restarted watcher skips them; a file sent again after a crash carries the
//   same Idempotency-Key, so the server never stores it twice.
// - A local file is deleted only with --delete, and only after the server has
//   acknowledged it and the journal has recorded that.
import fs from 'node:fs';
import path from 'node:path';
import { clipTimes, type ClipKind } from './agent-clip.ts';
import { AgentError, Journal, journalKey } from './agent-state.ts';
import { backoffMs, describeFailure, isRetryable, NetworkError, sleep, uploadClip, type UploadTarget } from './agent-upload.ts';
import { SealRefused } from './agent-e2ee.ts';
import type { Progress } from '../platform/progress.ts';

export interface WatchOptions {
  dir: string;
  stateDir: string;
  target: UploadTarget;
  kind: ClipKind;
  intervalMs: number;
  deleteAfterUpload: boolean;
  /** Stop once every file present has been dealt with (or has used its attempts). */
  once: boolean;
  /** Attempts per file before it is left for a later run; Infinity keeps trying. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** A progress bar for one file's upload (platform/progress.ts; draws only on a terminal). */
  progress?: (name: string) => Progress;
  /** Called before each scan of the directory, with its number from 1. */
  onScan?: (scan: number) => void | Promise<void>;
}

export interface WatchSummary {
  uploaded: number;
  rejected: number;
  /** Files left for a later run after using their attempts. */
  failed: number;
}

interface Seen {
  size: number;
  mtimeMs: number;
  /** Scans in a row the size and mtime held still. */
  stableScans: number;
  attempts: number;
  notBefore: number;
  gaveUp: boolean;
}

const isClipName = (name: string) => /\.mp4$/i.test(name) && !name.startsWith('.');

export async function watchDirectory(o: WatchOptions): Promise<WatchSummary> {
  if (!fs.statSync(o.dir, { throwIfNoEntry: false })?.isDirectory()) throw new AgentError(`${o.dir} is not a directory`, 2);
  const journal = new Journal(o.stateDir);
  // Forget files that are no longer there, so the journal stays as small as the directory.
  const present = new Set(fs.readdirSync(o.dir));
  journal.compact((e) => present.has(e.name));
  const seen = new Map<string, Seen>();
  const summary: WatchSummary = { uploaded: 0, rejected: 0, failed: 0 };

  for (let scan = 1; !o.signal?.aborted; scan++) {
    await o.onScan?.(scan);
    let pending = 0;
    const names = fs.readdirSync(o.dir).filter(isClipName).sort();
    for (const name of names) {
      if (o.signal?.aborted) break;
      const file = path.join(o.dir, name);
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      const id = { name, size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
      const done = journal.get(journalKey(id));
      if (done) {
        // A crash may have come between the journal entry and the deletion.
        if (done.status === 'uploaded' && o.deleteAfterUpload) fs.rmSync(file, { force: true });
        continue;
      }
      const prev = seen.get(name);
      const still = prev && prev.size === id.size && prev.mtimeMs === id.mtimeMs;
      const s: Seen = still ? prev : { size: id.size, mtimeMs: id.mtimeMs, stableScans: 0, attempts: 0, notBefore: 0, gaveUp: false };
      if (still) s.stableScans++;
      seen.set(name, s);
      if (s.gaveUp) continue;
      pending++;
      if (s.stableScans < 1 || id.size === 0 || Date.now() < s.notBefore) continue;

      const outcome = await sendOne(o, file, id, journal);
      if (outcome === 'uploaded' || outcome === 'rejected') {
        pending--;
        summary[outcome]++;
        seen.delete(name);
        continue;
      }
      s.attempts++;
      if (s.attempts >= o.maxAttempts) {
        o.log(`${name}: giving up after ${s.attempts} attempts; it stays for a later run`);
        s.gaveUp = true;
        summary.failed++;
        pending--;
        continue;
      }
      const wait = backoffMs(s.attempts - 1, o.backoffBaseMs, o.backoffMaxMs);
      s.notBefore = Date.now() + wait;
      o.log(`${name}: will retry in ${(wait / 1000).toFixed(1)} s`);
    }
    for (const name of seen.keys()) if (!names.includes(name)) seen.delete(name);
    if (o.once && pending === 0) break;
    await sleep(o.intervalMs, o.signal);
  }
  return summary;
}

async function sendOne(o: WatchOptions, file: string, id: { name: string; size: number; mtimeMs: number }, journal: Journal): Promise<'uploaded' | 'rejected' | 'retry'> {
  let times;
  try {
    times = await clipTimes(file);
  } catch (err) {
    o.log(`${id.name}: cannot tell its times (${(err as Error).message}); will retry`);
    return 'retry';
  }
  const kind = times.kind ?? o.kind;
  try {
    const bar = o.progress?.(id.name);
    let r: Awaited<ReturnType<typeof uploadClip>>;
    try {
      r = await uploadClip(o.target, { file, startedAt: times.startedAt, endedAt: times.endedAt, kind, signal: o.signal, onProgress: bar && ((sent, total) => bar.update(sent, total)) });
    } finally {
      bar?.done();
    }
    const entry = { ...id, sha256: r.sha256, at: new Date().toISOString() };
    if (r.status === 200 || r.status === 201) {
      const clipId = typeof r.body?.id === 'string' ? r.body.id : undefined;
      journal.record({ ...entry, status: 'uploaded', clipId });
      o.log(`${id.name}: uploaded as clip ${clipId ?? '(no id)'}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`);
      if (o.deleteAfterUpload) fs.rmSync(file, { force: true });
      return 'uploaded';
    }
    if (r.status === 401 || r.status === 403) throw new AgentError(`${describeFailure(r)}; the device token may be revoked; enrol again`);
    if (isRetryable(r.status)) {
      o.log(`${id.name}: ${describeFailure(r)}`);
      return 'retry';
    }
    journal.record({ ...entry, status: 'rejected', reason: describeFailure(r) });
    o.log(`${id.name}: rejected, ${describeFailure(r)}; it will not be sent again`);
    return 'rejected';
  } catch (err) {
    // No owner key yet, or no ffmpeg for the zones: kept, and tried again once that is mended.
    if (err instanceof SealRefused) {
      o.log(`${id.name}: not sealed: ${err.message}; will retry`);
      return 'retry';
    }
    if (err instanceof NetworkError || (err as { code?: string }).code === 'ENOENT') {
      o.log(`${id.name}: ${err instanceof NetworkError ? `network: ${err.message}` : 'file vanished'}`);
      return 'retry';
    }
    throw err;
  }
}
