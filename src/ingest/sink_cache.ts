/**
 * Sinks kept for a while after their request ended. Many devices send one frame per request, often
 * one request per connection; keeping the path's encoder and clock between requests means each
 * frame is not a new encoder, a new keyframe and a new timeline.
 *
 * Expiry is read off the injected clock (no timer per sink): a parked sink older than the idle
 * time is never handed out again, and {@link SinkCache.expire}, run by the ingest server's
 * housekeeping tick, frees it.
 *
 * @module
 */

import type { LiveStream } from "../server/stream/live_stream.ts";
import type { FrameSink, H264Passthrough } from "../encoder/frame_sinks.ts";
import type { TimestampSmoother } from "./timestamps.ts";

/** What a path's publisher leaves behind between requests. */
export interface ParkedSink {
  /** The path as the device's requests name it. */
  path: string;
  /** The device that fed it last. */
  peer: string;
  /** Frames since the log last told of this device (that it publishes, or that it stopped). */
  frames: number;
  /** Whether the log has told that the device stopped (its last upload ended cleanly). */
  stopLogged: boolean;
  /** The stream it feeds. */
  stream: LiveStream;
  /** The stream's frame count when parked: a change means another source feeds it since. */
  streamFrames: number;
  /** Whole-frame sink (JPEG, raw). */
  sink?: FrameSink;
  /** H.264 passthrough. */
  h264?: H264Passthrough;
  /** The path's frame clock. */
  smoother: TimestampSmoother;
}

/** Parked sinks by key (path, format, codec), each closed `idleMs` after it was parked. */
export class SinkCache {
  readonly #now: () => number;
  readonly #idleMs: number;
  readonly #parked = new Map<string, { sink: ParkedSink; parkedAt: number }>();

  /** Keeps sinks for `idleMs` (default 10 s) of `now` (monotonic milliseconds). */
  constructor(now: () => number, idleMs = 10_000) {
    this.#now = now;
    this.#idleMs = idleMs;
  }

  /** How long a sink stays parked, milliseconds. */
  get idleMs(): number {
    return this.#idleMs;
  }

  /** Parks `sink` under `key`, closing whatever was parked there. */
  park(key: string, sink: ParkedSink): void {
    this.#drop(key);
    this.#parked.set(key, { sink, parkedAt: this.#now() });
  }

  /** Whether a sink is parked under `key` and not yet expired. */
  has(key: string): boolean {
    const parked = this.#parked.get(key);
    return parked !== undefined && !this.#expired(parked.parkedAt);
  }

  /** The sink parked under `key` for `stream`, taken out of the cache; undefined if none. */
  take(key: string, stream: LiveStream): ParkedSink | undefined {
    const parked = this.#parked.get(key);
    if (!parked) return undefined;
    this.#parked.delete(key);
    if (parked.sink.stream === stream && !this.#expired(parked.parkedAt)) return parked.sink;
    parked.sink.sink?.close().catch(() => {});
    return undefined;
  }

  /**
   * Closes every sink parked for longer than the idle time, and returns them: no request came for
   * their path in that time, so a device that posted frame by frame has stopped.
   */
  expire(): ParkedSink[] {
    const expired: ParkedSink[] = [];
    for (const [key, parked] of [...this.#parked]) {
      if (!this.#expired(parked.parkedAt)) continue;
      expired.push(parked.sink);
      this.#drop(key);
    }
    return expired;
  }

  /** Closes every parked sink. */
  clear(): void {
    for (const key of [...this.#parked.keys()]) this.#drop(key);
  }

  /** Parked sinks, expired or not (for tests and stats). */
  get size(): number {
    return this.#parked.size;
  }

  #expired(parkedAt: number): boolean {
    return this.#now() - parkedAt > this.#idleMs;
  }

  #drop(key: string): void {
    const parked = this.#parked.get(key);
    if (!parked) return;
    this.#parked.delete(key);
    parked.sink.sink?.close().catch(() => {});
  }
}
