/**
 * H.264 to I420 with OpenH264's decoder compiled to WebAssembly (its own module, built like the
 * encoder's by scripts/build_wasm.ts): what the snapshot engine uses to turn a stream's GOP into a
 * picture. No I/O: bytes in, pictures out. Each decoder owns one module instance.
 *
 * Input is one access unit in Annex B (start codes; SPS and PPS may come with it or before it). A
 * picture comes out as soon as its access unit is complete: OpenH264 decodes without delay for
 * streams without B-frames, which is what cameras and our own encoder send.
 *
 * Errors never crash the process: a broken access unit throws an {@link H264DecodeError} and the
 * decoder stays usable (decoding resumes cleanly at the next keyframe). Should OpenH264 trap on a
 * hostile stream anyway, the instance is replaced by a fresh one and the error says so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264DecodeError, H264Decoder } from "./h264_decoder.ts";
 *
 * const decoder = await H264Decoder.create();
 * assert.throws(() => decoder.decode(new Uint8Array([0, 0, 0, 1, 0x65, 0xff])), H264DecodeError);
 * decoder.close();
 * ```
 *
 * @module
 */

import { type I420Picture, packedI420 } from "../codec/i420_picture.ts";
import {
  DecoderBridgeError,
  type DecoderExports,
  type DecoderInstance,
  DecoderResult,
  instantiateDecoder,
  loadDecoderModule,
} from "./wasm_binding.ts";

/** A decoded picture: packed I420 (`data`) with views of its planes. */
export interface DecodedPicture extends I420Picture {
  /** The whole picture: Y, U, V back to back (`yStride` = width, `uvStride` = ceil(width / 2)). */
  data: Uint8Array;
}

/** Options of {@link H264Decoder.decode}. */
export interface H264DecodeOptions {
  /** Return views into the decoder's memory instead of a copy: valid only until the next `decode`
   * or `close`. Default false. */
  view?: boolean;
}

/** The data could not be decoded; the decoder is still usable. */
export class H264DecodeError extends Error {
  /** OpenH264's DECODING_STATE bits (0 when the bridge itself refused). */
  readonly state: number;

  /** An error for `state`, with a message saying what went wrong. */
  constructor(message: string, state = 0) {
    super(message);
    this.name = "H264DecodeError";
    this.state = state;
  }
}

/** OpenH264's DECODING_STATE bits (codec_app_def.h), for messages. */
const STATE_NAMES: ReadonlyArray<[number, string]> = [
  [0x01, "frame pending"],
  [0x02, "reference lost"],
  [0x04, "bitstream error"],
  [0x08, "dependency layer lost"],
  [0x10, "no parameter sets"],
  [0x20, "concealed"],
  [0x40, "reference list empty"],
  [0x1000, "invalid argument"],
  [0x2000, "not initialised"],
  [0x4000, "out of memory"],
  [0x8000, "buffer too small"],
];

function describeState(state: number): string {
  const names = STATE_NAMES.filter(([bit]) => (state & bit) !== 0).map(([, name]) => name);
  return names.length > 0 ? names.join(", ") : `state 0x${state.toString(16)}`;
}

/** An OpenH264 decoder in its own WebAssembly instance. */
export class H264Decoder {
  #module: WebAssembly.Module;
  #wasm!: DecoderInstance;
  #x!: DecoderExports;
  #handle = 0;
  #closed = false;

  private constructor(module: WebAssembly.Module) {
    this.#module = module;
    this.#start();
  }

  /** Compiles the embedded module (once per thread) and starts a decoder. */
  static async create(): Promise<H264Decoder> {
    return new H264Decoder(await loadDecoderModule());
  }

  #start(): void {
    this.#wasm = instantiateDecoder(this.#module);
    this.#x = this.#wasm.exports;
    this.#handle = this.#x.rdec_create();
    if (this.#handle <= 0) {
      throw new Error(`starting the H.264 decoder failed (code ${this.#handle})`);
    }
  }

  /**
   * Decodes one access unit (Annex B). Returns the picture it completed, or undefined when it held
   * none (parameter sets only). Throws {@link H264DecodeError} for data it cannot decode, and a
   * plain Error once closed.
   */
  decode(accessUnit: Uint8Array, options: H264DecodeOptions = {}): DecodedPicture | undefined {
    if (this.#closed) throw new Error("the H.264 decoder is closed");
    if (accessUnit.length === 0) return undefined;
    let rc: number;
    try {
      const input = this.#x.rdec_input(this.#handle, accessUnit.length);
      if (input === 0) {
        throw new H264DecodeError(`no memory for a ${accessUnit.length}-byte access unit`);
      }
      this.#wasm.heap().set(accessUnit, input);
      rc = this.#x.rdec_decode(this.#handle, accessUnit.length);
    } catch (error) {
      if (error instanceof H264DecodeError) throw error;
      // A trap (or OpenH264's abort) leaves the instance in an unknown state: start afresh, so the
      // next keyframe decodes again.
      this.#start();
      throw new H264DecodeError(
        `the H.264 decoder failed on this data and was restarted: ${(error as Error).message}`,
      );
    }
    if (rc === 0) return undefined;
    if (rc < 0) throw this.#error(rc);
    return this.last(options);
  }

  /**
   * The last picture {@link decode} returned, again (it stays in the decoder until the next
   * picture, also across failed decodes), or undefined when there is none (none yet, or the
   * decoder was restarted after a failure). With `view`, valid until the next `decode`.
   */
  last(options: H264DecodeOptions = {}): DecodedPicture | undefined {
    if (this.#closed) throw new Error("the H.264 decoder is closed");
    const heap = this.#wasm.heap();
    const result = new Int32Array(heap.buffer, this.#x.rdec_result(this.#handle), 4);
    if (result[DecoderResult.Pictures] === 0) return undefined;
    const width = result[DecoderResult.Width], height = result[DecoderResult.Height];
    const size = width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
    const output = this.#x.rdec_output(this.#handle);
    const view = heap.subarray(output, output + size);
    const data = options.view ? view : view.slice();
    return { ...packedI420(data, width, height), data };
  }

  /** Bytes of WebAssembly memory the decoder's instance holds (memory only ever grows). */
  get memoryBytes(): number {
    return this.#x.memory.buffer.byteLength;
  }

  /** Frees the decoder and drops its instance; later calls throw. */
  close(): void {
    if (!this.#closed && this.#handle > 0) this.#x.rdec_destroy(this.#handle);
    this.#closed = true;
  }

  #error(rc: number): Error {
    if (rc <= DecoderBridgeError.Stream) {
      const state = DecoderBridgeError.Stream - rc;
      return new H264DecodeError(`cannot decode the access unit: ${describeState(state)}`, state);
    }
    switch (rc) {
      case DecoderBridgeError.NoMemory:
        return new H264DecodeError("out of memory decoding H.264");
      case DecoderBridgeError.TooLarge:
        return new H264DecodeError("the H.264 picture is larger than 4096x2304 samples");
      default:
        return new H264DecodeError(`the H.264 decoder bridge failed with code ${rc}`);
    }
  }
}
