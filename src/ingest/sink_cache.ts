/**
 * Sinks kept for a while after their request ended. Many devices send one frame per request, often
 * one request per connection; keeping the path's encoder and clock between requests means each
 * frame is not a new encoder, a new keyframe and a new timeline.
 *
 * @module
 */

import type { Stream } from "../server/stream.ts";
import type { FrameSink, H264Passthrough } from "./sinks.ts";
import type { TimestampSmoother } from "./timestamps.ts";

/** What a path's publisher leaves behind between requests. */
export interface ParkedSink {
  /** The stream it feeds. */
  stream: Stream;
  /** Whole-frame sink (JPEG, raw). */
  sink?: FrameSink;
  /** H.264 passthrough. */
  h264?: H264Passthrough;
  /** The path's frame clock. */
  smoother: TimestampSmoother;
}

/** Parked sinks by key (path, format, codec), each closed after `idleMs` unless taken again. */
export class SinkCache {
  readonly #idleMs: number;
  readonly #parked = new Map<string, { sink: ParkedSink; timer: ReturnType<typeof setTimeout> }>();

  /** Keeps sinks for `idleMs` (default 10 s). */
  constructor(idleMs = 10_000) {
    this.#idleMs = idleMs;
  }

  /** Parks `sink` under `key`, closing whatever was parked there. */
  park(key: string, sink: ParkedSink): void {
    this.#drop(key);
    const timer = setTimeout(() => this.#drop(key), this.#idleMs);
    this.#parked.set(key, { sink, timer });
  }

  /** Whether a sink is parked under `key`. */
  has(key: string): boolean {
    return this.#parked.has(key);
  }

  /** The sink parked under `key` for `stream`, taken out of the cache; undefined if none. */
  take(key: string, stream: Stream): ParkedSink | undefined {
    const parked = this.#parked.get(key);
    if (!parked) return undefined;
    clearTimeout(parked.timer);
    this.#parked.delete(key);
    if (parked.sink.stream === stream) return parked.sink;
    parked.sink.sink?.close().catch(() => {});
    return undefined;
  }

  /** Closes every parked sink. */
  clear(): void {
    for (const key of [...this.#parked.keys()]) this.#drop(key);
  }

  #drop(key: string): void {
    const parked = this.#parked.get(key);
    if (!parked) return;
    clearTimeout(parked.timer);
    this.#parked.delete(key);
    parked.sink.sink?.close().catch(() => {});
  }
}
