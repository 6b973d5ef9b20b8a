/**
 * RTP timestamps of one source turned into microseconds on the receiver's clock: unwrapped
 * (RFC 3550 §5.1: they wrap at 2^32 and start at a random value) and anchored at the arrival time
 * of the first packet; the H.264 receiver's access units and the audio receiver's frames are timed
 * by it. Two tracks of one publisher anchored this way land on one time line, off by no more than
 * the difference in how their first packets travelled.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RtpTimeline } from "./rtp_timeline.ts";
 *
 * const audio = new RtpTimeline(48000);
 * assert.equal(audio.toUs(0xffff_fc00, 5_000_000), 5_000_000);
 * assert.equal(audio.toUs(0x0000_0800, 5_050_000), 5_000_000 + 3072 / 48000 * 1e6);
 * ```
 *
 * @module
 */

import { tsDiff } from "./sequence.ts";

/** One source's RTP time line. */
export class RtpTimeline {
  #usPerTick: number;
  #baseUs = 0;
  #extended: number | undefined;
  #last = 0;

  /** A time line for an RTP clock of `clockRate` Hz. */
  constructor(clockRate: number) {
    if (!(Number.isInteger(clockRate) && clockRate > 0)) {
      throw new RangeError(`clockRate must be a positive integer, got ${clockRate}`);
    }
    this.#usPerTick = 1e6 / clockRate;
  }

  /** The time of RTP timestamp `rtp`, which arrived at `arrivalUs` (used for the first only). */
  toUs(rtp: number, arrivalUs: number): number {
    if (this.#extended === undefined) {
      this.#extended = 0;
      this.#baseUs = arrivalUs;
    } else {
      this.#extended += tsDiff(this.#last, rtp);
    }
    this.#last = rtp;
    return this.#baseUs + this.#extended * this.#usPerTick;
  }

  /**
   * The time of RTP timestamp `rtp` measured from the last one given to {@link toUs}, which it
   * leaves where it was; `undefined` before the first.
   */
  timeOf(rtp: number): number | undefined {
    if (this.#extended === undefined) return undefined;
    return this.#baseUs + (this.#extended + tsDiff(this.#last, rtp)) * this.#usPerTick;
  }
}
