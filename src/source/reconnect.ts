/**
 * What a relay and a pusher share when they keep a connection up: how long to wait after a
 * failure (1 s doubling to a 30 s cap, ±20 % jitter, back to 1 s after a minute of working), and
 * which state changes are worth a log line (once per change, not once per retry).
 *
 * @module
 */

/** First wait after a failure, in milliseconds. */
export const BACKOFF_FIRST_MS = 1000;
/** Longest wait between attempts. */
export const BACKOFF_CAP_MS = 30_000;
/** A connection that worked this long resets the backoff. */
export const BACKOFF_RESET_MS = 60_000;

/**
 * The wait before attempt `failures + 1`: 1 s doubling to a 30 s cap, spread by ±20 % so that many
 * relays that lost the same server do not come back at the same instant.
 */
export function backoffDelay(failures: number, random: number): number {
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + 0.4 * random));
}

/** Counts failures in a row and says how long to wait after each. */
export class Backoff {
  #failures = 0;
  readonly #random: () => number;

  /** `random` picks the jitter, in [0, 1). */
  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /**
   * A failure: the wait before the next attempt. `workedMs` is how long the connection that just
   * ended had worked (0 when it never came up); a minute or more was a success, so the waits start
   * short again.
   */
  failed(workedMs: number): number {
    this.#failures = workedMs >= BACKOFF_RESET_MS ? 1 : this.#failures + 1;
    return backoffDelay(this.#failures, this.#random());
  }
}

/**
 * Which states are news for the log: a state told differently from the last one told. A new
 * attempt (`connecting`) is news only the first time: after a failure, trying again is implied.
 */
export class StateNews {
  #told: string | undefined;

  /** Whether `key` (the state, with what tells it apart, e.g. its error) is worth a line now. */
  isNews(key: string): boolean {
    if (key === this.#told || key === "connecting" && this.#told !== undefined) return false;
    this.#told = key;
    return true;
  }
}
