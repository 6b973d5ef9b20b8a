/**
 * JPEG to I420 with libjpeg-turbo compiled to WebAssembly: what turns a webcam's MJPEG (or an
 * ESP32-CAM's JPEG) into frames for the H.264 encoder. Each decoder owns one module instance; its
 * input and output buffers live in that instance and are reused (they only grow), so decoding
 * frame after frame allocates nothing new.
 *
 * Output: planar Y, U, V at 4:2:0, BT.601 limited range (what the encoder's stream signals; JFIF
 * stores full range, `fullRange: true` keeps it). H.264 4:2:0 needs even sizes, so a JPEG of odd
 * width or height loses its last column or row. 4:2:0, 4:2:2, 4:4:0, 4:4:4 and greyscale JPEGs take
 * libjpeg's raw path (no colour conversion; chroma averaged down where needed), other YCbCr or RGB
 * layouts its upsampling path; CMYK/YCCK are refused. Sides above 4096 pixels are refused before
 * anything is allocated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JpegDecoder } from "./jpeg_decoder.ts";
 * import { JpegError } from "../codec/jpeg.ts";
 *
 * const decoder = await JpegDecoder.create();
 * assert.throws(() => decoder.decode(new Uint8Array([1, 2, 3])), JpegError);
 * decoder.close();
 * ```
 *
 * @module
 */

import { JpegError } from "../codec/jpeg.ts";
import {
  instantiateJpeg,
  JPEG_FLAG_FULL_RANGE,
  JpegBridgeError,
  type JpegExports,
  type JpegInstance,
  JpegResult,
  loadJpegModule,
  loadJpegModuleSync,
} from "./wasm_binding.ts";

/** A decoded picture. */
export interface DecodedJpeg {
  /** Width of the I420 picture: the JPEG's, made even. */
  width: number;
  /** Height of the I420 picture: the JPEG's, made even. */
  height: number;
  /** I420: `width * height` bytes of Y, then U and V of `width/2 * height/2` bytes each. */
  data: Uint8Array;
  /** libjpeg's first warning when it recovered from damaged data (e.g. "Premature end of JPEG
   * file": the rest of the picture is grey). The picture is still delivered. */
  warning?: string;
}

/** Options of {@link JpegDecoder.decode}. */
export interface JpegDecodeOptions {
  /** Keep JPEG's full-range samples (0..255) instead of BT.601 limited range. Default false. */
  fullRange?: boolean;
  /** Return a view into the decoder's memory instead of a copy: valid only until the next
   * `decode` or `close`. Default false. */
  view?: boolean;
}

const textDecoder = new TextDecoder();

/** A libjpeg-turbo decoder in its own WebAssembly instance. */
export class JpegDecoder {
  #wasm: JpegInstance;
  #x: JpegExports;
  #handle: number;

  private constructor(wasm: JpegInstance) {
    this.#wasm = wasm;
    this.#x = wasm.exports;
    this.#handle = this.#x.rjpg_decoder_create();
    if (this.#handle <= 0) {
      throw new JpegError("memory", `creating the JPEG decoder failed (code ${this.#handle})`);
    }
  }

  /** Compiles the embedded module (once per thread) and starts a decoder. */
  static async create(): Promise<JpegDecoder> {
    return new JpegDecoder(instantiateJpeg(await loadJpegModule()));
  }

  /**
   * {@link create}, synchronously: the module is compiled in this thread on first use, but its text
   * must have been imported by one `await JpegDecoder.create()` (or `loadJpegModule()`) before.
   */
  static createSync(): JpegDecoder {
    return new JpegDecoder(instantiateJpeg(loadJpegModuleSync()));
  }

  /**
   * Decodes one JPEG to I420. Throws {@link JpegError} for data it cannot decode (the decoder
   * stays usable) and a plain Error once closed.
   */
  decode(jpeg: Uint8Array, options: JpegDecodeOptions = {}): DecodedJpeg {
    if (this.#handle <= 0) throw new Error("the JPEG decoder is closed");
    if (jpeg.length < 2) throw new JpegError("truncated", `${jpeg.length} bytes are not a JPEG`);
    const x = this.#x;
    const input = x.rjpg_input(this.#handle, jpeg.length);
    if (input === 0) {
      throw new JpegError("memory", `no memory for a ${jpeg.length}-byte JPEG`);
    }
    this.#wasm.heap().set(jpeg, input);
    const flags = options.fullRange ? JPEG_FLAG_FULL_RANGE : 0;
    const rc = x.rjpg_decode(this.#handle, jpeg.length, flags);
    if (rc < 0) throw this.#error(rc);
    const heap = this.#wasm.heap();
    const result = new Int32Array(heap.buffer, x.rjpg_result(this.#handle), 8);
    const width = result[JpegResult.Width], height = result[JpegResult.Height];
    const size = width * height + (width / 2) * (height / 2) * 2;
    const output = x.rjpg_output(this.#handle);
    const view = heap.subarray(output, output + size);
    const decoded: DecodedJpeg = { width, height, data: options.view ? view : view.slice() };
    if (result[JpegResult.Warnings] > 0) decoded.warning = this.#text(x.rjpg_warning(this.#handle));
    return decoded;
  }

  /** Bytes of WebAssembly memory the decoder's instance holds (memory only ever grows). */
  get memoryBytes(): number {
    return this.#x.memory.buffer.byteLength;
  }

  /** Frees the decoder and drops its instance; later calls throw. */
  close(): void {
    if (this.#handle > 0) this.#x.rjpg_decoder_destroy(this.#handle);
    this.#handle = 0;
  }

  #text(pointer: number): string {
    const heap = this.#wasm.heap();
    let end = pointer;
    while (end < heap.length && heap[end] !== 0) end++;
    return textDecoder.decode(heap.subarray(pointer, end));
  }

  #error(rc: number): JpegError {
    const message = this.#text(this.#x.rjpg_message(this.#handle));
    switch (rc) {
      case JpegBridgeError.Jpeg:
        return new JpegError("invalid", `corrupt JPEG: ${message}`);
      case JpegBridgeError.Scans:
        return new JpegError("invalid", `corrupt JPEG: ${message}`);
      case JpegBridgeError.TooLarge:
        return new JpegError("too-large", `JPEG too large: ${message}`);
      case JpegBridgeError.TooSmall:
        return new JpegError("too-small", `JPEG too small: ${message}`);
      case JpegBridgeError.Unsupported:
        return new JpegError("unsupported", `unsupported JPEG: ${message}`);
      case JpegBridgeError.NoMemory:
        return new JpegError("memory", `out of memory decoding a JPEG: ${message}`);
      default:
        return new JpegError("invalid", `the JPEG bridge failed with code ${rc}`);
    }
  }
}
