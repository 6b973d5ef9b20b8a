/**
 * The low-level TypeScript face of the OpenH264 WebAssembly module (wasm/bridge.c): load the
 * embedded module once, instantiate it with the few WASI imports it needs, and call its `rtse_*`
 * exports with typed signatures. No file system and no network: the module never asks for them.
 *
 * @example Encode one grey I420 frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameType, instantiateEncoder, loadEncoderModule, PixelFormat } from "./wasm_binding.ts";
 *
 * const wasm = instantiateEncoder(await loadEncoderModule());
 * const x = wasm.exports;
 * const handle = x.rtse_encoder_create(64, 48, 30, 200_000, 30, 0, 0, 0);
 * assert.ok(handle > 0);
 * const size = x.rtse_frame_size(PixelFormat.I420, 64, 48);
 * wasm.view(x.rtse_encoder_input(handle, PixelFormat.I420), size).fill(128);
 * const n = x.rtse_encoder_encode(handle, PixelFormat.I420, 0);
 * const annexB = wasm.view(x.rtse_encoder_output(handle), n).slice();
 * assert.deepEqual([...annexB.subarray(0, 5)], [0, 0, 0, 1, 0x67]); // SPS first
 * assert.equal(x.rtse_encoder_frame_type(handle), FrameType.IDR);
 * x.rtse_encoder_destroy(handle);
 * ```
 *
 * @module
 */

/** Pixel formats of `rtse_*` calls: the codes of `src/source/raw_frame.ts`, fixed by the ABI. */
export { PixelFormat } from "../codec/raw_frame.ts";
/** One pixel format code. */
export type { PixelFormat as PixelFormatCode } from "../codec/raw_frame.ts";

/** OpenH264's `EVideoFrameType`, as `rtse_encoder_frame_type` returns it. */
export const FrameType = {
  /** No frame yet, or the last encode failed. */
  Invalid: 0,
  /** IDR picture (preceded by SPS and PPS). */
  IDR: 1,
  /** Non-IDR intra picture. */
  I: 2,
  /** Predicted picture. */
  P: 3,
  /** Rate control skipped the frame; nothing was output. */
  Skip: 4,
} as const;

/** Negative return codes of the bridge (wasm/bridge.c, `RTSE_ERR_*`). */
export const BridgeError = {
  /** Width or height odd, below 16 or above 4096. */
  Size: -1,
  /** Unknown pixel format. */
  Format: -2,
  /** fps, bitrate, gop, rc_mode, QP range or timestamp out of range. */
  Param: -3,
  /** No live encoder with that handle. */
  Handle: -4,
  /** Out of WebAssembly memory. */
  NoMemory: -5,
  /** 64 encoders are already live in this instance. */
  Limit: -6,
  /** `rtse_encoder_encode` before `rtse_encoder_input` for that format. */
  NoInput: -7,
  /** OpenH264 itself failed: the code is -100 minus its return value. */
  OpenH264: -100,
} as const;

/** The module's exports. Pointers are byte offsets into `memory`; 0 is NULL. */
export interface EncoderExports {
  /** Linear memory; its buffer is replaced whenever it grows. */
  readonly memory: WebAssembly.Memory;
  /** Bytes of one input frame of `format`, or -1 if the format or size is invalid. */
  rtse_frame_size(format: number, width: number, height: number): number;
  /** A handle (> 0) for a new encoder, or a negative {@link BridgeError} code. `rcMode` 0 is
   * bitrate, 1 quality (fixed QP when `qpMin === qpMax`); `gop` 0 means only the first IDR. */
  rtse_encoder_create(
    width: number,
    height: number,
    fps: number,
    bitrateBps: number,
    gop: number,
    rcMode: number,
    qpMin: number,
    qpMax: number,
  ): number;
  /** Pointer to the encoder's input buffer for one frame of `format` (grow-only), or 0. */
  rtse_encoder_input(handle: number, format: number): number;
  /** Encodes the input buffer: Annex B byte count, 0 if skipped, or a negative code. */
  rtse_encoder_encode(handle: number, format: number, timestampMs: number): number;
  /** Pointer to the last output (valid until the next encode), or 0. */
  rtse_encoder_output(handle: number): number;
  /** {@link FrameType} of the last frame, or a negative code. */
  rtse_encoder_frame_type(handle: number): number;
  /** Makes the next frame an IDR; 0 or a negative code. */
  rtse_encoder_force_keyframe(handle: number): number;
  /** Changes the target (and max) bitrate; 0 or a negative code. */
  rtse_encoder_set_bitrate(handle: number, bitrateBps: number): number;
  /** Changes the frame rate the rate control assumes; 0 or a negative code. */
  rtse_encoder_set_framerate(handle: number, fps: number): number;
  /** Frees the encoder; unknown handles are ignored. */
  rtse_encoder_destroy(handle: number): void;
  /** Converts one frame at `src` to I420 at `dst`; 0 or a negative code. */
  rtse_convert_to_i420(
    format: number,
    src: number,
    width: number,
    height: number,
    dst: number,
  ): number;
  /** malloc; 0 on failure or when `size <= 0`. */
  rtse_malloc(size: number): number;
  /** free. */
  rtse_free(pointer: number): void;
}

/** The compiled module; cheap to instantiate many times (one instance per Worker). */
export type EncoderModule = WebAssembly.Module;

/** One instance of the module: its typed exports and views of its memory. */
export interface EncoderInstance {
  /** The exports, typed. */
  readonly exports: EncoderExports;
  /** Linear memory (same as `exports.memory`). */
  readonly memory: WebAssembly.Memory;
  /** All of memory as bytes; a fresh view after memory grew, the same one otherwise. */
  heap(): Uint8Array;
  /** `length` bytes at `pointer`, over the current memory; do not keep it across calls that
   * may allocate (any `rtse_*` call except the getters). */
  view(pointer: number, length: number): Uint8Array;
}

let compiled: Promise<EncoderModule> | undefined;

/** The bytes of base64 `text` (the embedded modules' text; shared with the decoder's). */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Inflates and compiles the embedded module, once per process (later calls share it). The module's
 * text (wasm/openh264_wasm.ts, generated) and fflate are imported here, on first use, so that
 * importing the server does not parse a quarter megabyte of base64.
 */
export function loadEncoderModule(): Promise<EncoderModule> {
  compiled ??= (async () => {
    const [{ inflateSync }, { OPENH264_WASM_DEFLATED, OPENH264_WASM_SIZE }] = await Promise.all([
      import("fflate"),
      import("../../wasm/openh264_wasm.ts"),
    ]);
    const wasm = inflateSync(decodeBase64(OPENH264_WASM_DEFLATED));
    if (wasm.length !== OPENH264_WASM_SIZE) {
      throw new Error(
        `the embedded OpenH264 module inflated to ${wasm.length} bytes, expected ${OPENH264_WASM_SIZE}`,
      );
    }
    return await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  })();
  compiled.catch(() => (compiled = undefined)); // a failed load may be retried
  return compiled;
}

/** WASI errno values the stubs return. */
const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_SPIPE = 70;

/**
 * The imports a standalone emscripten module may ask for. OpenH264 only writes to stderr (its trace
 * is switched off by the bridges) and reads the clock for statistics, so output is discarded, the
 * clock reads 0, and there are no arguments or environment. `proc_exit` (abort, e.g. on a failed
 * C++ allocation) throws: the instance must then be dropped. Shared with the decoder's module
 * (src/decoder/wasm_binding.ts), built by the same recipe, through {@link instantiateOpenH264}.
 */
function openh264Imports(
  memory: () => WebAssembly.Memory,
  onGrow: () => void,
): WebAssembly.Imports {
  const dv = (): DataView => new DataView(memory().buffer);
  const zeroPair = (a: number, b: number): number => {
    dv().setUint32(a, 0, true);
    dv().setUint32(b, 0, true);
    return ERRNO_SUCCESS;
  };
  return {
    wasi_snapshot_preview1: {
      fd_write(_fd: number, iovs: number, count: number, written: number): number {
        const view = dv();
        let total = 0;
        for (let i = 0; i < count; i++) total += view.getUint32(iovs + 8 * i + 4, true);
        view.setUint32(written, total, true);
        return ERRNO_SUCCESS;
      },
      fd_close: (): number => ERRNO_BADF,
      fd_seek: (): number => ERRNO_SPIPE,
      clock_time_get(_id: number, _precision: bigint, out: number): number {
        dv().setBigUint64(out, 0n, true);
        return ERRNO_SUCCESS;
      },
      environ_sizes_get: zeroPair,
      environ_get: (): number => ERRNO_SUCCESS,
      args_sizes_get: zeroPair,
      args_get: (): number => ERRNO_SUCCESS,
      proc_exit(code: number): never {
        throw new Error(`the OpenH264 module aborted (exit code ${code})`);
      },
    },
    env: { emscripten_notify_memory_growth: onGrow },
  };
}

/**
 * Instantiates an OpenH264 module built by the recipe of this one (the encoder's, or the decoder's)
 * with {@link openh264Imports}, runs its static constructors, and gives its typed exports, memory,
 * and a cached view of that memory. `name` says whose module it is in the error raised should it
 * touch memory too early.
 */
export function instantiateOpenH264<E extends { memory: WebAssembly.Memory }>(
  module: WebAssembly.Module,
  name: string,
): { exports: E; memory: WebAssembly.Memory; heap(): Uint8Array } {
  // Filled in once the instance exists; the imports only run after that.
  const state: { memory?: WebAssembly.Memory; heap?: Uint8Array } = {};
  const getMemory = (): WebAssembly.Memory => {
    if (!state.memory) throw new Error(`the ${name} module touched memory before it was ready`);
    return state.memory;
  };
  const onGrow = (): void => {
    state.heap = undefined;
  };
  const instance = new WebAssembly.Instance(module, openh264Imports(getMemory, onGrow));
  const exports = instance.exports as unknown as E & { _initialize(): void };
  const memory = exports.memory;
  state.memory = memory;
  exports._initialize();
  const heap = (): Uint8Array => {
    // emscripten_notify_memory_growth clears the view; the buffer check also covers growth
    // from outside (memory.grow() called by the host).
    if (!state.heap || state.heap.buffer !== memory.buffer) {
      state.heap = new Uint8Array(memory.buffer);
    }
    return state.heap;
  };
  return { exports, memory, heap };
}

/** Instantiates the module (synchronously) and runs its static constructors. */
export function instantiateEncoder(module: EncoderModule): EncoderInstance {
  const { exports, memory, heap } = instantiateOpenH264<EncoderExports>(module, "OpenH264");
  return {
    exports,
    memory,
    heap,
    view(pointer: number, length: number): Uint8Array {
      const bytes = heap();
      if (pointer <= 0 || length < 0 || pointer + length > bytes.length) {
        throw new RangeError(
          `${length} bytes at ${pointer} are outside the module's ${bytes.length}-byte memory`,
        );
      }
      return bytes.subarray(pointer, pointer + length);
    },
  };
}
