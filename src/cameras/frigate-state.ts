// The Frigate bridge's state file: the events it has finished with (uploaded, or
// refused by the server for good) and the queue of events waiting for upload.
//
// It is the bridge's memory across restarts and MQTT reconnects: an event is
// queued, and the file written, before the MQTT message is acknowledged, and it
// is marked done only after Porchlight answered. So a crash at any point either
// leaves the event queued (it is sent again, with the same Idempotency-Key, and
// the server answers with the clip it already has) or done (never sent again).
//
// Each write replaces the whole file atomically: a temp file, fsync, rename
// (writePrivateFile), then an fsync of the directory so the rename itself
// survives a power cut. The file holds event ids, camera names, labels and
// times, never a sub-label (a name or a plate): the parsed event has none.
import fs from 'node:fs';
import path from 'node:path';
import { AgentError, writePrivateFile } from './agent-state.ts';
import type { FrigateEvent } from './frigate-payload.ts';

export interface QueuedEvent {
  id: string;
  camera: string;
  label: string;
  startMs: number;
  endMs: number;
  attempts: number;
  /** Not tried again before this time (epoch ms): the backoff. */
  notBefore: number;
}

export interface DoneEvent {
  status: 'uploaded' | 'rejected';
  camera: string;
  endMs: number;
  clipId?: string;
  reason?: string;
  at: number;
}

interface StateFile {
  version: 1;
  done: Record<string, DoneEvent>;
  queue: QueuedEvent[];
}

export type EnqueueResult = 'queued' | 'known' | 'full';

export class BridgeState {
  readonly #file: string;
  readonly #limit: number;
  #done = new Map<string, DoneEvent>();
  #queue = new Map<string, QueuedEvent>();

  /** Reads `file` if it exists; nothing is written until the first change. */
  constructor(file: string, queueLimit: number) {
    this.#file = file;
    this.#limit = queueLimit;
    if (!fs.existsSync(file)) return;
    let s: StateFile;
    try {
      s = JSON.parse(fs.readFileSync(file, 'utf8')) as StateFile;
    } catch (err) {
      throw new AgentError(`the bridge state file ${path.basename(file)} cannot be read (${(err as Error).message}); move it aside to start afresh (the server's Idempotency-Key still prevents duplicates)`);
    }
    if (s?.version !== 1 || typeof s.done !== 'object' || !Array.isArray(s.queue)) throw new AgentError(`${path.basename(file)} is not a Frigate bridge state file`);
    this.#done = new Map(Object.entries(s.done));
    this.#queue = new Map(s.queue.map((q) => [q.id, q]));
  }

  get queued(): number {
    return this.#queue.size;
  }

  get limit(): number {
    return this.#limit;
  }

  summary(): { queued: number; uploaded: number; rejected: number } {
    const done = [...this.#done.values()];
    return { queued: this.#queue.size, uploaded: done.filter((d) => d.status === 'uploaded').length, rejected: done.filter((d) => d.status === 'rejected').length };
  }

  isKnown(id: string): boolean {
    return this.#done.has(id) || this.#queue.has(id);
  }

  done(id: string): DoneEvent | undefined {
    return this.#done.get(id);
  }

  /** Queues a finished event for upload, unless it is known already or the queue is full. */
  enqueue(e: FrigateEvent, now: number): EnqueueResult {
    if (this.isKnown(e.id)) return 'known';
    if (this.#queue.size >= this.#limit) return 'full';
    this.#queue.set(e.id, { id: e.id, camera: e.camera, label: e.label, startMs: e.startMs, endMs: e.endMs!, attempts: 0, notBefore: now });
    this.#save();
    return 'queued';
  }

  /** The queued event due first, and when the next one is due when none is due yet. */
  next(now: number): { due: QueuedEvent | null; wakeAt: number | null } {
    let first: QueuedEvent | null = null;
    for (const q of this.#queue.values()) if (!first || q.notBefore < first.notBefore) first = q;
    if (!first) return { due: null, wakeAt: null };
    return first.notBefore <= now ? { due: first, wakeAt: null } : { due: null, wakeAt: first.notBefore };
  }

  /** Records Porchlight's final answer for a queued event. */
  finish(id: string, outcome: Omit<DoneEvent, 'camera' | 'endMs'>): void {
    const q = this.#queue.get(id);
    if (!q) return;
    this.#queue.delete(id);
    this.#done.set(id, { ...outcome, camera: q.camera, endMs: q.endMs });
    this.#save();
  }

  /** Puts a queued event back with a later time: the backoff after a failure. */
  defer(id: string, notBefore: number): number {
    const q = this.#queue.get(id);
    if (!q) return 0;
    q.attempts++;
    q.notBefore = notBefore;
    this.#save();
    return q.attempts;
  }

  /** Forgets a queued event entirely, as if its message had never come: for input refused as bad (a clip that is not an MP4, or too big). */
  drop(id: string): void {
    if (this.#queue.delete(id)) this.#save();
  }

  /**
   * Forgets finished events that ended before `before`, so the file does not
   * grow for ever. The catch-up never looks that far back, and should an old
   * message come again, the upload's Idempotency-Key returns the stored clip.
   */
  prune(before: number): void {
    let n = 0;
    for (const [id, d] of this.#done) if (d.endMs < before && this.#done.delete(id)) n++;
    if (n) this.#save();
  }

  #save(): void {
    const s: StateFile = { version: 1, done: Object.fromEntries(this.#done), queue: [...this.#queue.values()] };
    const dir = path.dirname(this.#file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    writePrivateFile(this.#file, JSON.stringify(s) + '\n');
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
