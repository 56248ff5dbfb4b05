/** The only source of time: injected everywhere so tests freeze it and the lab runs months in minutes. */
export interface Clock {
  now(): Date;
}

/** Wall-clock time. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that moves only when told to: for tests and the lab. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start: Date | string = '2026-11-21T00:00:00Z') {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  set(to: Date | string): void {
    this.#ms = new Date(to).getTime();
  }
}
