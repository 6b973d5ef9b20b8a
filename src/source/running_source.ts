/**
 * What every source runner hands back: a line for the banner, a promise for a source that can end
 * by itself, and a way to stop it.
 *
 * @module
 */

/** A running source. */
export interface RunningSource {
  /** One line saying what is served. */
  description: string;
  /** Resolves when the source ends by itself (standard input closed); never for loops. */
  ended: Promise<void>;
  /** Stops the source and frees its encoder. The stream stays at its path. */
  stop(): Promise<void>;
}

/** The `ended` of a source that only ends when stopped (a loop, a camera). */
export const NEVER_ENDS: Promise<void> = new Promise<void>(() => {});
