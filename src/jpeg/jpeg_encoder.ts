/**
 * I420 to JPEG with libjpeg-turbo's compressor compiled to WebAssembly (the same module as
 * {@link JpegDecoder}): what turns a decoded H.264 picture into a snapshot. No I/O: a picture in,
 * JPEG bytes out. Each encoder owns one module instance; its buffers are reused (they only grow).
 *
 * Output: baseline JFIF, 4:2:0, Huffman-coded, what every viewer reads. The input is taken as
 * BT.601 limited range (what H.264 streams and {@link JpegDecoder} give) and expanded to JFIF's
 * full range; `fullRange: true` says it is full range already.
 *
 * Scaling down (`width`) is an area average (box filter) in C, on the copy of the picture already
 * in WebAssembly memory: every source pixel counts once, which is what a thumbnail wants (no
 * aliasing from skipped pixels, no ringing), it needs no extra pass over the picture in JavaScript,
 * and its cost is one read of the source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JpegEncoder } from "./jpeg_encoder.ts";
 *
 * const encoder = await JpegEncoder.create();
 * const grey = new Uint8Array(16 * 16).fill(128), chroma = new Uint8Array(8 * 8).fill(128);
 * const jpeg = encoder.encode({ width: 16, height: 16, y: grey, u: chroma, v: chroma });
 * assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8]);
 * encoder.close();
 * ```
 *
 * @module
 */

import { checkI420, chromaSize, type I420Picture } from "../codec/i420_picture.ts";
import { JpegError } from "../codec/jpeg.ts";
import {
  instantiateJpeg,
  JPEG_FLAG_FULL_RANGE,
  JpegBridgeError,
  type JpegExports,
  type JpegInstance,
  loadJpegModule,
} from "./wasm_binding.ts";

/** Options of {@link JpegEncoder.encode}. */
export interface JpegEncodeOptions {
  /** JPEG quality 1..100 (libjpeg's scale). Default 80. */
  quality?: number;
  /** Scale down to this width (made even), keeping the aspect ratio with an even height. Never
   * scales up: a width at or above the picture's gives the picture's own size. */
  width?: number;
  /** The picture is full range (JFIF) already, not BT.601 limited range. Default false. */
  fullRange?: boolean;
}

/** Default JPEG quality: small files with no visible blocking on camera pictures. */
export const DEFAULT_JPEG_QUALITY = 80;

/**
 * The size a `width` × `height` picture is encoded at when asked for `target` pixels across: the
 * picture's own size without a target or when the target is not smaller, else the target made
 * even and the height that keeps the aspect ratio, made even (at least 2 each). Throws a
 * RangeError for a target that is not a positive integer.
 */
export function scaledSize(
  width: number,
  height: number,
  target?: number,
): { width: number; height: number } {
  if (target === undefined) return { width, height };
  if (!Number.isInteger(target) || target < 1) {
    throw new RangeError(`the width must be a positive integer, got ${target}`);
  }
  if (target >= width) return { width, height };
  const w = Math.max(2, target & ~1);
  const h = Math.min(height, Math.max(2, Math.round((height * w) / width / 2) * 2));
  return { width: w, height: h };
}

const textDecoder = new TextDecoder();

/** A libjpeg-turbo compressor in its own WebAssembly instance. */
export class JpegEncoder {
  #wasm: JpegInstance;
  #x: JpegExports;
  #handle: number;

  private constructor(wasm: JpegInstance) {
    this.#wasm = wasm;
    this.#x = wasm.exports;
    this.#handle = this.#x.rjpg_encoder_create();
    if (this.#handle <= 0) {
      throw new JpegError("memory", `creating the JPEG encoder failed (code ${this.#handle})`);
    }
  }

  /** Compiles the embedded module (once per thread) and starts an encoder. */
  static async create(): Promise<JpegEncoder> {
    return new JpegEncoder(instantiateJpeg(await loadJpegModule()));
  }

  /**
   * Encodes one I420 picture to a JPEG. Throws a RangeError for a malformed picture or bad
   * options, {@link JpegError} when libjpeg fails (out of memory), and a plain Error once closed.
   */
  encode(picture: I420Picture, options: JpegEncodeOptions = {}): Uint8Array {
    if (this.#handle <= 0) throw new Error("the JPEG encoder is closed");
    checkI420(picture);
    const quality = options.quality ?? DEFAULT_JPEG_QUALITY;
    if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
      throw new RangeError(`the JPEG quality must be an integer 1..100, got ${quality}`);
    }
    const { width, height } = picture;
    const out = scaledSize(width, height, options.width);
    const c = chromaSize(width, height);
    const size = width * height + 2 * c.width * c.height;
    const x = this.#x;
    const input = x.rjpg_encoder_input(this.#handle, size);
    if (input === 0) throw new JpegError("memory", `no memory for a ${width}x${height} picture`);
    const heap = this.#wasm.heap();
    copyPlane(heap, input, picture.y, width, height, picture.yStride ?? width);
    const uvStride = picture.uvStride ?? c.width;
    copyPlane(heap, input + width * height, picture.u, c.width, c.height, uvStride);
    copyPlane(
      heap,
      input + width * height + c.width * c.height,
      picture.v,
      c.width,
      c.height,
      uvStride,
    );
    const flags = options.fullRange ? JPEG_FLAG_FULL_RANGE : 0;
    const rc = x.rjpg_encode(this.#handle, width, height, out.width, out.height, quality, flags);
    if (rc < 0) throw this.#error(rc);
    const output = x.rjpg_encoder_output(this.#handle);
    return this.#wasm.heap().slice(output, output + rc);
  }

  /** Frees the encoder and drops its instance; later calls throw. */
  close(): void {
    if (this.#handle > 0) this.#x.rjpg_encoder_destroy(this.#handle);
    this.#handle = 0;
  }

  #error(rc: number): Error {
    const heap = this.#wasm.heap();
    const pointer = this.#x.rjpg_encoder_message(this.#handle);
    let end = pointer;
    while (end < heap.length && heap[end] !== 0) end++;
    const message = textDecoder.decode(heap.subarray(pointer, end));
    if (rc === JpegBridgeError.NoMemory) {
      return new JpegError("memory", `out of memory encoding a JPEG: ${message}`);
    }
    if (rc === JpegBridgeError.Param) return new RangeError(`JPEG encoder: ${message}`);
    return new JpegError("invalid", `encoding the JPEG failed (code ${rc}): ${message}`);
  }
}

/** Copies `rows` rows of `width` bytes, `stride` apart in `plane`, to `at` in `heap`, packed. */
function copyPlane(
  heap: Uint8Array,
  at: number,
  plane: Uint8Array,
  width: number,
  rows: number,
  stride: number,
): void {
  if (stride === width) {
    heap.set(plane.subarray(0, width * rows), at);
    return;
  }
  for (let r = 0; r < rows; r++) {
    heap.set(plane.subarray(r * stride, r * stride + width), at + r * width);
  }
}
