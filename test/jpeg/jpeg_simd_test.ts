import assert from "node:assert/strict";
import { instantiateJpeg, type JpegInstance, loadJpegModule } from "../../src/jpeg/wasm_binding.ts";
import { FILES, readData, splitMjpeg } from "./support.ts";

/** One decode through the raw exports: the I420 bytes (a copy), or the negative code. */
function decodeRaw(wasm: JpegInstance, jpeg: Uint8Array, flags = 0): Uint8Array | number {
  const e = wasm.exports;
  const handle = e.rjpg_decoder_create();
  try {
    const input = e.rjpg_input(handle, jpeg.length);
    new Uint8Array(e.memory.buffer, input, jpeg.length).set(jpeg);
    const rc = e.rjpg_decode(handle, jpeg.length, flags);
    if (rc < 0) return rc;
    const result = new Int32Array(e.memory.buffer, e.rjpg_result(handle), 8);
    const size = result[0] * result[1] * 3 / 2;
    return new Uint8Array(e.memory.buffer, e.rjpg_output(handle), size).slice();
  } finally {
    e.rjpg_decoder_destroy(handle);
  }
}

function allFrames(): [string, Uint8Array][] {
  return Object.values(FILES).flatMap((name) =>
    splitMjpeg(readData(name)).map((jpeg, i): [string, Uint8Array] => [`${name}#${i}`, jpeg])
  );
}

Deno.test("the SIMD inverse DCT is bit-exact with libjpeg-turbo's jpeg_idct_islow on random blocks", async () => {
  const wasm = instantiateJpeg(await loadJpegModule());
  for (const seed of [1, 2, 0x5eed, 20260101]) {
    assert.equal(wasm.exports.rjpg_selftest_idct(seed, 20000), 0, `seed ${seed}`);
  }
  assert.equal(wasm.exports.rjpg_selftest_idct(0, 1), -1);
  assert.equal(wasm.exports.rjpg_selftest_idct(1, -1), -1);
});

Deno.test("every test JPEG decodes byte for byte the same with the SIMD inverse DCT on and off", async () => {
  const wasm = instantiateJpeg(await loadJpegModule());
  assert.equal(wasm.exports.rjpg_simd(-1), 1, "on by default");
  for (const [name, jpeg] of allFrames()) {
    for (const flags of [0, 1]) {
      wasm.exports.rjpg_simd(1);
      const on = decodeRaw(wasm, jpeg, flags);
      wasm.exports.rjpg_simd(0);
      const off = decodeRaw(wasm, jpeg, flags);
      assert.ok(on instanceof Uint8Array, `${name}: ${on}`);
      assert.deepEqual(on, off, `${name} flags ${flags}`);
    }
  }
  wasm.exports.rjpg_simd(1);
});

Deno.test("the SIMD range mapping gives BT.601 limited range exactly as the formula, on every frame", async () => {
  const wasm = instantiateJpeg(await loadJpegModule());
  const seen = new Set<number>();
  for (const [name, jpeg] of allFrames()) {
    const full = decodeRaw(wasm, jpeg, 1), limited = decodeRaw(wasm, jpeg, 0);
    if (!(full instanceof Uint8Array) || !(limited instanceof Uint8Array)) {
      throw new Error(`${name}: ${full} ${limited}`);
    }
    const luma = full.length / 1.5;
    for (let i = 0; i < full.length; i++) {
      const v: number = full[i];
      const expected = i < luma
        ? 16 + Math.floor((v * 219 + 127) / 255)
        : 128 + Math.sign(v - 128) * Math.floor((Math.abs(v - 128) * 224 + 127) / 255);
      if (limited[i] !== expected) assert.fail(`${name} sample ${i}: full ${v} gave ${limited[i]}`);
      seen.add(i < luma ? v : 256 + v);
    }
  }
  assert.ok(seen.size > 400, `only ${seen.size} of 512 luma/chroma values covered`);
});
