/**
 * Raw frames → encoder → stream, with at most a couple of frames in the encoder at once: when the
 * encoder falls behind, new frames are dropped at the door instead of queueing, so latency stays
 * one or two frames whatever the machine.
 *
 * @module
 */

import type { EncoderInput, EncoderMemory, H264Encoder } from "./h264_encoder.ts";

/** Counters of a pipeline. */
export interface PipelineStats {
  /** Frames handed to the encoder. */
  encoded: number;
  /** Frames dropped because the encoder was busy. */
  dropped: number;
  /** Frames the encoder failed on. */
  failed: number;
  /** What the encoder holds, as it last told. */
  memory?: EncoderMemory;
}

/** Where encoded access units go: a served stream (`LiveStream` fits) or anything that takes them. */
export interface AccessUnitSink {
  /** Takes one access unit's NAL units and its time in microseconds; false when refused. */
  sendFrame(nalUnits: readonly Uint8Array[], options: { timestamp?: number }): boolean;
}

/** Feeds one stream from one encoder. */
export class EncodePipeline {
  readonly #encoder: H264Encoder;
  readonly #stream: AccessUnitSink;
  readonly #maxInFlight: number;
  #inFlight = 0;
  #onError: (error: Error) => void;
  /** Counters. */
  readonly stats: PipelineStats = { encoded: 0, dropped: 0, failed: 0 };

  /** Encodes into `stream`; `onError` hears of frames the encoder refused. */
  constructor(
    encoder: H264Encoder,
    stream: AccessUnitSink,
    onError: (error: Error) => void,
    maxInFlight = 2,
  ) {
    this.#encoder = encoder;
    this.#stream = stream;
    this.#onError = onError;
    this.#maxInFlight = maxInFlight;
    if (encoder.memory) this.stats.memory = encoder.memory;
  }

  /** Takes one frame; never waits. */
  push(frame: EncoderInput): void {
    if (this.#inFlight >= this.#maxInFlight) {
      this.stats.dropped++;
      return;
    }
    this.#inFlight++;
    this.stats.encoded++;
    this.#encoder.encode(frame).then(
      (au) => {
        this.stats.memory = this.#encoder.memory;
        if (au) this.#stream.sendFrame(au.nalUnits, { timestamp: au.timestamp });
      },
      (error) => {
        this.stats.failed++;
        this.#onError(error as Error);
      },
    ).finally(() => this.#inFlight--);
  }
}
