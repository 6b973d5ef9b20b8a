/**
 * Device PCM to L16: the sample layouts microphones push (16-bit little-endian from most ESP32
 * I2S set-ups, 24 valid bits in 32-bit slots from an INMP441, big-endian from senders that
 * already speak RTP) converted to 16-bit big-endian samples, the L16 of RTP (RFC 3551 §4.5.11),
 * and cut into frames of a fixed duration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PcmChunker, toL16 } from "./pcm.ts";
 *
 * // Two little-endian samples, 0x0102 and -2, become big-endian.
 * const le = new Uint8Array([0x02, 0x01, 0xfe, 0xff]);
 * assert.deepEqual(toL16("s16le", le), new Uint8Array([0x01, 0x02, 0xff, 0xfe]));
 *
 * // 16 kHz mono in 20 ms frames: 320 samples, 640 bytes each, whatever the HTTP chunks were.
 * const chunker = new PcmChunker({ format: { sampleFormat: "s16le", rate: 16000, channels: 1 } });
 * const first = chunker.push(new Uint8Array(641)); // one frame and half a sample
 * assert.ok(first.ok);
 * assert.equal(first.frames.length, 1);
 * assert.equal(first.frames[0].samples, 320);
 * assert.equal(chunker.carried, 1);
 * ```
 *
 * @module
 */

/**
 * How a device lays out each sample:
 * - `s16le`: signed 16-bit little-endian (ESPHome's default `bits_per_sample: 16bit`);
 * - `s16be`: signed 16-bit big-endian, already L16 (RFC 2586);
 * - `s32le`: signed 32-bit little-endian slots whose top 24 bits hold the sample (the INMP441
 *   drives 24 bits and goes high-impedance for the rest of the slot, MEDIA.md §1.4); the top 16
 *   bits are kept, as ESPHome scales 32-bit samples down to 16.
 */
export type PcmSampleFormat = "s16le" | "s16be" | "s32le";

/** Bytes of one sample of each {@link PcmSampleFormat}. */
export const PCM_SAMPLE_BYTES: Readonly<Record<PcmSampleFormat, number>> = {
  s16le: 2,
  s16be: 2,
  s32le: 4,
};

/** A PCM stream's layout. */
export interface PcmFormat {
  /** How each sample is stored. */
  sampleFormat: PcmSampleFormat;
  /** Samples per second per channel. */
  rate: number;
  /** Interleaved channels: 1 or 2. */
  channels: number;
}

/** Writes `count` samples of `src` from byte `from` as big-endian 16-bit samples at `to`. */
function convert(
  format: PcmSampleFormat,
  src: Uint8Array,
  from: number,
  count: number,
  dst: Uint8Array,
  to: number,
): void {
  switch (format) {
    case "s16be":
      dst.set(src.subarray(from, from + 2 * count), to);
      break;
    case "s16le":
      for (let i = 0; i < count; i++) {
        const low = src[from + 2 * i];
        dst[to + 2 * i] = src[from + 2 * i + 1];
        dst[to + 2 * i + 1] = low;
      }
      break;
    case "s32le":
      // Bytes 3 and 2 of each little-endian slot are its top 16 bits; 1 and 0 are dropped. The
      // writes trail the reads, so `dst` may be `src` itself.
      for (let i = 0; i < count; i++) {
        dst[to + 2 * i] = src[from + 4 * i + 3];
        dst[to + 2 * i + 1] = src[from + 4 * i + 2];
      }
      break;
  }
}

/**
 * Converts whole samples to L16: 16-bit big-endian (RFC 3551 §4.5.11). Channels stay interleaved
 * as they were; mono stays mono and stereo stereo.
 *
 * @param sampleFormat How `input` stores each sample.
 * @param input Whole samples: a multiple of {@link PCM_SAMPLE_BYTES}.
 * @param out Where to write, two bytes per sample; a fresh array when absent. May be `input`
 *   itself (converted in place), but not another view overlapping it.
 * @returns `out` (or the fresh array) cut to two bytes per sample.
 * @throws {RangeError} When `input` holds a partial sample or `out` is too short.
 */
export function toL16(
  sampleFormat: PcmSampleFormat,
  input: Uint8Array,
  out?: Uint8Array,
): Uint8Array {
  const size = PCM_SAMPLE_BYTES[sampleFormat];
  if (size === undefined) throw new RangeError(`unknown sample format ${String(sampleFormat)}`);
  if (input.length % size !== 0) {
    throw new RangeError(
      `${sampleFormat} input must be whole ${size}-byte samples, got ${input.length} bytes`,
    );
  }
  const count = input.length / size;
  if (out !== undefined && out.length < 2 * count) {
    throw new RangeError(`out holds ${out.length} bytes, ${2 * count} are needed`);
  }
  const bytes = out ?? new Uint8Array(2 * count);
  convert(sampleFormat, input, 0, count, bytes, 0);
  return bytes.length === 2 * count ? bytes : bytes.subarray(0, 2 * count);
}

/** One frame out of a {@link PcmChunker}. */
export interface PcmFrame {
  /** L16 samples (16-bit big-endian), channels interleaved; a fresh array owned by the caller. */
  data: Uint8Array;
  /** Samples per channel in it: the RTP timestamp advance at the rate (RFC 3551 §4.5.11). */
  samples: number;
  /** Samples per channel pushed before it since the chunker was made: its offset in the stream. */
  start: number;
}

/** What a {@link PcmChunker.push} gave: the frames it completed, or why the chunk was refused. */
export type PcmPushResult =
  | { ok: true; frames: PcmFrame[] }
  | { ok: false; error: string };

/** Settings of a {@link PcmChunker}. */
export interface PcmChunkerOptions {
  /** The stream's layout. */
  format: PcmFormat;
  /** Frame duration in milliseconds, above 0 and at most 1000; 20 by default (RFC 3551 §4.2). */
  frameMs?: number;
  /** Largest chunk one `push` takes, in bytes; 1 MiB by default. */
  maxPushBytes?: number;
}

/** 1 MiB: far above one HTTP chunk of a microphone (16 kHz s32le stereo is 128 KB a second). */
export const DEFAULT_MAX_PUSH_BYTES = 1 << 20;

/**
 * Turns a device's PCM byte stream, in chunks of any size, into L16 frames of a fixed duration.
 * Pure: no timers; a frame comes out when its last sample arrives.
 *
 * A chunk may end anywhere, mid-sample or mid-channel: the bytes of the incomplete sample frame
 * (one sample of every channel) are carried over to the next push, so at most one sample frame
 * less a byte is ever carried. Converted samples wait in the current frame until it fills.
 *
 * Frames hold `round(rate × frameMs / 1000)` samples per channel (221 at 11025 Hz and 20 ms), so
 * each frame's `samples` is what the RTP timestamp advances by. Choose `frameMs` so a frame fits
 * a packet: 20 ms of 48 kHz stereo is 3840 bytes, too big for one 1400-byte packet.
 */
export class PcmChunker {
  /** Samples per channel in each full frame. */
  readonly frameSamples: number;
  /** Bytes of each full frame (L16). */
  readonly frameBytes: number;
  readonly #format: PcmSampleFormat;
  readonly #channels: number;
  readonly #sampleFrameBytes: number;
  readonly #maxPushBytes: number;
  readonly #carry: Uint8Array;
  #carried = 0;
  #frame: Uint8Array | undefined;
  #filled = 0; // bytes of #frame written
  #start = 0;

  /**
   * Creates a chunker.
   *
   * @param options The stream's format, the frame duration and the chunk size limit.
   * @throws {RangeError} When the format or a number is out of range.
   */
  constructor(options: PcmChunkerOptions) {
    const { sampleFormat, rate, channels } = options.format;
    const size = PCM_SAMPLE_BYTES[sampleFormat];
    if (size === undefined) throw new RangeError(`unknown sample format ${String(sampleFormat)}`);
    if (!Number.isInteger(rate) || rate < 1 || rate > 384000) {
      throw new RangeError(`rate must be an integer from 1 to 384000 Hz, got ${rate}`);
    }
    if (channels !== 1 && channels !== 2) {
      throw new RangeError(`channels must be 1 or 2, got ${channels}`);
    }
    const frameMs = options.frameMs ?? 20;
    if (!(frameMs > 0 && frameMs <= 1000)) {
      throw new RangeError(`frameMs must be above 0 and at most 1000, got ${frameMs}`);
    }
    const maxPushBytes = options.maxPushBytes ?? DEFAULT_MAX_PUSH_BYTES;
    if (!Number.isSafeInteger(maxPushBytes) || maxPushBytes < 1) {
      throw new RangeError(`maxPushBytes must be a positive integer, got ${maxPushBytes}`);
    }
    this.#format = sampleFormat;
    this.#channels = channels;
    this.#sampleFrameBytes = size * channels;
    this.#maxPushBytes = maxPushBytes;
    this.#carry = new Uint8Array(this.#sampleFrameBytes);
    this.frameSamples = Math.max(1, Math.round((rate * frameMs) / 1000));
    this.frameBytes = this.frameSamples * channels * 2;
  }

  /** Bytes of an incomplete sample frame held for the next push; always below one sample frame. */
  get carried(): number {
    return this.#carried;
  }

  /** Samples per channel converted and waiting in the unfinished frame. */
  get pending(): number {
    return this.#filled / (2 * this.#channels);
  }

  /**
   * Feeds the next bytes of the stream.
   *
   * @param bytes Any chunk up to the limit; copied, never modified or retained.
   * @returns The frames these bytes completed, in order; or, for a chunk over the limit, an error
   *   that names both sizes (the chunk is then not taken, and the chunker is unchanged).
   */
  push(bytes: Uint8Array): PcmPushResult {
    if (bytes.length > this.#maxPushBytes) {
      return {
        ok: false,
        error: `a chunk of ${bytes.length} bytes is over the ${this.#maxPushBytes}-byte limit`,
      };
    }
    const frames: PcmFrame[] = [];
    const unit = this.#sampleFrameBytes;
    let i = 0;
    if (this.#carried > 0) {
      const n = Math.min(unit - this.#carried, bytes.length);
      this.#carry.set(bytes.subarray(0, n), this.#carried);
      this.#carried += n;
      i = n;
      if (this.#carried < unit) return { ok: true, frames };
      this.#take(this.#carry, 0, 1, frames);
      this.#carried = 0;
    }
    const whole = Math.floor((bytes.length - i) / unit);
    this.#take(bytes, i, whole, frames);
    i += whole * unit;
    this.#carry.set(bytes.subarray(i), 0);
    this.#carried = bytes.length - i;
    return { ok: true, frames };
  }

  /**
   * Ends the stream: the unfinished frame, if any samples wait in it, cut to those samples. Bytes
   * of an incomplete sample frame (see {@linkcode carried}) are not a sample and stay behind.
   *
   * @returns The last, short frame, or `undefined` when no sample waits.
   */
  flush(): PcmFrame | undefined {
    if (this.#frame === undefined || this.#filled === 0) return undefined;
    const samples = this.pending;
    const frame = { data: this.#frame.slice(0, this.#filled), samples, start: this.#start };
    this.#start += samples;
    this.#frame = undefined;
    this.#filled = 0;
    return frame;
  }

  /** Converts `count` sample frames of `src` from `from` into the frame, emitting full ones. */
  #take(src: Uint8Array, from: number, count: number, frames: PcmFrame[]): void {
    const inUnit = this.#sampleFrameBytes;
    const outUnit = 2 * this.#channels;
    while (count > 0) {
      this.#frame ??= new Uint8Array(this.frameBytes);
      const n = Math.min(count, (this.frameBytes - this.#filled) / outUnit);
      convert(this.#format, src, from, n * this.#channels, this.#frame, this.#filled);
      this.#filled += n * outUnit;
      from += n * inUnit;
      count -= n;
      if (this.#filled === this.frameBytes) {
        frames.push({ data: this.#frame, samples: this.frameSamples, start: this.#start });
        this.#start += this.frameSamples;
        this.#frame = undefined;
        this.#filled = 0;
      }
    }
  }
}
