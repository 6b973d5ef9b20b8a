/**
 * Encoder settings, their defaults (the ESP32-P4 component's, which users know: GOP 30, QP 10–40,
 * 2 Mbit/s) and their checks.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import { checkSize } from "../codec/raw_frame.ts";

/** Settings of an {@link H264Encoder}. */
export interface H264EncoderOptions {
  /** Width in pixels: even, 16 to 4096. */
  width: number;
  /** Height in pixels: even, 16 to 4096. */
  height: number;
  /** Frames per second. Default 30. */
  fps?: number;
  /** Target bitrate in bits per second. Default 2 000 000. */
  bitrate?: number;
  /** Frames from one IDR to the next. Default 30. */
  gop?: number;
  /** `"bitrate"` holds the bitrate; `"quality"` holds the picture quality. Default `"bitrate"`. */
  rateControl?: "bitrate" | "quality";
  /** Smallest quantizer, 0 to 51. Default 10. */
  qpMin?: number;
  /** Largest quantizer, 0 to 51. Default 40. */
  qpMax?: number;
  /**
   * Encode in a Worker so the caller's event loop never waits. Default: wherever `Worker` exists.
   * `false` encodes in the calling thread (Node, or where a Worker is not wanted).
   */
  worker?: boolean;
  /** Stamps frames given without a timestamp. Default: the system clock. */
  clock?: Clock;
}

/** {@link H264EncoderOptions} with defaults filled in, as sent to the encoding thread. */
export interface ResolvedEncoderOptions {
  /** See {@link H264EncoderOptions.width}. */
  width: number;
  /** See {@link H264EncoderOptions.height}. */
  height: number;
  /** See {@link H264EncoderOptions.fps}. */
  fps: number;
  /** See {@link H264EncoderOptions.bitrate}. */
  bitrate: number;
  /** See {@link H264EncoderOptions.gop}. */
  gop: number;
  /** See {@link H264EncoderOptions.rateControl}. */
  rateControl: "bitrate" | "quality";
  /** See {@link H264EncoderOptions.qpMin}. */
  qpMin: number;
  /** See {@link H264EncoderOptions.qpMax}. */
  qpMax: number;
}

/** Checks a bitrate in bits per second. */
export function checkBitrate(bitrate: unknown): number {
  if (
    typeof bitrate !== "number" || !Number.isInteger(bitrate) || bitrate < 10_000 ||
    bitrate > 100_000_000
  ) {
    throw new RangeError(
      `bitrate must be an integer from 10000 to 100000000 bits per second, got ${String(bitrate)}`,
    );
  }
  return bitrate;
}

/** Fills in defaults and checks every setting, naming the bad one. */
export function resolveEncoderOptions(options: H264EncoderOptions): ResolvedEncoderOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("encoder options must be an object with width and height");
  }
  checkSize(options.width, options.height);
  const fps = options.fps ?? 30;
  if (typeof fps !== "number" || !(fps > 0 && fps <= 240)) {
    throw new RangeError(`fps must be a number above 0 and at most 240, got ${String(fps)}`);
  }
  const gop = options.gop ?? 30;
  if (!Number.isInteger(gop) || gop < 1 || gop > 1000) {
    throw new RangeError(`gop must be an integer from 1 to 1000 frames, got ${String(gop)}`);
  }
  const rateControl = options.rateControl ?? "bitrate";
  if (rateControl !== "bitrate" && rateControl !== "quality") {
    throw new RangeError(
      `rateControl must be "bitrate" or "quality", got ${JSON.stringify(rateControl)}`,
    );
  }
  const qpMin = options.qpMin ?? 10;
  const qpMax = options.qpMax ?? 40;
  for (const [name, qp] of [["qpMin", qpMin], ["qpMax", qpMax]] as const) {
    if (!Number.isInteger(qp) || qp < 0 || qp > 51) {
      throw new RangeError(`${name} must be an integer from 0 to 51, got ${String(qp)}`);
    }
  }
  if (qpMin > qpMax) throw new RangeError(`qpMin (${qpMin}) must not be above qpMax (${qpMax})`);
  return {
    width: options.width,
    height: options.height,
    fps,
    bitrate: checkBitrate(options.bitrate ?? 2_000_000),
    gop,
    rateControl,
    qpMin,
    qpMax,
  };
}

/**
 * Reads a bitrate as people write it: `2M`, `2.5m`, `500k`, `800000`. Throws `RangeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBitrate } from "./options.ts";
 * assert.equal(parseBitrate("2M"), 2_000_000);
 * assert.equal(parseBitrate("500k"), 500_000);
 * ```
 */
export function parseBitrate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) {
    throw new RangeError(
      `a bitrate is a number with an optional k or M, like 2M or 500k; got "${text}"`,
    );
  }
  const unit = m[2].toLowerCase() === "m" ? 1e6 : m[2].toLowerCase() === "k" ? 1e3 : 1;
  return checkBitrate(Math.round(Number(m[1]) * unit));
}
