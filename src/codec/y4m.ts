/**
 * YUV4MPEG2 (`.y4m`, ffmpeg's `-f yuv4mpegpipe`): a text header, then `FRAME` lines each followed
 * by one raw picture. The parser is incremental (chunks may split anywhere) and bounded: it holds at
 * most one frame plus one chunk.
 *
 * @module
 */

import { CodecError } from "./h264.ts";

/** What the stream header says. */
export interface Y4mHeader {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Frames per second (`F` numerator / denominator); 30 when absent or zero. */
  fps: number;
  /** Colour space: `"420"` (any 4:2:0 siting) or `"mono"`. Others are refused. */
  colorspace: "420" | "mono";
  /** Bytes of one picture. */
  frameBytes: number;
}

const SIGNATURE = "YUV4MPEG2";
const MAX_LINE = 1024;
const FRAME = [0x46, 0x52, 0x41, 0x4d, 0x45]; // "FRAME"

/** Parses a stream header line (without its newline). Throws {@link CodecError}. */
export function parseY4mHeader(line: string): Y4mHeader {
  const fields = line.split(" ").filter((f) => f !== "");
  if (fields[0] !== SIGNATURE) {
    throw new CodecError("not a YUV4MPEG2 stream (no YUV4MPEG2 signature)");
  }
  let width = 0;
  let height = 0;
  let fps = 30;
  let colorspace: "420" | "mono" = "420";
  for (const field of fields.slice(1)) {
    const value = field.slice(1);
    switch (field[0]) {
      case "W":
        width = Number(value);
        break;
      case "H":
        height = Number(value);
        break;
      case "F": {
        const [n, d] = value.split(":").map(Number);
        if (n > 0 && d > 0) fps = n / d;
        break;
      }
      case "C":
        if (value.startsWith("420")) colorspace = "420";
        else if (value === "mono") colorspace = "mono";
        else {
          throw new CodecError(
            `Y4M colour space C${value} is not supported; use 4:2:0 (ffmpeg -pix_fmt yuv420p)`,
          );
        }
        break;
      case "I":
        if (value !== "p" && value !== "?") {
          throw new CodecError("interlaced Y4M is not supported; deinterlace first");
        }
        break;
    }
  }
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 4096 || v % 2 !== 0) {
      throw new CodecError(`Y4M ${name} must be an even number from 16 to 4096, got ${v}`);
    }
  }
  if (!(fps > 0 && fps <= 240)) throw new CodecError(`Y4M frame rate ${fps} is out of range`);
  const frameBytes = colorspace === "mono" ? width * height : width * height * 3 / 2;
  return { width, height, fps, colorspace, frameBytes };
}

/**
 * Splits a Y4M byte stream into its header and pictures.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Y4mParser } from "./y4m.ts";
 *
 * const text = new TextEncoder();
 * const parser = new Y4mParser();
 * const picture = new Uint8Array(16 * 16 * 3 / 2).fill(7);
 * const frames = [
 *   ...parser.push(text.encode("YUV4MPEG2 W16 H16 F25:1 C420jpeg\nFRAME\n")),
 *   ...parser.push(picture),
 * ];
 * assert.equal(parser.header?.fps, 25);
 * assert.equal(frames.length, 1);
 * assert.deepEqual(frames[0], picture);
 * ```
 */
export class Y4mParser {
  #header: Y4mHeader | undefined;
  #buffer = new Uint8Array(0);
  #length = 0;

  /** The stream header, once read. */
  get header(): Y4mHeader | undefined {
    return this.#header;
  }

  /**
   * Takes the next chunk and returns the pictures it completed (fresh copies, I420 or luma only).
   * Throws {@link CodecError} on a malformed stream.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    this.#append(chunk);
    const frames: Uint8Array[] = [];
    let at = 0;
    for (;;) {
      const eol = this.#buffer.subarray(at, this.#length).indexOf(0x0a);
      if (eol < 0) {
        if (this.#length - at > MAX_LINE) throw new CodecError("Y4M header line too long");
        break;
      }
      const lineEnd = at + eol;
      if (!this.#header) {
        this.#header = parseY4mHeader(new TextDecoder().decode(this.#buffer.subarray(at, lineEnd)));
        at = lineEnd + 1;
        continue;
      }
      if (!FRAME.every((b, i) => this.#buffer[at + i] === b)) {
        throw new CodecError("Y4M frame does not start with FRAME");
      }
      const start = lineEnd + 1;
      const end = start + this.#header.frameBytes;
      if (end > this.#length) break;
      frames.push(this.#buffer.slice(start, end));
      at = end;
    }
    if (at > 0) {
      // Once per picture at most: keep the unread tail (less than one chunk) at the front.
      this.#buffer.copyWithin(0, at, this.#length);
      this.#length -= at;
    }
    return frames;
  }

  #append(chunk: Uint8Array): void {
    const need = this.#length + chunk.length;
    if (need > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(need, this.#buffer.length * 2, 4096));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#length);
    this.#length = need;
  }
}
