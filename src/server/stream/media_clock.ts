/**
 * A stream's one clock: the source's presentation times (microseconds, on whatever clock the source
 * keeps) mapped onto stream time, which starts at 0, never runs backwards across a new source or a
 * jump, and moves on with the wall clock in between. Every track's RTP time is derived from stream
 * time with its own base and rate, so video and audio stamped from it stay in step, and the RTCP
 * sender reports of all tracks name the same instant (RFC 3550 §6.4.1: a receiver lines tracks up
 * through the NTP/RTP pairs of their reports).
 *
 * @module
 */

// A presentation time further than this from the previous one, or before it, is a discontinuity (a
// looped file, a device that reconnected with a fresh clock): stream time then moves on by the
// wall-clock time since the last frame instead, so it never runs backwards and stays in step with
// the wall clock of RTCP sender reports.
const MAX_TIMESTAMP_JUMP_US = 10_000_000;
/** How far a frame's time may lie before the latest one's (B-frame reordering), microseconds. */
const REORDER_US = 1_000_000;

/** Maps source presentation times onto one stream time line. */
export class MediaClock {
  #now: () => number;
  #map: { ts: number; stream: number } | undefined;
  #restarted = false;
  #lastTs: number | undefined;
  #lastStream = 0;
  #lastArrival = 0;
  #frameDurationUs: number;

  /** `now` is the server's monotonic clock in ms; `frameDurationUs` the expected frame spacing. */
  constructor(now: () => number, frameDurationUs: number) {
    this.#now = now;
    this.#frameDurationUs = frameDurationUs;
  }

  /** The spacing of the source's frames, microseconds: what a gap moves stream time on by at least. */
  get frameDurationUs(): number {
    return this.#frameDurationUs;
  }

  set frameDurationUs(us: number) {
    this.#frameDurationUs = us;
  }

  /** Monotonic ms at which the latest time was mapped (the last frame's arrival). */
  get lastArrival(): number {
    return this.#lastArrival;
  }

  /** Whether any time has been mapped yet. */
  get started(): boolean {
    return this.#map !== undefined;
  }

  /** Says the source's clock starts over: the next time starts a new mapping (see `frame`). */
  restart(): void {
    this.#restarted = true;
  }

  /**
   * Maps the presentation time of a frame of the track that drives the clock (the video), `tsUs`,
   * or now when undefined, to stream time in microseconds. Times may run back a little, since with
   * B-frames presentation order is not sending order (RFC 6184 §5.1); a step back of more than
   * REORDER_US or ahead of more than MAX_TIMESTAMP_JUMP_US, or the first time after `restart`, is a
   * new clock, mapped so stream time moves on by the wall-clock gap, at least one frame.
   */
  frame(tsUs: number | undefined): number {
    const now = this.#now();
    const ts = tsUs ?? now * 1000;
    const last = this.#lastTs;
    let newClock = false;
    if (this.#map === undefined || last === undefined) {
      this.#map = { ts, stream: 0 };
      newClock = true;
    } else if (this.#restarted || ts - last > MAX_TIMESTAMP_JUMP_US || ts - last < -REORDER_US) {
      this.#map = { ts, stream: this.#lastStream + this.#gapUs(now) };
      newClock = true;
    } else if (ts > last) {
      this.#frameDurationUs = ts - last;
    }
    this.#restarted = false;
    const stream = this.#map.stream + (ts - this.#map.ts);
    // The latest time so far anchors RTCP's RTP/wall-clock pair and the next frame's step.
    if (newClock || ts >= last!) {
      this.#lastTs = ts;
      this.#lastStream = stream;
    }
    this.#lastArrival = now;
    return stream;
  }

  /**
   * Maps the time of a track that follows the clock (audio) to stream time, without moving the
   * clock on: on the same source clock as the frames, it lands where they do. Before the first
   * frame, or after `restart` before the new source's first frame, it starts the mapping itself,
   * as `frame` would.
   */
  follow(tsUs: number): number {
    if (this.#map === undefined || this.#restarted) return this.frame(tsUs);
    return this.#map.stream + (tsUs - this.#map.ts);
  }

  /**
   * Stream time at monotonic ms `at` (default now), extrapolated from the latest frame along the
   * wall clock: the instant an RTCP sender report sent at `at` describes.
   */
  streamTimeAt(at: number = this.#now()): number {
    return this.#lastStream + (at - this.#lastArrival) * 1000;
  }

  #gapUs(now: number): number {
    return Math.max((now - this.#lastArrival) * 1000, this.#frameDurationUs);
  }
}

/** The RTP timestamp of stream time `streamUs` on a track whose clock starts at `base`. */
export function rtpTimeOf(base: number, clockRate: number, streamUs: number): number {
  return (base + Math.round(streamUs * (clockRate / 1e6))) >>> 0;
}
