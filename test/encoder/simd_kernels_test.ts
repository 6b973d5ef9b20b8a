import assert from "node:assert/strict";
import { type EncoderInstance, PixelFormat } from "../../src/encoder/wasm_binding.ts";
import { freshInstance, movingI420, pseudoRandomBytes } from "./wasm_support.ts";

/** The test-only exports of wasm/bridge.c (not part of the typed `EncoderExports`). */
interface SimdExports {
  rtse_set_simd(on: number): number;
  rtse_selftest_kernels(seed: number, iterations: number): number;
  rtse_encoder_simd(handle: number): number;
}

function simd(wasm: EncoderInstance): SimdExports {
  return wasm.exports as unknown as SimdExports;
}

/** A detailed, moving picture: noise that scrolls, so motion search, SATD and every transform
 * and quantiser path see real work (flat pictures barely exercise them). */
function noisyI420(width: number, height: number, frame: number, noise: Uint8Array): Uint8Array {
  const out = movingI420(width, height, frame);
  const shift = frame * 5;
  for (let i = 0; i < out.length; i++) {
    out[i] = (out[i] + (noise[(i + shift) % noise.length] >> 2)) & 0xff;
  }
  return out;
}

interface Run {
  frames: Uint8Array[];
  types: number[];
  /** rtse_encoder_simd() after each frame: whether the SIMD kernels were in the tables. */
  simdActive: number[];
}

/** Encodes `count` frames on a new encoder; forces an IDR and changes the bitrate mid-way, which
 * are the calls that could re-initialise OpenH264's function tables. */
function encode(
  wasm: EncoderInstance,
  useSimd: boolean,
  rcMode: number,
  width = 320,
  height = 240,
  count = 24,
): Run {
  const x = wasm.exports;
  simd(wasm).rtse_set_simd(useSimd ? 1 : 0);
  const qp = rcMode === 1 ? 28 : 0;
  const handle = x.rtse_encoder_create(
    width,
    height,
    30,
    400_000,
    10,
    rcMode,
    qp,
    rcMode ? qp : 40,
  );
  assert.ok(handle > 0, `create returned ${handle}`);
  const noise = pseudoRandomBytes(width * height + 7);
  const size = x.rtse_frame_size(PixelFormat.I420, width, height);
  const run: Run = { frames: [], types: [], simdActive: [] };
  for (let i = 0; i < count; i++) {
    if (i === 7) assert.equal(x.rtse_encoder_force_keyframe(handle), 0);
    if (i === 13) assert.equal(x.rtse_encoder_set_bitrate(handle, 900_000), 0);
    if (i === 19) assert.equal(x.rtse_encoder_set_bitrate(handle, 200_000), 0);
    wasm.view(x.rtse_encoder_input(handle, PixelFormat.I420), size).set(
      noisyI420(width, height, i, noise),
    );
    const n = x.rtse_encoder_encode(handle, PixelFormat.I420, i * 33.3);
    assert.ok(n >= 0, `encode returned ${n}`);
    run.frames.push(
      n === 0 ? new Uint8Array() : wasm.view(x.rtse_encoder_output(handle), n).slice(),
    );
    run.types.push(x.rtse_encoder_frame_type(handle));
    run.simdActive.push(simd(wasm).rtse_encoder_simd(handle));
  }
  x.rtse_encoder_destroy(handle);
  simd(wasm).rtse_set_simd(1);
  return run;
}

Deno.test("rtse_selftest_kernels() finds every SIMD kernel bit-exact with OpenH264's C on random blocks", async () => {
  const wasm = await freshInstance();
  for (const seed of [1, 0x12345678, -7]) {
    assert.equal(simd(wasm).rtse_selftest_kernels(seed, 3000), 0, `seed ${seed}`);
  }
  assert.equal(simd(wasm).rtse_selftest_kernels(1, -1), -1);
});

Deno.test("rtse_encoder_simd() rejects an unknown handle", async () => {
  const wasm = await freshInstance();
  assert.equal(simd(wasm).rtse_encoder_simd(0), -4);
  assert.equal(simd(wasm).rtse_encoder_simd(99), -4);
});

Deno.test("rtse_set_simd() returns the previous setting and is on by default", async () => {
  const wasm = await freshInstance();
  assert.equal(simd(wasm).rtse_set_simd(0), 1);
  assert.equal(simd(wasm).rtse_set_simd(1), 0);
  assert.equal(simd(wasm).rtse_set_simd(1), 1);
});

for (const [rcMode, what] of [[0, "bitrate"], [1, "fixed-QP"]] as const) {
  Deno.test(`the SIMD kernels give a byte-identical ${what} stream to OpenH264's C kernels`, async () => {
    const wasm = await freshInstance();
    const withSimd = encode(wasm, true, rcMode);
    const plain = encode(wasm, false, rcMode);
    assert.deepEqual(withSimd.simdActive, withSimd.frames.map(() => 1), "SIMD installed");
    assert.deepEqual(plain.simdActive, plain.frames.map(() => 0), "C kernels kept");
    assert.deepEqual(withSimd.types, plain.types);
    assert.ok(withSimd.types.includes(3), "some P frames");
    for (let i = 0; i < plain.frames.length; i++) {
      assert.deepEqual(withSimd.frames[i], plain.frames[i], `frame ${i}`);
    }
  });
}

Deno.test("the SIMD kernels give a byte-identical stream at a size that is not a multiple of 16", async () => {
  const wasm = await freshInstance();
  const withSimd = encode(wasm, true, 0, 200, 118, 12);
  const plain = encode(wasm, false, 0, 200, 118, 12);
  assert.deepEqual(withSimd.frames, plain.frames);
});
