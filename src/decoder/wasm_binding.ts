/**
 * The low-level face of the OpenH264 decoder module (wasm/decoder_bridge.c): import, inflate and
 * compile the embedded module once per thread, instantiate it with the imports OpenH264 needs (the
 * encoder's, see `instantiateOpenH264`), and type its `rdec_*` exports.
 *
 * @module
 */

import { decodeBase64, instantiateOpenH264 } from "../encoder/wasm_binding.ts";

/** Negative return codes of the bridge (`RDEC_ERR_*` in wasm/decoder_bridge.c). */
export const DecoderBridgeError = {
  /** No live decoder with that handle. */
  Handle: -1,
  /** Length out of range. */
  Param: -2,
  /** WebAssembly memory cannot grow. */
  NoMemory: -3,
  /** 16 decoders are already live in this instance. */
  Limit: -4,
  /** The stream's picture is larger than 4096 × 2304 samples. */
  TooLarge: -5,
  /** `rdec_decode`: at or below this, OpenH264 reported `Stream - code` (its DECODING_STATE). */
  Stream: -1000,
} as const;

/** Indices into the four int32 of `rdec_result`. */
export const DecoderResult = {
  /** Width of the last picture. */
  Width: 0,
  /** Height of the last picture. */
  Height: 1,
  /** OpenH264's DECODING_STATE of the last decode (0: no error). */
  State: 2,
  /** Pictures output so far. */
  Pictures: 3,
} as const;

/** The module's exports. Pointers are byte offsets into `memory`; 0 is NULL. */
export interface DecoderExports {
  /** Linear memory; its buffer is replaced whenever it grows. */
  readonly memory: WebAssembly.Memory;
  /** A handle (> 0) for a new decoder, or a negative {@link DecoderBridgeError} code. */
  rdec_create(): number;
  /** Frees a decoder; unknown handles are ignored. */
  rdec_destroy(handle: number): void;
  /** Pointer to the input buffer for `length` bytes (grow-only), or 0. */
  rdec_input(handle: number, length: number): number;
  /** Decodes `length` input bytes: 1 picture ready, 0 none, or a negative code. */
  rdec_decode(handle: number, length: number): number;
  /** Pointer to the last picture (packed I420), or 0. */
  rdec_output(handle: number): number;
  /** Pointer to four int32 ({@link DecoderResult}), or 0. */
  rdec_result(handle: number): number;
  /** malloc; 0 on failure or when `size <= 0`. */
  rdec_malloc(size: number): number;
  /** free. */
  rdec_free(pointer: number): void;
}

/** One instance: typed exports and fresh views of its memory. */
export interface DecoderInstance {
  /** The exports, typed. */
  readonly exports: DecoderExports;
  /** All of memory as bytes; a fresh view after memory grew, the same one otherwise. */
  heap(): Uint8Array;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * Inflates and compiles the embedded module, once per thread. Its text
 * (wasm/openh264_decoder_wasm.ts, generated) is imported here on first use, so that importing the
 * server does not parse it.
 */
export function loadDecoderModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const [{ inflateSync }, m] = await Promise.all([
      import("fflate"),
      import("../../wasm/openh264_decoder_wasm.ts"),
    ]);
    const wasm = inflateSync(decodeBase64(m.OPENH264_DECODER_WASM_DEFLATED));
    if (wasm.length !== m.OPENH264_DECODER_WASM_SIZE) {
      throw new Error(
        `the embedded decoder module inflated to ${wasm.length} bytes, expected ${m.OPENH264_DECODER_WASM_SIZE}`,
      );
    }
    return await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  })();
  compiled.catch(() => (compiled = undefined)); // a failed load may be retried
  return compiled;
}

/** Instantiates the module (synchronously) and runs its static constructors. */
export function instantiateDecoder(module: WebAssembly.Module): DecoderInstance {
  const { exports, heap } = instantiateOpenH264<DecoderExports>(module, "decoder");
  return { exports, heap };
}
