/**
 * Time as the server sees it, injected so that RTCP timing, timeouts, fan-out, camera stall
 * recovery and retries are testable without sleeping.
 *
 * @module
 */

/**
 * Two clocks, a monotonic one for durations and the wall clock for RTCP NTP timestamps, and
 * optionally timers that run on them.
 */
export interface Clock {
  /** Monotonic milliseconds (any origin). */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch. */
  wallMs(): number;
  /**
   * Calls `fn` once, `ms` from now on this clock; returns a function that cancels the call. What
   * pacing, stall and retry timers wait on (through {@link after}); a clock without it leaves them
   * to the runtime's timers.
   */
  after?(ms: number, fn: () => void): () => void;
}

/** Calls `fn` once, `ms` from now on `clock`'s timers, or the runtime's when it has none. */
export function after(clock: Clock, ms: number, fn: () => void): () => void {
  if (clock.after) return clock.after(ms, fn);
  const timer = setTimeout(fn, Math.max(0, ms));
  return () => clearTimeout(timer);
}

/** The clocks and timers of the running process. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallMs: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/**
 * Resolves `ms` from now on `clock`, or at once when `signal` aborts (then or later). Never rejects:
 * the caller checks `signal.aborted`.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const cancel = after(clock, ms, done);
    signal?.addEventListener("abort", done, { once: true });
  });
}

interface PendingTimer {
  at: number;
  order: number;
  fn: () => void;
}

/** A clock that only moves when told to; for tests. Its timers fire as it moves. */
export class ManualClock implements Clock {
  #now: number;
  #wallOffset: number;
  #timers = new Set<PendingTimer>();
  #order = 0;
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
  /** Schedules `fn` at `ms` from now; it runs during the {@link advance} that reaches that time. */
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.#now + Math.max(0, ms), order: this.#order++, fn };
    this.#timers.add(timer);
    return () => void this.#timers.delete(timer);
  }
  /** Timers scheduled and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.size;
  }
  /**
   * Moves both clocks forward by `ms`, firing the timers that fall due on the way, earliest first,
   * each with the clock at its own time (a timer a callback schedules within the step fires too).
   */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: PendingTimer | undefined;
      for (const t of this.#timers) {
        if (
          t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.order < next.order))
        ) {
          next = t;
        }
      }
      if (!next) break;
      this.#timers.delete(next);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = end;
  }
}
