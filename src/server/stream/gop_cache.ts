/**
 * The current group of pictures of a stream, from its keyframe: what a joining reader is given so
 * it can decode at once instead of waiting for the next keyframe (fast start, INTEROP.md).
 *
 * A GOP is only worth replaying while it is the live one. It is dropped when it grows past its byte
 * cap (a reader would wait that long anyway), when the source is gone, and it is not handed out
 * once its newest frame is older than the age the stream allows: frames from a source that went
 * quiet would be shown as if they were live.
 *
 * @module
 */

import type { Frame } from "./frame.ts";

/** The frames since the latest keyframe, with the time the newest one arrived. */
export class GopCache {
  #frames: Frame[] = [];
  #bytes = 0;
  #newestAt = -Infinity;
  #maxBytes: number;

  /** Keeps at most `maxBytes` (framing included) of one GOP. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Adds `frame`, which arrived at monotonic time `now` (ms). A keyframe starts a new GOP. */
  add(frame: Frame, now: number): void {
    if (frame.keyframe) {
      this.clear();
    } else if (this.#frames.length === 0) {
      return; // no keyframe to start from: nothing worth keeping until the next one
    }
    this.#frames.push(frame);
    this.#bytes += frame.byteLength;
    this.#newestAt = now;
    if (this.#bytes > this.#maxBytes) this.clear(); // no use for fast start: readers wait instead
  }

  /**
   * The GOP from its keyframe, in decode order, when its newest frame arrived no more than
   * `maxAgeMs` before `now`; otherwise none.
   */
  frames(now: number, maxAgeMs: number): readonly Frame[] {
    return now - this.#newestAt <= maxAgeMs ? this.#frames : [];
  }

  /** Bytes of the frames kept (framing included). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Forgets the GOP. */
  clear(): void {
    this.#frames = [];
    this.#bytes = 0;
    this.#newestAt = -Infinity;
  }
}
