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
  }

  start(): void {
    for (const w of this.#workers) {
      const t = setInterval(() => void this.#tick(w), w.intervalMs);
      t.unref();
      this.#timers.push(t);
      void this.#tick(w);
    }
  }

  stop(): void {
    for (const t of this.#timers.splice(0)) clearInterval(t);
  }

  /** Runs every worker (or the named ones) once, in registration order. */
  async runAll(...names: string[]): Promise<void> {
    for (const w of this.#workers) {
      if (names.length === 0 || names.includes(w.name)) await w.run();
    }
  }
}
