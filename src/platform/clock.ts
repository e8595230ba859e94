// Time is injected so tests can move it (reminders at 24 h, notices at 72 h, day-7 follow-up).
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start = Date.now()) {
    this.#t = start;
  }
  now(): number {
    return this.#t;
  }
  advance(ms: number): void {
    this.#t += ms;
  }
  set(t: number): void {
    this.#t = t;
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
