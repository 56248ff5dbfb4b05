/**
 * Times of events in ascending order, counting those inside a trailing window. Events arrive in time order, so a
 * cursor only moves forward: each event is passed over once, however many times the window is asked.
 */
export class SlidingCount {
  readonly #times: number[] = [];
  #start = 0;

  /** Records an event at `at_ms` (never earlier than the last one). */
  add(at_ms: number): void {
    this.#times.push(at_ms);
  }

  /** Events strictly after `since_ms`; `since_ms` never decreases between calls. */
  countAfter(since_ms: number): number {
    while (this.#start < this.#times.length && this.#times[this.#start]! <= since_ms) this.#start += 1;
    return this.#times.length - this.#start;
  }
}
