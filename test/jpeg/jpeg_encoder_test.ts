/**
 * The libjpeg-turbo compressor: round trips through the module's own decoder and ffmpeg's, the
 * sizes the `width` option gives, and what it refuses.
 */

import assert from "node:assert/strict";
import { packedI420 } from "../../src/codec/i420_picture.ts";
import { JpegDecoder } from "../../src/jpeg/jpeg_decoder.ts";
import { JpegEncoder, scaledSize } from "../../src/jpeg/jpeg_encoder.ts";
import { interopTest } from "../interop/support.ts";
import { compare, ffmpegI420, FILES, firstFrame } from "./support.ts";

/** A smooth test picture (gradients), BT.601 limited range. */
function gradient(width: number, height: number): Uint8Array {
  const cw = (width + 1) >> 1, ch = (height + 1) >> 1;
  const data = new Uint8Array(width * height + 2 * cw * ch);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data[y * width + x] = 16 + Math.round((219 * (x + y)) / (width + height));
    }
  }
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      data[width * height + y * cw + x] = 16 + Math.round((224 * x) / cw);
      data[width * height + cw * ch + y * cw + x] = 16 + Math.round((224 * y) / ch);
    }
  }
  return data;
}

Deno.test("a picture survives encode and decode at quality 90 (PSNR >= 38 dB)", async () => {
  const encoder = await JpegEncoder.create();
  const decoder = await JpegDecoder.create();
  try {
    const data = gradient(320, 240);
    const jpeg = encoder.encode(packedI420(data, 320, 240), { quality: 90 });
    assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8]);
    assert.deepEqual([...jpeg.subarray(-2)], [0xff, 0xd9]);
    const back = decoder.decode(jpeg);
    assert.equal(back.width, 320);
    assert.equal(back.height, 240);
    const { psnr } = compare(back.data, data);
    assert.ok(psnr >= 38, `PSNR ${psnr.toFixed(2)} dB`);
  } finally {
    encoder.close();
    decoder.close();
  }
});

Deno.test("a recorded camera frame round-trips through the encoder (PSNR >= 35 dB)", async () => {
  const encoder = await JpegEncoder.create();
  const decoder = await JpegDecoder.create();
  try {
    const original = decoder.decode(firstFrame(FILES.yuv420));
    const picture = packedI420(original.data, original.width, original.height);
    const back = decoder.decode(encoder.encode(picture, { quality: 95 }));
    const { psnr } = compare(back.data, original.data);
    assert.ok(psnr >= 35, `PSNR ${psnr.toFixed(2)} dB`);
  } finally {
    encoder.close();
    decoder.close();
  }
});

interopTest("ffmpeg decodes the JPEG to the same picture (PSNR >= 38 dB)", ["ffmpeg"], async () => {
  const encoder = await JpegEncoder.create();
  try {
    const data = gradient(160, 120);
    const jpeg = encoder.encode(packedI420(data, 160, 120), { quality: 90 });
    const { psnr } = compare(await ffmpegI420(jpeg), data);
    assert.ok(psnr >= 38, `PSNR ${psnr.toFixed(2)} dB`);
  } finally {
    encoder.close();
  }
});

Deno.test("strided planes are read row by row", async () => {
  const encoder = await JpegEncoder.create();
  const decoder = await JpegDecoder.create();
  try {
    const data = gradient(64, 48);
    const packed = packedI420(data, 64, 48);
    const stride = 80, uvStride = 48;
    const y = new Uint8Array(stride * 48), u = new Uint8Array(uvStride * 24);
    const v = new Uint8Array(uvStride * 24);
    for (let r = 0; r < 48; r++) y.set(packed.y.subarray(r * 64, r * 64 + 64), r * stride);
    for (let r = 0; r < 24; r++) {
      u.set(packed.u.subarray(r * 32, r * 32 + 32), r * uvStride);
      v.set(packed.v.subarray(r * 32, r * 32 + 32), r * uvStride);
    }
    const a = encoder.encode(packed, { quality: 90 });
    const b = encoder.encode({ width: 64, height: 48, y, u, v, yStride: stride, uvStride }, {
      quality: 90,
    });
    assert.deepEqual(b, a);
    assert.equal(decoder.decode(b).width, 64);
  } finally {
    encoder.close();
    decoder.close();
  }
});

Deno.test("the width option scales down to even sizes with the aspect kept, never up", () => {
  assert.deepEqual(scaledSize(1920, 1080, 640), { width: 640, height: 360 });
  assert.deepEqual(scaledSize(1920, 1080, 641), { width: 640, height: 360 });
  assert.deepEqual(scaledSize(1280, 720, 333), { width: 332, height: 186 });
  assert.deepEqual(scaledSize(640, 480, 1920), { width: 640, height: 480 });
  assert.deepEqual(scaledSize(99, 75, 200), { width: 99, height: 75 });
  assert.deepEqual(scaledSize(640, 480), { width: 640, height: 480 });
  assert.deepEqual(scaledSize(640, 2, 3), { width: 2, height: 2 });
  assert.throws(() => scaledSize(640, 480, 0), RangeError);
  assert.throws(() => scaledSize(640, 480, 1.5), RangeError);
  assert.throws(() => scaledSize(640, 480, -4), RangeError);
});

Deno.test("a scaled JPEG has the scaled size and the picture's content", async () => {
  const encoder = await JpegEncoder.create();
  const decoder = await JpegDecoder.create();
  try {
    for (const [w, h, target] of [[320, 240, 160], [1280, 720, 333], [99, 75, 50]]) {
      const data = gradient(w, h);
      const jpeg = encoder.encode(packedI420(data, w, h), { width: target, quality: 90 });
      const want = scaledSize(w, h, target);
      const back = decoder.decode(jpeg);
      assert.deepEqual([back.width, back.height], [want.width, want.height]);
      // The gradient's mean brightness survives the box filter.
      const mean = (p: Uint8Array, n: number) => p.subarray(0, n).reduce((a, b) => a + b, 0) / n;
      const delta = Math.abs(mean(back.data, want.width * want.height) - mean(data, w * h));
      assert.ok(delta < 2, `mean luma moved by ${delta.toFixed(2)}`);
    }
  } finally {
    encoder.close();
    decoder.close();
  }
});

Deno.test("lower quality gives smaller files", async () => {
  const encoder = await JpegEncoder.create();
  const decoder = await JpegDecoder.create();
  try {
    const camera = decoder.decode(firstFrame(FILES.hd));
    const picture = packedI420(camera.data, camera.width, camera.height);
    const small = encoder.encode(picture, { quality: 30 }).length;
    const large = encoder.encode(picture, { quality: 95 }).length;
    assert.ok(small < large, `${small} vs ${large} bytes`);
  } finally {
    encoder.close();
    decoder.close();
  }
});

Deno.test("bad pictures and options are refused; the encoder stays usable", async () => {
  const encoder = await JpegEncoder.create();
  try {
    const ok = packedI420(gradient(32, 32), 32, 32);
    assert.throws(() => encoder.encode({ ...ok, y: ok.y.subarray(0, 100) }), RangeError);
    assert.throws(() => encoder.encode({ ...ok, width: 0 }), RangeError);
    assert.throws(() => encoder.encode(ok, { quality: 0 }), RangeError);
    assert.throws(() => encoder.encode(ok, { quality: 101 }), RangeError);
    assert.throws(() => encoder.encode(ok, { width: -1 }), RangeError);
    assert.equal(encoder.encode(ok)[0], 0xff);
  } finally {
    encoder.close();
  }
  assert.throws(() => encoder.encode(packedI420(gradient(2, 2), 2, 2)), /closed/);
});
