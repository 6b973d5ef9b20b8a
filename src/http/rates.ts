/**
 * Frame rate and bitrate measured from counters: the counters are sampled once a second and a rate
 * is the difference between now and the oldest sample of the last few seconds, so a reading is
 * steady (not one second's jitter) and costs nothing per frame.
 *
 * @module
 */

/** Milliseconds of history a rate is measured over. */
export const RATE_WINDOW_MS = 5000;
/** A rate needs at least this much history; before that it is unknown. */
const MIN_SPAN_MS = 900;

interface Sample {
  at: number;
  frames: number;
  bytes: number;
}

/** Measured rates, or null while they cannot be known yet. */
export interface Rates {
  /** Frames per second. */
  fps: number | null;
  /** Bits per second. */
  bitrate: number | null;
}

/** The rates of one counter pair (frames and bytes in). */
export class RateMeter {
  #samples: Sample[] = [];

  /** Records the counters at monotonic ms `at`, and forgets what is older than the window. */
  sample(at: number, frames: number, bytes: number): void {
    const last = this.#samples.at(-1);
    // Counters that went back belong to a new stream at the path: its history starts over.
    if (last && (frames < last.frames || bytes < last.bytes)) this.#samples = [];
    this.#samples.push({ at, frames, bytes });
    while (this.#samples.length > 1 && this.#samples[1].at <= at - RATE_WINDOW_MS) {
      this.#samples.shift();
    }
  }

  /** The rates from the oldest sample to the counters `frames` and `bytes` at monotonic `at`. */
  rates(at: number, frames: number, bytes: number): Rates {
    const first = this.#samples[0];
    const span = first ? at - first.at : 0;
    if (!first || span < MIN_SPAN_MS || frames < first.frames || bytes < first.bytes) {
      return { fps: null, bitrate: null };
    }
    return {
      fps: Math.round(((frames - first.frames) * 1000 / span) * 10) / 10,
      bitrate: Math.round((bytes - first.bytes) * 8 * 1000 / span),
    };
  }
}
