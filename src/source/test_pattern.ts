/**
 * The built-in test pattern: colour bars with a box that sweeps across, and a burned-in frame counter
 * and wall clock, so a viewer can read both motion and end-to-end latency off the picture (compare
 * the clock in the picture with a clock beside the screen).
 *
 * Rendering copies a precomputed background and fills a few hundred short runs per frame: well under
 * a millisecond at 1280x720.
 *
 * @module
 */

import { checkSize, PixelFormat, type RawFrame } from "../codec/raw_frame.ts";

// BT.601 limited-range Y, U, V of 75 % colour bars: white, yellow, cyan, green, magenta, red, blue.
const BARS: readonly (readonly [number, number, number])[] = [
  [180, 128, 128],
  [162, 44, 142],
  [131, 156, 44],
  [112, 72, 58],
  [84, 184, 198],
  [65, 100, 212],
  [35, 212, 114],
];

// 5x7 glyphs, one string of 7 rows of 5 bits each.
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  "0": ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
  "1": ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
  "2": ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
  "3": ["11111", "00010", "00100", "00010", "00001", "10001", "01110"],
  "4": ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
  "5": ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
  "6": ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
  "7": ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
  "8": ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
  "9": ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
  ":": ["00000", "01100", "01100", "00000", "01100", "01100", "00000"],
  ".": ["00000", "00000", "00000", "00000", "00000", "01100", "01100"],
  " ": ["00000", "00000", "00000", "00000", "00000", "00000", "00000"],
};

/** Settings of {@link TestPattern}. */
export interface TestPatternOptions {
  /** Width in pixels (even). Default 1280. */
  width?: number;
  /** Height in pixels (even). Default 720. */
  height?: number;
}

/** Draws test pattern frames in I420. */
export class TestPattern {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  #frame: Uint8Array;
  #scale: number;

  /** Paints the background for this size. */
  constructor(options: TestPatternOptions = {}) {
    const width = options.width ?? 1280;
    const height = options.height ?? 720;
    checkSize(width, height);
    this.width = width;
    this.height = height;
    this.#scale = Math.max(1, Math.floor(height / 180));
    this.#frame = new Uint8Array(width * height * 3 / 2);
    paintBackground(this.#frame, width, height, 0, height);
  }

  /**
   * Draws frame number `index` with the wall time `wallMs` burned in. The returned frame's buffer is
   * reused by the next call.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TestPattern } from "./test_pattern.ts";
   *
   * const pattern = new TestPattern({ width: 320, height: 240 });
   * const frame = pattern.draw(7, Date.UTC(2026, 0, 1, 12, 34, 56, 789), 233_333);
   * assert.equal(frame.data.length, 320 * 240 * 3 / 2);
   * assert.equal(frame.timestamp, 233_333);
   * ```
   */
  draw(index: number, wallMs: number, timestampUs: number): RawFrame {
    const { width: w, height: h } = this;
    const frame = this.#frame;
    // Only the rows of the box and of the band change: they are painted over the last frame's
    // (no copy of the whole background is kept: 1.4 MB at 720p).
    const box = Math.floor(h / 5) & ~1;
    const boxY = Math.floor((h - box) / 2) & ~1;
    const s = this.#scale * 2;
    const lineHeight = 9 * s;
    const bandHeight = Math.min(h, lineHeight * 2 + 2 * s) & ~1;
    paintBackground(frame, w, h, boxY, Math.min(h, boxY + box));
    paintBackground(frame, w, h, 0, bandHeight);
    // A box sweeping left to right once every 4 s at 30 fps: motion an encoder has to follow.
    const travel = w - box;
    const x = Math.floor(((index % 120) / 120) * travel) & ~1;
    fillRect(frame, w, h, x, boxY, box, box, 235, 128, 128);
    // Frame counter and wall clock (UTC) in a black band at the top left.
    const text = [
      String(index % 1_000_000).padStart(6, "0"),
      new Date(wallMs).toISOString().slice(11, 23),
    ];
    const bandWidth = Math.min(w, (text[1].length * 6 + 2) * s) & ~1;
    fillRect(frame, w, h, 0, 0, bandWidth, bandHeight, 16, 128, 128);
    text.forEach((line, i) => drawText(frame, w, h, s, s, s + i * lineHeight, line));
    return {
      data: frame,
      format: PixelFormat.I420,
      width: w,
      height: h,
      timestamp: timestampUs,
    };
  }
}

/**
 * Paints the background (colour bars, and a luma ramp along the bottom eighth) over luma rows
 * `top` to `bottom` (even) and their chroma rows.
 */
function paintBackground(frame: Uint8Array, w: number, h: number, top: number, bottom: number) {
  const uOffset = w * h;
  const vOffset = uOffset + (w / 2) * (h / 2);
  const rampTop = (h - Math.floor(h / 8)) & ~1;
  const barsEnd = Math.min(bottom, rampTop);
  for (let b = 0; b < BARS.length; b++) {
    const x0 = Math.floor((b * w) / BARS.length) & ~1;
    const x1 = b === BARS.length - 1 ? w : Math.floor(((b + 1) * w) / BARS.length) & ~1;
    const [y, u, v] = BARS[b];
    for (let row = top; row < barsEnd; row++) frame.fill(y, row * w + x0, row * w + x1);
    for (let row = top / 2; row < barsEnd / 2; row++) {
      frame.fill(u, uOffset + row * (w / 2) + x0 / 2, uOffset + row * (w / 2) + x1 / 2);
      frame.fill(v, vOffset + row * (w / 2) + x0 / 2, vOffset + row * (w / 2) + x1 / 2);
    }
  }
  // The ramp, for judging levels and banding; grey chroma under it.
  for (let row = Math.max(top, rampTop); row < bottom; row++) {
    for (let x = 0; x < w; x++) frame[row * w + x] = 16 + Math.floor((x * 219) / (w - 1));
  }
  for (let row = Math.max(top, rampTop) / 2; row < bottom / 2; row++) {
    frame.fill(128, uOffset + row * (w / 2), uOffset + (row + 1) * (w / 2));
    frame.fill(128, vOffset + row * (w / 2), vOffset + (row + 1) * (w / 2));
  }
}

/** Fills a rectangle (even position and size) with one colour, clipped to the picture. */
function fillRect(
  frame: Uint8Array,
  w: number,
  h: number,
  x: number,
  y: number,
  rw: number,
  rh: number,
  Y: number,
  U: number,
  V: number,
): void {
  const x1 = Math.min(w, x + rw);
  const y1 = Math.min(h, y + rh);
  if (x >= x1 || y >= y1) return;
  for (let row = y; row < y1; row++) frame.fill(Y, row * w + x, row * w + x1);
  const uOffset = w * h;
  const vOffset = uOffset + (w / 2) * (h / 2);
  for (let row = y >> 1; row < y1 >> 1; row++) {
    frame.fill(U, uOffset + row * (w / 2) + (x >> 1), uOffset + row * (w / 2) + (x1 >> 1));
    frame.fill(V, vOffset + row * (w / 2) + (x >> 1), vOffset + row * (w / 2) + (x1 >> 1));
  }
}

/** Draws `text` in white glyphs of `s`×`s` pixel dots (luma only: the band is already grey). */
function drawText(
  frame: Uint8Array,
  w: number,
  h: number,
  s: number,
  x0: number,
  y0: number,
  text: string,
): void {
  for (let c = 0; c < text.length; c++) {
    const glyph = GLYPHS[text[c]] ?? GLYPHS[" "];
    const gx = x0 + c * 6 * s;
    for (let gy = 0; gy < 7; gy++) {
      const bits = glyph[gy];
      for (let bx = 0; bx < 5; bx++) {
        if (bits[bx] !== "1") continue;
        const px = gx + bx * s;
        const py = y0 + gy * s;
        if (px + s > w || py + s > h) continue;
        for (let row = py; row < py + s; row++) frame.fill(235, row * w + px, row * w + px + s);
      }
    }
  }
}
