/**
 * Time as the server sees it, injected so that RTCP timing, timeouts and fan-out are testable
 * without sleeping.
 *
 * @module
 */

/** Two clocks: a monotonic one for durations and the wall clock for RTCP NTP timestamps. */
export interface Clock {
  /** Monotonic milliseconds (any origin). */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch. */
  wallMs(): number;
}

/** The clocks of the running process. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallMs: () => Date.now(),
};

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  #now: number;
  #wallOffset: number;
  /** Starts at monotonic time `start` and wall time `wallStart` (ms). */
  constructor(start = 0, wallStart = 1_700_000_000_000) {
    this.#now = start;
    this.#wallOffset = wallStart - start;
  }
  /** Current monotonic time. */
  now(): number {
    return this.#now;
  }
  /** Current wall time. */
  wallMs(): number {
    return this.#now + this.#wallOffset;
  }
  /** Moves both clocks forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }
}
