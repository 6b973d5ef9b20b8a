/**
 * What every source runner hands back: a line for the banner, a promise for a source that can end
 * by itself, and a way to stop it.
 *
 * @module
 */

import type { EncoderCounts, SourceStatus } from "../base/source_status.ts";
export type { EncoderCounts, SourceStateName, SourceStatus } from "../base/source_status.ts";

/** A running source. */
export interface RunningSource {
  /** One line saying what is served. */
  description: string;
  /**
   * What it is doing now. Absent: the source has no states of its own (a file, the test pattern),
   * and its stream's source state tells.
   */
  readonly status?: SourceStatus;
  /** Its encoder's counters, for a source that encodes (live: read them when needed). */
  readonly encoder?: EncoderCounts;
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
