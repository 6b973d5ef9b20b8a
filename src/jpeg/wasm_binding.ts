/**
 * The low-level face of the libjpeg-turbo WebAssembly module (wasm/jpeg_bridge.c, the decoder, and
 * wasm/jpeg_compress.c, the encoder): import, inflate and compile the embedded module once,
 * instantiate it with the three imports it needs, and type its `rjpg_*` exports. No WASI at all: the module neither prints nor reads files or clocks.
 *
 * @module
 */

/** Negative return codes of the bridge (wasm/jpeg_bridge.c, `RJPG_ERR_*`). */
export const JpegBridgeError = {
  /** No live decoder with that handle. */
  Handle: -1,
  /** Length or flags out of range. */
  Param: -2,
  /** WebAssembly memory cannot grow. */
  NoMemory: -3,
  /** 16 decoders are already live in this instance. */
  Limit: -4,
  /** libjpeg refused the data; `rjpg_message` says why. */
  Jpeg: -5,
  /** A side above 4096 pixels. */
  TooLarge: -6,
  /** A side below 2 pixels. */
  TooSmall: -7,
  /** A colour space the bridge does not convert (CMYK, YCCK). */
  Unsupported: -8,
  /** A progressive JPEG with more than 500 scans. */
  Scans: -9,
} as const;

/** `rjpg_decode` flag: keep JPEG's full-range samples instead of BT.601 limited range. For
 * `rjpg_encode`: the input is full range already (no expansion from BT.601 limited range). */
export const JPEG_FLAG_FULL_RANGE = 1;

/** Indices into the eight int32 of `rjpg_result`. */
export const JpegResult = {
  /** Width of the I420 picture (the JPEG's, made even). */
  Width: 0,
  /** Height of the I420 picture. */
  Height: 1,
  /** The JPEG's own width. */
  ImageWidth: 2,
  /** The JPEG's own height. */
  ImageHeight: 3,
  /** 1: raw DCT output (no colour conversion), 2: libjpeg upsampled and converted. */
  Path: 4,
  /** libjpeg's J_COLOR_SPACE of the data (1 grey, 2 RGB, 3 YCbCr, 4 CMYK, 5 YCCK). */
  ColorSpace: 5,
  /** Number of libjpeg warnings (corrupt data it recovered from). */
  Warnings: 6,
  /** Number of components. */
  Components: 7,
} as const;

/** The module's exports. Pointers are byte offsets into `memory`; 0 is NULL. */
export interface JpegExports {
  /** Linear memory; its buffer is replaced whenever it grows. */
  readonly memory: WebAssembly.Memory;
  /** A handle (> 0) for a new decoder, or a negative {@link JpegBridgeError} code. */
  rjpg_decoder_create(): number;
  /** Frees a decoder; unknown handles are ignored. */
  rjpg_decoder_destroy(handle: number): void;
  /** Pointer to the decoder's input buffer of at least `length` bytes (grow-only), or 0. */
  rjpg_input(handle: number, length: number): number;
  /** Decodes `length` input bytes into I420: 0 or a negative {@link JpegBridgeError} code. */
  rjpg_decode(handle: number, length: number, flags: number): number;
  /** Pointer to the I420 output (valid until the next decode), or 0. */
  rjpg_output(handle: number): number;
  /** Pointer to eight int32 describing the last decode ({@link JpegResult}), or 0. */
  rjpg_result(handle: number): number;
  /** Pointer to the last error's NUL-terminated message, or 0. */
  rjpg_message(handle: number): number;
  /** Pointer to the last decode's first warning (empty if none), or 0. */
  rjpg_warning(handle: number): number;
  /** A handle (> 0) for a new JPEG encoder, or a negative {@link JpegBridgeError} code. */
  rjpg_encoder_create(): number;
  /** Frees an encoder; unknown handles are ignored. */
  rjpg_encoder_destroy(handle: number): void;
  /** Pointer to the encoder's input buffer for one packed I420 picture (grow-only), or 0. */
  rjpg_encoder_input(handle: number, length: number): number;
  /**
   * Encodes the `width` × `height` I420 picture in the input buffer, scaled (box filter, never
   * up) to `outWidth` × `outHeight`, at `quality` 1..100: the JPEG's byte count or a negative
   * {@link JpegBridgeError} code.
   */
  rjpg_encode(
    handle: number,
    width: number,
    height: number,
    outWidth: number,
    outHeight: number,
    quality: number,
    flags: number,
  ): number;
  /** Pointer to the last JPEG (valid until the next encode), or 0. */
  rjpg_encoder_output(handle: number): number;
  /** Pointer to the encoder's last error message, or 0. */
  rjpg_encoder_message(handle: number): number;
  /** malloc; 0 on failure or when `size <= 0`. */
  rjpg_malloc(size: number): number;
  /** free. */
  rjpg_free(pointer: number): void;
  /** Switches libjpeg-turbo's SIMD inverse DCT (wasm/jpeg_simd.c) on (1) or off (0) for decodes
   * after the call; negative only asks. Returns the previous setting (on at start). For tests. */
  rjpg_simd(enable: number): number;
  /** Compares the SIMD inverse DCT with libjpeg-turbo's C one on `iterations` seeded random
   * blocks; returns how many differ (0), or -1 for a bad seed (0) or count. For tests. */
  rjpg_selftest_idct(seed: number, iterations: number): number;
}

let compiled: Promise<WebAssembly.Module> | undefined;
let compiledSync: WebAssembly.Module | undefined;

/** The generated module's text and the inflater, once imported. */
interface Embedded {
  inflateSync(data: Uint8Array): Uint8Array;
  deflated: string;
  size: number;
}

let embedded: Embedded | undefined;
let importing: Promise<Embedded> | undefined;

/**
 * Imports the module's text (wasm/jpeg_wasm.ts, generated) and fflate on first use, once per
 * thread, so that importing the server does not parse a hundred kilobytes of base64.
 */
function importEmbedded(): Promise<Embedded> {
  importing ??= (async () => {
    const [{ inflateSync }, { JPEG_WASM_DEFLATED, JPEG_WASM_SIZE }] = await Promise.all([
      import("fflate"),
      import("../../wasm/jpeg_wasm.ts"),
    ]);
    embedded = { inflateSync, deflated: JPEG_WASM_DEFLATED, size: JPEG_WASM_SIZE };
    return embedded;
  })();
  importing.catch(() => (importing = undefined)); // a failed import may be retried
  return importing;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function inflated({ inflateSync, deflated, size }: Embedded): Uint8Array<ArrayBuffer> {
  const wasm = inflateSync(decodeBase64(deflated));
  if (wasm.length !== size) {
    throw new Error(`the embedded JPEG module inflated to ${wasm.length} bytes, expected ${size}`);
  }
  return wasm as Uint8Array<ArrayBuffer>;
}

/** Imports, inflates and compiles the embedded module, once per thread (later calls share it). */
export function loadJpegModule(): Promise<WebAssembly.Module> {
  if (compiledSync) return Promise.resolve(compiledSync);
  compiled ??= importEmbedded().then((e) => WebAssembly.compile(inflated(e)));
  compiled.catch(() => (compiled = undefined)); // a failed load may be retried
  return compiled;
}

/**
 * The same, synchronously, once {@link loadJpegModule} has imported the module's text in this
 * thread (the text is imported on demand, which cannot be done synchronously). Fine in Deno, Node,
 * Bun and any Worker; a browser's main thread refuses synchronous compiles of modules this large.
 */
export function loadJpegModuleSync(): WebAssembly.Module {
  if (!embedded) {
    throw new Error("the JPEG module is not imported yet: await loadJpegModule() once first");
  }
  compiledSync ??= new WebAssembly.Module(inflated(embedded));
  return compiledSync;
}

/** One instance: typed exports and fresh views of its memory. */
export interface JpegInstance {
  /** The exports, typed. */
  readonly exports: JpegExports;
  /** All of memory as bytes; a fresh view after memory grew, the same one otherwise. */
  heap(): Uint8Array;
}

/** Instantiates the module (synchronously) and runs its static constructors. */
export function instantiateJpeg(module: WebAssembly.Module): JpegInstance {
  const state: { heap?: Uint8Array; temp: number } = { temp: 0 };
  const instance = new WebAssembly.Instance(module, {
    env: {
      // emcc's WebAssembly setjmp/longjmp lowering keeps one i32 here (the high word of an i64).
      getTempRet0: (): number => state.temp,
      setTempRet0: (value: number): void => {
        state.temp = value;
      },
      emscripten_notify_memory_growth: (): void => {
        state.heap = undefined;
      },
    },
  });
  const exports = instance.exports as unknown as JpegExports & { _initialize(): void };
  exports._initialize();
  const memory = exports.memory;
  return {
    exports,
    heap(): Uint8Array {
      if (!state.heap || state.heap.buffer !== memory.buffer) {
        state.heap = new Uint8Array(memory.buffer);
      }
      return state.heap;
    },
  };
}
