import assert from "node:assert/strict";
import { type EncoderInstance, PixelFormat } from "../../src/encoder/wasm_binding.ts";
import { freshInstance, pseudoRandomBytes } from "./wasm_support.ts";

// 27 chroma pairs a row: the 8-pair SIMD loop does 24 and the scalar tail the last 3.
const W = 54;
const H = 32;

/** BT.601 limited range, in floating point (the matrix ffmpeg's swscale uses by default). */
function lumaOf(r: number, g: number, b: number): number {
  return Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
}
function chromaOf(r: number, g: number, b: number): [number, number] {
  return [
    Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255),
    Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255),
  ];
}

type Rgb = (x: number, y: number) => [number, number, number];

/** I420 from an RGB picture: per-pixel luma, chroma of each 2x2 block's mean colour. */
function referenceFromRgb(rgb: Rgb): Uint8Array {
  const out = new Uint8Array((W * H * 3) / 2);
  const u = W * H;
  const v = u + (W * H) / 4;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) out[y * W + x] = lumaOf(...rgb(x, y));
  }
  for (let y = 0; y < H / 2; y++) {
    for (let x = 0; x < W / 2; x++) {
      const sum = [0, 0, 0];
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        rgb(2 * x + dx, 2 * y + dy).forEach((c, i) => (sum[i] += c));
      }
      const [cu, cv] = chromaOf(sum[0] / 4, sum[1] / 4, sum[2] / 4);
      out[u + y * (W / 2) + x] = cu;
      out[v + y * (W / 2) + x] = cv;
    }
  }
  return out;
}

/** I420 from a 4:2:2 packed picture; byte offsets of Y0, U, Y1, V within each 4-byte pair. */
function referenceFrom422(src: Uint8Array, y0: number, u: number, y1: number, v: number) {
  const out = new Uint8Array((W * H * 3) / 2);
  const pu = W * H;
  const pv = pu + (W * H) / 4;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x += 2) {
      const p = (y * W + x) * 2;
      out[y * W + x] = src[p + y0];
      out[y * W + x + 1] = src[p + y1];
      if (y % 2 === 0) {
        const q = p + W * 2;
        const c = (y / 2) * (W / 2) + x / 2;
        out[pu + c] = (src[p + u] + src[q + u] + 1) >> 1;
        out[pv + c] = (src[p + v] + src[q + v] + 1) >> 1;
      }
    }
  }
  return out;
}

function referenceFromNv12(src: Uint8Array): Uint8Array {
  const out = src.slice(0, (W * H * 3) / 2);
  const quarter = (W * H) / 4;
  for (let i = 0; i < quarter; i++) {
    out[W * H + i] = src[W * H + 2 * i];
    out[W * H + quarter + i] = src[W * H + 2 * i + 1];
  }
  return out;
}

function rgbAt(src: Uint8Array, bpp: number, ri: number, gi: number, bi: number): Rgb {
  return (x, y) => {
    const p = (y * W + x) * bpp;
    return [src[p + ri], src[p + gi], src[p + bi]];
  };
}

function rgb565At(src: Uint8Array): Rgb {
  return (x, y) => {
    const word = src[(y * W + x) * 2] | (src[(y * W + x) * 2 + 1] << 8);
    const r = word >> 11, g = (word >> 5) & 63, b = word & 31;
    return [(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)];
  };
}

function convert(wasm: EncoderInstance, format: number, src: Uint8Array): Uint8Array {
  const x = wasm.exports;
  assert.equal(x.rtse_frame_size(format, W, H), src.length);
  const inPtr = x.rtse_malloc(src.length);
  const outPtr = x.rtse_malloc((W * H * 3) / 2);
  try {
    wasm.view(inPtr, src.length).set(src);
    assert.equal(x.rtse_convert_to_i420(format, inPtr, W, H, outPtr), 0);
    return wasm.view(outPtr, (W * H * 3) / 2).slice();
  } finally {
    x.rtse_free(inPtr);
    x.rtse_free(outPtr);
  }
}

/** Asserts every sample is within ±tolerance and returns how many differ at all. */
function assertClose(actual: Uint8Array, expected: Uint8Array, tolerance: number): number {
  assert.equal(actual.length, expected.length);
  let differing = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (d > tolerance) {
      assert.fail(`sample ${i}: got ${actual[i]}, expected ${expected[i]} (±${tolerance})`);
    }
    if (d > 0) differing++;
  }
  return differing;
}

const size = (bpp: number) => W * H * bpp;

const cases: [string, number, Uint8Array, (src: Uint8Array) => Uint8Array, number][] = [
  ["I420", PixelFormat.I420, pseudoRandomBytes(size(1.5), 1), (s) => s.slice(), 0],
  ["NV12", PixelFormat.NV12, pseudoRandomBytes(size(1.5), 2), referenceFromNv12, 0],
  [
    "YUYV",
    PixelFormat.YUYV,
    pseudoRandomBytes(size(2), 3),
    (s) => referenceFrom422(s, 0, 1, 2, 3),
    0,
  ],
  [
    "UYVY",
    PixelFormat.UYVY,
    pseudoRandomBytes(size(2), 4),
    (s) => referenceFrom422(s, 1, 0, 3, 2),
    0,
  ],
  [
    "RGB24",
    PixelFormat.RGB24,
    pseudoRandomBytes(size(3), 5),
    (s) => referenceFromRgb(rgbAt(s, 3, 0, 1, 2)),
    1,
  ],
  [
    "BGR24",
    PixelFormat.BGR24,
    pseudoRandomBytes(size(3), 6),
    (s) => referenceFromRgb(rgbAt(s, 3, 2, 1, 0)),
    1,
  ],
  [
    "RGBA",
    PixelFormat.RGBA,
    pseudoRandomBytes(size(4), 7),
    (s) => referenceFromRgb(rgbAt(s, 4, 0, 1, 2)),
    1,
  ],
  [
    "BGRA",
    PixelFormat.BGRA,
    pseudoRandomBytes(size(4), 8),
    (s) => referenceFromRgb(rgbAt(s, 4, 2, 1, 0)),
    1,
  ],
  [
    "RGB565",
    PixelFormat.RGB565,
    pseudoRandomBytes(size(2), 9),
    (s) => referenceFromRgb(rgb565At(s)),
    1,
  ],
  [
    "GRAY8",
    PixelFormat.GRAY8,
    pseudoRandomBytes(size(1), 10),
    (s) => referenceFromRgb((x, y) => [s[y * W + x], s[y * W + x], s[y * W + x]]),
    1,
  ],
];

for (const [name, format, src, reference, tolerance] of cases) {
  Deno.test(`rtse_convert_to_i420() converts ${name} to I420 like the BT.601 reference`, async () => {
    const wasm = await freshInstance();
    const differing = assertClose(convert(wasm, format, src), reference(src), tolerance);
    // Rounding may differ by one now and then; systematically would mean a wrong coefficient.
    assert.ok(differing < src.length / 50, `${differing} samples off by one`);
  });
}

Deno.test("RGB conversion maps black, white and the primaries to their studio-swing values", async () => {
  const wasm = await freshInstance();
  const colours: [number, number, number][] = [
    [0, 0, 0],
    [255, 255, 255],
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
  ];
  const expected = [[16, 128, 128], [235, 128, 128], [81, 90, 240], [145, 54, 34], [41, 240, 110]];
  for (const [i, [r, g, b]] of colours.entries()) {
    const src = new Uint8Array(size(3));
    for (let p = 0; p < W * H; p++) src.set([r, g, b], p * 3);
    const out = convert(wasm, PixelFormat.RGB24, src);
    assert.deepEqual(
      [out[0], out[W * H], out[W * H + (W * H) / 4]],
      expected[i],
      `rgb(${r},${g},${b})`,
    );
  }
});

Deno.test("encoding RGBA gives the same bitstream as encoding its I420 conversion", async () => {
  const wasm = await freshInstance();
  const x = wasm.exports;
  const rgba = pseudoRandomBytes(size(4), 11).map((v, i) => (i % 4 === 3 ? 255 : v >> 1));
  const i420 = convert(wasm, PixelFormat.RGBA, rgba);
  const encode = (format: number, frame: Uint8Array): Uint8Array => {
    const handle = x.rtse_encoder_create(W, H, 30, 500_000, 30, 0, 0, 0);
    wasm.view(x.rtse_encoder_input(handle, format), frame.length).set(frame);
    const n = x.rtse_encoder_encode(handle, format, 0);
    assert.ok(n > 0);
    const out = wasm.view(x.rtse_encoder_output(handle), n).slice();
    x.rtse_encoder_destroy(handle);
    return out;
  };
  assert.deepEqual(encode(PixelFormat.RGBA, rgba), encode(PixelFormat.I420, i420));
});
