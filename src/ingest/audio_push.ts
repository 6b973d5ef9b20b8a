/**
 * One device audio push turned into frames for the path's audio track: the body's bytes (HTTP
 * chunks split anywhere, or WebSocket messages) converted to the served codec (L16, or G.711
 * encoded with the small tables) in 20 ms frames (RFC 3551 §4.2's default packet time), each with
 * its time on the arrival clock ({@link AudioTimer}). Pure: bytes and times in, frames or an
 * {@link IngestError} out.
 *
 * Refused, each with a status the device can act on:
 * - a WebSocket message that is not whole samples (400): a message is a unit; HTTP bytes may end
 *   mid-sample, and the rest waits for the next chunk;
 * - a body that ends inside a sample (400), after every whole sample has gone out;
 * - one chunk or message holding more than {@link MAX_CHUNK_MS} of audio (413): its samples could
 *   not be timed from its arrival.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AudioPush } from "./audio_push.ts";
 * import { DeviceTimeline } from "./timestamps.ts";
 *
 * const push = new AudioPush(
 *   { kind: "pcm", sampleFormat: "s16le", rate: 16000, channels: 1 },
 *   "pcmu",
 *   new DeviceTimeline(),
 * );
 * assert.deepEqual(push.format, { codec: "pcmu", clockRate: 16000, channels: 1 });
 * // 40 ms of samples arriving at t = 1 s: two 20 ms frames of 320 µ-law bytes, at 0.96 and 0.98 s.
 * const frames = push.bytes(new Uint8Array(1280), 1_000_000, true);
 * assert.deepEqual(frames.map((f) => [f.data.length, f.timestampUs]), [
 *   [320, 960_000],
 *   [320, 980_000],
 * ]);
 * ```
 *
 * @module
 */

import type { AudioFormat } from "../codec/audio_format.ts";
import { decodeG711ToL16, encodeG711FromL16 } from "../codec/g711.ts";
import { PCM_SAMPLE_BYTES, PcmChunker } from "../codec/pcm.ts";
import type { AudioInput } from "./audio_content_type.ts";
import { IngestError } from "./errors.ts";
import { AudioTimer, DeviceTimeline } from "./timestamps.ts";

/** What a path serves device PCM as (the `audio` path setting). */
export type ServedAudio = "l16" | "pcmu" | "pcma";

/** The served codecs, for the config's choices and messages. */
export const SERVED_AUDIO: readonly ServedAudio[] = ["l16", "pcmu", "pcma"];

/** The most audio one HTTP chunk or WebSocket message may hold, milliseconds. */
export const MAX_CHUNK_MS = 5000;

/** Frame duration, ms: RFC 3551 §4.2's default packetization interval for sample codecs. */
const FRAME_MS = 20;

/** One frame for the track. */
export interface AudioOut {
  /** Samples in the served codec. */
  data: Uint8Array;
  /** Time of its first sample, arrival-clock microseconds. */
  timestampUs: number;
}

/** Converts, frames and times one push. */
export class AudioPush {
  /** The track's format: the served codec at the input's rate and channels. */
  readonly format: AudioFormat;
  readonly #input: AudioInput;
  readonly #served: ServedAudio;
  readonly #chunker: PcmChunker | undefined;
  readonly #inBytesPerFrame: number; // bytes of one sample of every channel, as pushed
  readonly #g711FrameBytes: number;
  #g711: Uint8Array[] = [];
  #g711Held = 0;
  #g711Start = 0;
  #timer: AudioTimer;
  #bytesIn = 0; // bytes pushed since the start
  #chunkBytes = 0; // bytes of the HTTP chunk in hand
  #pendingDevice: number | undefined;
  #deviceRef: { sample: number; us: number } | undefined; // the last device time, of its sample

  /**
   * A push of `input`, served as `served`, timed through `timeline` (the path's shared device
   * clock mapping; default: one of its own, until {@linkcode retime}).
   */
  constructor(input: AudioInput, served: ServedAudio, timeline?: DeviceTimeline) {
    this.#input = input;
    this.#served = served;
    this.format = { codec: served, clockRate: input.rate, channels: input.channels };
    this.#timer = new AudioTimer(input.rate, timeline ?? new DeviceTimeline());
    if (input.kind === "pcm") {
      this.#chunker = new PcmChunker({
        format: input,
        frameMs: FRAME_MS,
        maxPushBytes: Number.MAX_SAFE_INTEGER,
      });
      this.#inBytesPerFrame = PCM_SAMPLE_BYTES[input.sampleFormat] * input.channels;
    } else {
      this.#inBytesPerFrame = input.channels;
    }
    this.#g711FrameBytes = Math.round((input.rate * FRAME_MS) / 1000) * input.channels;
  }

  /**
   * Times the samples from here on through `timeline` (the push joined a path's stream): anchored
   * afresh, from the last device time given, if any, carried on by the sample count.
   */
  retime(timeline: DeviceTimeline): void {
    const reanchored = this.#timer.reanchored;
    this.#timer = new AudioTimer(this.#input.rate, timeline);
    this.#timer.reanchored = reanchored;
    const ref = this.#deviceRef;
    if (ref !== undefined && this.#pendingDevice === undefined) {
      const next = Math.ceil(this.#bytesIn / this.#inBytesPerFrame);
      this.#pendingDevice = ref.us + ((next - ref.sample) * 1e6) / this.#input.rate;
    }
  }

  /** How many times the timing was re-anchored (drift or a device clock jump). */
  get reanchored(): number {
    return this.#timer.reanchored;
  }

  /** The most bytes one chunk or message may hold. */
  get maxChunkBytes(): number {
    return Math.ceil((this.#input.rate * MAX_CHUNK_MS) / 1000) * this.#inBytesPerFrame;
  }

  /**
   * Device time (µs) of the first sample of the bytes pushed next (an `X-Timestamp-Us` header, a
   * WebSocket `ts=` message).
   */
  deviceTime(us: number): void {
    this.#pendingDevice = us;
  }

  /**
   * Body bytes arrived at `arrivalUs` (a view, valid during the call); `chunkEnd` when they end an
   * HTTP chunk. Returns the frames they completed.
   */
  bytes(data: Uint8Array, arrivalUs: number, chunkEnd = false): AudioOut[] {
    this.#chunkBytes += data.length;
    if (this.#chunkBytes > this.maxChunkBytes) {
      throw new IngestError(
        413,
        `an audio chunk holds at most ${MAX_CHUNK_MS / 1000} s (${this.maxChunkBytes} bytes ` +
          `here); send smaller chunks, e.g. 20 to 100 ms each`,
      );
    }
    if (chunkEnd) this.#chunkBytes = 0;
    return this.#take(data, arrivalUs);
  }

  /** One WebSocket message arrived at `arrivalUs`: whole samples of every channel. */
  message(data: Uint8Array, arrivalUs: number): AudioOut[] {
    if (data.length % this.#inBytesPerFrame !== 0) {
      throw new IngestError(
        400,
        `an audio message must hold whole samples of every channel (${this.#inBytesPerFrame} ` +
          `bytes each), got ${data.length} bytes`,
      );
    }
    if (data.length > this.maxChunkBytes) {
      throw new IngestError(
        413,
        `an audio message holds at most ${MAX_CHUNK_MS / 1000} s (${this.maxChunkBytes} bytes ` +
          `here); send smaller ones, e.g. 20 to 100 ms each`,
      );
    }
    return this.#take(data, arrivalUs);
  }

  /**
   * The body ended: the last, short frame if samples wait. Throws {@link IngestError} 400 when it
   * ended inside a sample (after the whole samples are returned by the calls before).
   */
  end(): AudioOut[] {
    const out: AudioOut[] = [];
    if (this.#chunker) {
      const last = this.#chunker.flush();
      if (last) out.push(this.#out(last.data, last.start));
      const carried = this.#chunker.carried;
      if (carried > 0) {
        throw new IngestError(
          400,
          `the audio body ended inside a sample: ${carried} byte(s) of a ` +
            `${this.#inBytesPerFrame}-byte sample frame were left over`,
        );
      }
    } else if (this.#g711Held > 0) {
      out.push(this.#out(this.#g711Frame(this.#g711Held), this.#g711Start));
    }
    return out;
  }

  #take(data: Uint8Array, arrivalUs: number): AudioOut[] {
    const firstSample = Math.ceil(this.#bytesIn / this.#inBytesPerFrame);
    this.#bytesIn += data.length;
    const arrived = Math.floor(this.#bytesIn / this.#inBytesPerFrame);
    const us = this.#pendingDevice;
    this.#pendingDevice = undefined;
    const device = us === undefined ? undefined : { sample: firstSample, us };
    if (device) this.#deviceRef = device;
    this.#timer.mark(arrived, arrivalUs, device);
    const out: AudioOut[] = [];
    if (this.#chunker) {
      const pushed = this.#chunker.push(data);
      if (!pushed.ok) throw new IngestError(400, pushed.error);
      for (const frame of pushed.frames) out.push(this.#out(frame.data, frame.start));
      return out;
    }
    // G.711 in: one byte per sample, cut into frames of the same duration.
    let at = 0;
    while (at < data.length) {
      const n = Math.min(data.length - at, this.#g711FrameBytes - this.#g711Held);
      this.#g711.push(data.slice(at, at + n));
      this.#g711Held += n;
      at += n;
      if (this.#g711Held === this.#g711FrameBytes) {
        out.push(this.#out(this.#g711Frame(this.#g711Held), this.#g711Start));
      }
    }
    return out;
  }

  #g711Frame(bytes: number): Uint8Array {
    const frame = new Uint8Array(bytes);
    let at = 0;
    for (const piece of this.#g711) {
      frame.set(piece, at);
      at += piece.length;
    }
    this.#g711 = [];
    this.#g711Held = 0;
    return frame;
  }

  /** A frame of L16 (PCM in) or G.711 codes (G.711 in) in the served codec. */
  #out(samples: Uint8Array, start: number): AudioOut {
    const input = this.#input;
    let data = samples;
    if (input.kind === "pcm") {
      // RFC 3551 §4.5.14: G.711 codes one byte per sample, from the 16-bit linear samples.
      if (this.#served !== "l16") data = encodeG711FromL16(this.#served, samples);
    } else {
      this.#g711Start = start + samples.length / input.channels;
      if (this.#served !== input.codec) {
        const l16 = decodeG711ToL16(input.codec, samples);
        data = this.#served === "l16" ? l16 : encodeG711FromL16(this.#served, l16);
      }
    }
    return { data, timestampUs: this.#timer.timeOf(start) };
  }
}
