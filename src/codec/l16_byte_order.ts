/**
 * Telling big-endian L16 from little-endian samples mislabelled as L16 (MEDIA.md §1.2: go2rtc's
 * `PCML`, ffmpeg's `pcm_s16le`; played in the wrong order they are loud noise), and swapping them.
 * The test is a heuristic over a window of samples: real audio is smooth, so the mean step
 * |s[i] − s[i−1]| is far smaller read in the right byte order than in the swapped one, where every
 * low byte becomes a high byte.
 *
 * @module
 */

/** What {@link detectL16ByteOrder} concludes. */
export type L16ByteOrder = "big" | "little" | "unknown";

/** Options of {@link detectL16ByteOrder}. */
export interface L16ByteOrderOptions {
  /** Interleaved channels, 1 or more; default 1. */
  channels?: number;
  /** Fewest sample frames to judge by; default 256 (16 ms at 16 kHz). */
  minFrames?: number;
  /** How many times smoother one order must be than the other; default 2. */
  ratio?: number;
}

// Below this mean |sample| in the smoother order, the window is taken as silence.
const SILENCE = 16;

/**
 * Guesses the byte order of 16-bit PCM. Returns "unknown" for too few frames, silence (or nearly:
 * mean |sample| below 16 in both orders), and signals that are not `ratio` times smoother one way
 * than the other: white noise, and loud tones near the Nyquist frequency (a full-scale 1 kHz tone
 * at 8 kHz is only 1.5 times smoother than its swapped bytes). A trailing partial frame is ignored.
 * Pure and allocation-free.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectL16ByteOrder, swapL16ByteOrder } from "./l16_byte_order.ts";
 *
 * const big = new Uint8Array(2 * 800);
 * const view = new DataView(big.buffer);
 * for (let i = 0; i < 800; i++) view.setInt16(2 * i, Math.round(8000 * Math.sin(i / 8)));
 * assert.equal(detectL16ByteOrder(big), "big");
 * assert.equal(detectL16ByteOrder(swapL16ByteOrder(big)), "little");
 * assert.equal(detectL16ByteOrder(new Uint8Array(1600)), "unknown");
 * ```
 */
export function detectL16ByteOrder(
  bytes: Uint8Array,
  opts: L16ByteOrderOptions = {},
): L16ByteOrder {
  const channels = opts.channels ?? 1;
  const minFrames = opts.minFrames ?? 256;
  const ratio = opts.ratio ?? 2;
  if (!Number.isInteger(channels) || channels < 1) return "unknown";
  const stride = 2 * channels;
  const frames = Math.floor(bytes.length / stride);
  if (frames < Math.max(2, minFrames)) return "unknown";
  let stepBig = 0;
  let stepLittle = 0;
  let levelBig = 0;
  let levelLittle = 0;
  for (let c = 0; c < channels; c++) {
    let lastBig = 0;
    let lastLittle = 0;
    for (let f = 0; f < frames; f++) {
      const at = f * stride + 2 * c;
      const big = ((bytes[at] << 24) | (bytes[at + 1] << 16)) >> 16;
      const little = ((bytes[at + 1] << 24) | (bytes[at] << 16)) >> 16;
      levelBig += Math.abs(big);
      levelLittle += Math.abs(little);
      if (f > 0) {
        stepBig += Math.abs(big - lastBig);
        stepLittle += Math.abs(little - lastLittle);
      }
      lastBig = big;
      lastLittle = little;
    }
  }
  const count = frames * channels;
  if (Math.min(levelBig, levelLittle) / count < SILENCE) return "unknown";
  if (stepBig * ratio < stepLittle) return "big";
  if (stepLittle * ratio < stepBig) return "little";
  return "unknown";
}

/**
 * Swaps the bytes of every 16-bit sample, into a new array: big-endian ⇄ little-endian. A trailing
 * odd byte is copied as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { swapL16ByteOrder } from "./l16_byte_order.ts";
 *
 * assert.deepEqual([...swapL16ByteOrder(new Uint8Array([1, 2, 3, 4, 5]))], [2, 1, 4, 3, 5]);
 * ```
 */
export function swapL16ByteOrder(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) {
    out[i] = bytes[i + 1];
    out[i + 1] = bytes[i];
  }
  if (even < bytes.length) out[even] = bytes[even];
  return out;
}
