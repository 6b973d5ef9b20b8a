/**
 * What every source runner hands back: a line for the banner, a promise for a source that can end
 * by itself, and a way to stop it.
 *
 * @module
 */

/**
 * What a source is doing, as the status page and the metrics show it: `streaming` (frames flow),
 * `waiting` (for a device, a publisher, a camera that went away), `connecting` (opening an
 * upstream, starting), `backing-off` (a failed attempt; the next at `retryAt`), `idle` (on demand,
 * nobody reads), `stopped`.
 */
export type SourceStateName =
  | "streaming"
  | "waiting"
  | "connecting"
  | "backing-off"
  | "idle"
  | "stopped";

/** A source's state, with when it began and the last error. Times are wall-clock ms. */
export interface SourceStatus {
  /** What it is doing. */
  state: SourceStateName;
  /** Wall-clock ms the state began, when the source knows it. */
  since?: number;
  /** The last failure, e.g. the upstream's refusal or the camera's error. */
  lastError?: string;
  /** Wall-clock ms of the next attempt, while backing off. */
  retryAt?: number;
  /** Attempts after a failure or a loss so far. */
  reconnects: number;
}

/** A running source. */
export interface RunningSource {
  /** One line saying what is served. */
  description: string;
  /**
   * What it is doing now. Absent: the source has no states of its own (a file, the test pattern),
   * and its stream's source state tells.
   */
  readonly status?: SourceStatus;
  /** Resolves when the source ends by itself (standard input closed); never for loops. */
  ended: Promise<void>;
  /** Stops the source and frees its encoder. The stream stays at its path. */
  stop(): Promise<void>;
}

/** The `ended` of a source that only ends when stopped (a loop, a camera). */
export const NEVER_ENDS: Promise<void> = new Promise<void>(() => {});

/** The wall-clock ms of monotonic time `at` on `clock`. */
export function wallOf(clock: { now(): number; wallMs(): number }, at: number): number {
  return Math.round(clock.wallMs() - (clock.now() - at));
}
