// Background jobs (log integrator, outbox delivery, sweepers). Capabilities
// register them; `serve` runs them on timers; tests call runAll() to drive them
// deterministically with a manual clock.
export interface Worker {
  name: string;
  intervalMs: number;
  run(): Promise<void>;
}

export class Workers {
  readonly #workers: Worker[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #running = new Set<string>();
  /** Kicked while running: run once more when the current run ends. */
  #again = new Set<string>();
  #started = false;
  #onError: (name: string, err: unknown) => void;

  constructor(onError: (name: string, err: unknown) => void) {
    this.#onError = onError;
  }

  add(worker: Worker): void {
    this.#workers.push(worker);
  }

  get names(): string[] {
    return this.#workers.map((w) => w.name);
  }

  /** Runs one worker unless its previous run is still going. */
  async #tick(w: Worker): Promise<void> {
    if (this.#running.has(w.name)) return;
    this.#running.add(w.name);
    try {
      await w.run();
    } catch (err) {
      this.#onError(w.name, err);
    } finally {
      this.#running.delete(w.name);
    }
    if (this.#again.delete(w.name)) await this.#tick(w);
  }

  /**
   * Runs a worker now instead of at its next interval (a new feed post's
   * notifications, say), when the workers are running at all: under tests,
   * which drive workers with runAll(), a kick does nothing.
   */
  kick(name: string): void {
    const w = this.#workers.find((x) => x.name === name);
    if (!w || !this.#started) return;
    if (this.#running.has(name)) this.#again.add(name);
    else void this.#tick(w);
  }

  start(): void {
    this.#started = true;
    for (const w of this.#workers) {
      const t = setInterval(() => void this.#tick(w), w.intervalMs);
      t.unref();
      this.#timers.push(t);
      void this.#tick(w);
    }
  }

  stop(): void {
    this.#started = false;
    for (const t of this.#timers.splice(0)) clearInterval(t);
  }

  /** Runs every worker (or the named ones) once, in registration order. */
  async runAll(...names: string[]): Promise<void> {
    for (const w of this.#workers) {
      if (names.length === 0 || names.includes(w.name)) await w.run();
    }
  }
}
