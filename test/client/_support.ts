/**
 * A sink that collects what a pull session delivers, and waits for it.
 */

import type { PullSink } from "../../src/client/pull.ts";

/** One delivered H.264 access unit or JPEG picture. */
export interface Delivered {
  nalUnits?: Uint8Array[];
  jpeg?: Uint8Array;
  us: number;
}

/** A {@link PullSink} that records everything. */
export class CollectingSink implements PullSink {
  readonly frames: Delivered[] = [];
  closedCalls = 0;
  closedError: Error | undefined;
  readonly ended: Promise<Error | undefined>;
  #resolveEnded!: (e: Error | undefined) => void;
  #waiters: { n: number; resolve: () => void }[] = [];

  constructor() {
    this.ended = new Promise((resolve) => this.#resolveEnded = resolve);
  }

  accessUnit(nalUnits: Uint8Array[], timestampUs: number): void {
    this.#push({ nalUnits: nalUnits.map((n) => n.slice()), us: timestampUs });
  }

  jpeg(frame: Uint8Array, timestampUs: number): void {
    this.#push({ jpeg: frame.slice(), us: timestampUs });
  }

  closed(error: Error | undefined): void {
    this.closedCalls++;
    this.closedError = error;
    this.#resolveEnded(error);
  }

  /** Resolves once `n` frames came; rejects after `timeoutMs`. */
  waitFrames(n: number, timeoutMs = 5000): Promise<void> {
    if (this.frames.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.frames.length} of ${n} frames in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  #push(frame: Delivered): void {
    this.frames.push(frame);
    this.#waiters = this.#waiters.filter((w) => {
      if (this.frames.length < w.n) return true;
      w.resolve();
      return false;
    });
  }
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Timestamps never go back and start at 0. */
export function assertMonotonic(frames: Delivered[]): void {
  if (frames.length === 0) return;
  if (frames[0].us !== 0) throw new Error(`first timestamp ${frames[0].us}, expected 0`);
  for (let i = 1; i < frames.length; i++) {
    if (frames[i].us < frames[i - 1].us) {
      throw new Error(`timestamp went back at ${i}: ${frames[i - 1].us} → ${frames[i].us}`);
    }
  }
}

/** One delivered audio frame. */
export interface DeliveredAudio {
  frame: Uint8Array;
  us: number;
}

/** A {@link CollectingSink} that takes audio too, so the pull sets up an audio track. */
export class AudioCollectingSink extends CollectingSink {
  readonly sound: DeliveredAudio[] = [];

  audio(frame: Uint8Array, timestampUs: number): void {
    this.sound.push({ frame: frame.slice(), us: timestampUs });
  }

  /** Resolves once `n` audio frames came; rejects after `timeoutMs`. */
  async waitSound(n: number, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.sound.length < n) {
      if (Date.now() > until) {
        throw new Error(`only ${this.sound.length} of ${n} audio frames in ${timeoutMs} ms`);
      }
      await delay(10);
    }
  }
}
