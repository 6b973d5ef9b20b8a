import assert from "node:assert/strict";
import {
  BridgeError,
  type EncoderInstance,
  FrameType,
  loadEncoderModule,
  PixelFormat,
} from "../../src/encoder/wasm_binding.ts";
import {
  OPENH264_WASM_DEFLATED,
  OPENH264_WASM_SHA256,
  OPENH264_WASM_SIZE,
} from "../../wasm/openh264_wasm.ts";
import {
  ffmpegFrameCount,
  ffmpegTest,
  freshInstance,
  movingI420,
  nalTypes,
} from "./wasm_support.ts";
import { concat } from "../support/bytes.ts";

const W = 320;
const H = 240;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

interface Encoded {
  data: Uint8Array;
  type: number;
}

/** Writes one I420 frame into the encoder's input and encodes it. */
function encodeI420(wasm: EncoderInstance, handle: number, frame: Uint8Array, ms: number): Encoded {
  const x = wasm.exports;
  wasm.view(x.rtse_encoder_input(handle, PixelFormat.I420), frame.length).set(frame);
  const n = x.rtse_encoder_encode(handle, PixelFormat.I420, ms);
  assert.ok(n >= 0, `encode returned ${n}`);
  const data = n === 0 ? new Uint8Array() : wasm.view(x.rtse_encoder_output(handle), n).slice();
  return { data, type: x.rtse_encoder_frame_type(handle) };
}

/** 60 frames at 30 fps, gop 30, a keyframe forced before frame 45. */
async function encodeSixty(): Promise<Encoded[]> {
  const wasm = await freshInstance();
  const x = wasm.exports;
  const handle = x.rtse_encoder_create(W, H, 30, 2_000_000, 30, 0, 0, 0);
  assert.ok(handle > 0, `create returned ${handle}`);
  const out: Encoded[] = [];
  for (let f = 0; f < 60; f++) {
    if (f === 45) assert.equal(x.rtse_encoder_force_keyframe(handle), 0);
    out.push(encodeI420(wasm, handle, movingI420(W, H, f), (f * 1000) / 30));
  }
  x.rtse_encoder_destroy(handle);
  return out;
}

const sixty = encodeSixty();

Deno.test("loadEncoderModule() compiles the embedded module once and shares it", async () => {
  const [a, b] = await Promise.all([loadEncoderModule(), loadEncoderModule()]);
  assert.equal(a, b);
  assert.ok(a instanceof WebAssembly.Module);
});

Deno.test("the embedded module is byte-identical to the committed wasm/openh264.wasm", async () => {
  const committed = await Deno.readFile(new URL("../../wasm/openh264.wasm", import.meta.url));
  assert.equal(committed.length, OPENH264_WASM_SIZE);
  assert.equal(await sha256Hex(committed), OPENH264_WASM_SHA256);
  // Inflated by the platform's own decompressor, independently of fflate in the binding.
  const deflated = Uint8Array.from(atob(OPENH264_WASM_DEFLATED), (c) => c.charCodeAt(0));
  const stream = new Blob([deflated]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const embedded = new Uint8Array(await new Response(stream).arrayBuffer());
  assert.equal(await sha256Hex(embedded), OPENH264_WASM_SHA256);
});

Deno.test("the module needs nothing but the WASI stubs and exports every rtse_ function", async () => {
  const module = await loadEncoderModule();
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  for (const name of imports) {
    assert.match(name, /^(wasi_snapshot_preview1\.|env\.emscripten_notify_memory_growth$)/);
  }
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const name of ["memory", "rtse_encoder_create", "rtse_encoder_encode", "rtse_free"]) {
    assert.ok(exports.has(name), name);
  }
});

Deno.test("the first frame is SPS, PPS and an IDR slice, reported as an IDR", async () => {
  const [first] = await sixty;
  assert.deepEqual(nalTypes(first.data), [7, 8, 5]);
  assert.deepEqual([...first.data.subarray(0, 4)], [0, 0, 0, 1]);
  assert.equal(first.type, FrameType.IDR);
});

Deno.test("every GOP of 30 frames starts with SPS, PPS and IDR; the rest are P slices", async () => {
  const frames = await sixty;
  for (const [i, f] of frames.entries()) {
    if (f.data.length === 0) continue; // skipped by rate control
    const idr = i === 0 || i === 30 || i === 45;
    assert.deepEqual(nalTypes(f.data), idr ? [7, 8, 5] : [1], `frame ${i}`);
    assert.equal(f.type, idr ? FrameType.IDR : FrameType.P, `frame ${i}`);
  }
});

Deno.test("rtse_encoder_force_keyframe() makes the very next frame an IDR", async () => {
  const frames = await sixty;
  assert.equal(frames[44].type, FrameType.P);
  assert.equal(frames[45].type, FrameType.IDR);
  assert.deepEqual(nalTypes(frames[45].data), [7, 8, 5]);
  assert.equal(frames[46].type, FrameType.P);
});

ffmpegTest("ffmpeg decodes the 60 encoded frames without error", async () => {
  const frames = (await sixty).filter((f) => f.data.length > 0);
  assert.ok(frames.length >= 55, `only ${frames.length} frames were not skipped`);
  assert.equal(await ffmpegFrameCount(concat(...frames.map((f) => f.data))), frames.length);
});

ffmpegTest("a fixed-QP encoder (rc_mode 1, qp_min = qp_max) encodes every frame", async () => {
  const wasm = await freshInstance();
  const handle = wasm.exports.rtse_encoder_create(W, H, 25, 1_000_000, 0, 1, 30, 30);
  assert.ok(handle > 0, `create returned ${handle}`);
  const frames = Array.from(
    { length: 20 },
    (_, f) => encodeI420(wasm, handle, movingI420(W, H, f), f * 40),
  );
  assert.ok(frames.every((f) => f.data.length > 0));
  assert.deepEqual(frames.map((f) => f.type === FrameType.IDR), [true, ...Array(19).fill(false)]);
  assert.equal(await ffmpegFrameCount(concat(...frames.map((f) => f.data))), 20);
});

Deno.test("a bitrate set mid-stream is what the rate control then holds to", async () => {
  const wasm = await freshInstance();
  const x = wasm.exports;
  const handle = x.rtse_encoder_create(W, H, 30, 3_000_000, 0, 0, 0, 0);
  /** Bits per second over frames [from, to) at 30 fps. */
  const rate = (from: number, to: number): number => {
    let bytes = 0;
    for (let f = from; f < to; f++) {
      bytes += encodeI420(wasm, handle, movingI420(W, H, f), (f * 1000) / 30).data.length;
    }
    return (bytes * 8 * 30) / (to - from);
  };
  const high = rate(0, 60);
  assert.equal(x.rtse_encoder_set_bitrate(handle, 120_000), 0);
  assert.equal(x.rtse_encoder_set_framerate(handle, 30), 0);
  rate(60, 90); // the rate control settles
  const low = rate(90, 180);
  assert.ok(low < 120_000 * 1.25 && low < high / 2, `${low} bit/s at 120 kbit/s, ${high} before`);
  assert.equal(x.rtse_encoder_set_bitrate(handle, 4_000_000), 0);
  assert.ok(rate(180, 240) > low * 1.5, "raising the bitrate again raises the rate");
  x.rtse_encoder_destroy(handle);
});

Deno.test("invalid sizes, formats and parameters give negative codes, never a trap", async () => {
  const x = (await freshInstance()).exports;
  for (const [w, h] of [[321, 240], [320, 241], [0, 0], [0, 240], [14, 14], [4098, 64], [-2, 2]]) {
    assert.equal(
      x.rtse_encoder_create(w, h, 30, 500_000, 30, 0, 0, 0),
      BridgeError.Size,
      `${w}x${h}`,
    );
    assert.equal(x.rtse_frame_size(PixelFormat.I420, w, h), -1, `${w}x${h}`);
  }
  assert.equal(x.rtse_frame_size(10, W, H), -1);
  assert.equal(x.rtse_frame_size(-1, W, H), -1);
  assert.equal(x.rtse_frame_size(PixelFormat.RGB565, 4096, 4096), 4096 * 4096 * 2);
  for (
    const args of [
      [0, 500_000, 30, 0, 0, 0], // fps 0
      [NaN, 500_000, 30, 0, 0, 0],
      [30, 0, 30, 0, 0, 0], // bitrate 0
      [30, 500_000, -1, 0, 0, 0], // gop -1
      [30, 500_000, 30, 2, 0, 0], // rc_mode 2
      [30, 500_000, 30, 0, 40, 20], // qp_min > qp_max
      [30, 500_000, 30, 0, 0, 52],
    ]
  ) {
    const [fps, bitrate, gop, rc, qpMin, qpMax] = args;
    const code = x.rtse_encoder_create(W, H, fps, bitrate, gop, rc, qpMin, qpMax);
    assert.equal(code, BridgeError.Param, `create(${args.join(", ")})`);
  }
  const handle = x.rtse_encoder_create(W, H, 30, 500_000, 30, 0, 0, 0);
  assert.ok(handle > 0);
  assert.equal(x.rtse_encoder_input(handle, 10), 0);
  assert.equal(x.rtse_encoder_encode(handle, 10, 0), BridgeError.Format);
  assert.equal(x.rtse_encoder_encode(handle, PixelFormat.RGBA, 0), BridgeError.NoInput);
  assert.notEqual(x.rtse_encoder_input(handle, PixelFormat.I420), 0);
  assert.equal(x.rtse_encoder_encode(handle, PixelFormat.RGBA, 0), BridgeError.NoInput);
  assert.equal(x.rtse_encoder_encode(handle, PixelFormat.I420, -1), BridgeError.Param);
  assert.equal(x.rtse_encoder_encode(handle, PixelFormat.I420, NaN), BridgeError.Param);
  assert.equal(x.rtse_encoder_set_bitrate(handle, 0), BridgeError.Param);
  assert.equal(x.rtse_encoder_set_framerate(handle, 0), BridgeError.Param);
  assert.equal(x.rtse_encoder_frame_type(handle), FrameType.Invalid);
  for (const bad of [0, -1, 65, 999]) {
    assert.equal(x.rtse_encoder_encode(bad, PixelFormat.I420, 0), BridgeError.Handle);
    assert.equal(x.rtse_encoder_input(bad, PixelFormat.I420), 0);
    assert.equal(x.rtse_encoder_output(bad), 0);
    assert.equal(x.rtse_encoder_frame_type(bad), BridgeError.Handle);
    assert.equal(x.rtse_encoder_force_keyframe(bad), BridgeError.Handle);
    assert.equal(x.rtse_encoder_set_bitrate(bad, 1000), BridgeError.Handle);
    assert.equal(x.rtse_encoder_set_framerate(bad, 30), BridgeError.Handle);
    x.rtse_encoder_destroy(bad);
  }
  x.rtse_encoder_destroy(handle);
  assert.equal(x.rtse_encoder_encode(handle, PixelFormat.I420, 0), BridgeError.Handle);
  const p = x.rtse_malloc(16);
  assert.equal(x.rtse_convert_to_i420(10, p, 16, 16, p), BridgeError.Format);
  assert.equal(x.rtse_convert_to_i420(PixelFormat.NV12, p, 15, 16, p), BridgeError.Size);
  assert.equal(x.rtse_convert_to_i420(PixelFormat.NV12, 0, 16, 16, p), BridgeError.Param);
  x.rtse_free(p);
  assert.equal(x.rtse_malloc(0), 0);
});

Deno.test("encoders in one instance get distinct handles and freed handles are reused", async () => {
  const x = (await freshInstance()).exports;
  const a = x.rtse_encoder_create(64, 64, 30, 200_000, 30, 0, 0, 0);
  const b = x.rtse_encoder_create(64, 64, 30, 200_000, 30, 0, 0, 0);
  assert.ok(a > 0 && b > 0 && a !== b);
  x.rtse_encoder_destroy(a);
  assert.equal(x.rtse_encoder_create(32, 32, 30, 200_000, 30, 0, 0, 0), a);
});

Deno.test("heap() gives a fresh view after memory grows for a large encoder", async () => {
  const wasm = await freshInstance();
  const before = wasm.heap();
  assert.equal(wasm.heap(), before, "the same view while memory is unchanged");
  const x = wasm.exports;
  const handle = x.rtse_encoder_create(1920, 1080, 30, 4_000_000, 30, 0, 0, 0);
  assert.ok(handle > 0);
  const input = x.rtse_encoder_input(handle, PixelFormat.RGBA);
  assert.notEqual(input, 0);
  const after = wasm.heap();
  assert.notEqual(after, before);
  assert.equal(before.length, 0, "the old view is detached");
  assert.equal(after.length, wasm.memory.buffer.byteLength);
  wasm.view(input, 1920 * 1080 * 4).fill(100);
  assert.ok(x.rtse_encoder_encode(handle, PixelFormat.RGBA, 0) > 0);
  assert.throws(() => wasm.view(after.length - 4, 8), RangeError);
  x.rtse_encoder_destroy(handle);
});

Deno.test("a zeroing memset clears dirty pages and leaves zero ones as they are", async () => {
  // wasm/fresh_pages.c: OpenH264's clears skip the pages that are zero already. The check runs in
  // the module: a block of dirty and zero host pages, one zero page but for its last byte.
  const x = (await freshInstance()).exports as unknown as { rtse_selftest_zeroing(): number };
  assert.equal(x.rtse_selftest_zeroing(), 0);
});

Deno.test("an encoder made in memory left dirty encodes the same bytes as in fresh memory", async () => {
  // An encoder made where freed blocks left bytes behind (wasm/fresh_pages.c clears only the
  // pages that are not zero) must encode exactly as one made in fresh memory.
  const frames = Array.from({ length: 12 }, (_, i) => movingI420(640, 480, i));
  const encodeAll = (wasm: EncoderInstance): Uint8Array => {
    const x = wasm.exports;
    const handle = x.rtse_encoder_create(640, 480, 30, 1_000_000, 30, 0, 0, 0);
    assert.ok(handle > 0, `create returned ${handle}`);
    const out = concat(...frames.map((f, i) => encodeI420(wasm, handle, f, i * 33).data));
    x.rtse_encoder_destroy(handle);
    return out;
  };
  const fresh = encodeAll(await freshInstance());

  const dirty = await freshInstance();
  encodeAll(dirty); // an encoder's allocations, used and freed
  const x = dirty.exports;
  const size = 8 << 20; // then every free byte the allocator holds made non-zero
  const block = x.rtse_malloc(size);
  assert.notEqual(block, 0);
  dirty.view(block, size).fill(0xa5);
  x.rtse_free(block);
  assert.deepEqual(encodeAll(dirty), fresh);
});
