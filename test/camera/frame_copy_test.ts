import assert from "node:assert/strict";
import {
  capturedFrameBytes,
  type CapturedGeometry,
  copyFrame,
} from "../../src/camera/frame_copy.ts";
import { frameSize, PixelFormat } from "../../src/codec/raw_frame.ts";

const PAD = 0xee;

/** One plane of `rows` rows of `rowBytes` meaningful bytes, `stride` apart, padding `PAD`. */
interface Plane {
  rowBytes: number;
  stride: number;
  rows: number;
}

/**
 * A driver buffer holding `planes` one after another, each byte of picture numbered by plane, row
 * and column (so a misplaced row shows), and the packed picture a correct copy yields.
 */
function picture(planes: Plane[]): { driver: Uint8Array; packed: Uint8Array } {
  const driver: number[] = [];
  const packed: number[] = [];
  planes.forEach(({ rowBytes, stride, rows }, p) => {
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < stride; x++) {
        const value = x < rowBytes ? (p * 64 + y * 8 + x) & 0xff : PAD;
        driver.push(value);
        if (x < rowBytes) packed.push(value);
      }
    }
  });
  return { driver: new Uint8Array(driver), packed: new Uint8Array(packed) };
}

Deno.test("copyFrame() removes the row padding of YUYV", () => {
  const g: CapturedGeometry = { layout: PixelFormat.YUYV, width: 6, height: 4, bytesPerLine: 16 };
  const { driver, packed } = picture([{ rowBytes: 12, stride: 16, rows: 4 }]);
  assert.equal(capturedFrameBytes(g), 64);
  const out = copyFrame(driver, g)!;
  assert.equal(out.length, frameSize(PixelFormat.YUYV, 6, 4));
  assert.deepEqual(out, packed);
  assert.ok(!out.includes(PAD));
});

Deno.test("copyFrame() removes the row padding of GREY", () => {
  const g: CapturedGeometry = { layout: PixelFormat.GRAY8, width: 6, height: 3, bytesPerLine: 8 };
  const { driver, packed } = picture([{ rowBytes: 6, stride: 8, rows: 3 }]);
  assert.equal(capturedFrameBytes(g), 24);
  assert.deepEqual(copyFrame(driver, g), packed);
});

Deno.test("copyFrame() removes the padding of YU12, whose chroma planes have half the stride", () => {
  const g: CapturedGeometry = { layout: PixelFormat.I420, width: 8, height: 4, bytesPerLine: 12 };
  const { driver, packed } = picture([
    { rowBytes: 8, stride: 12, rows: 4 }, // Y
    { rowBytes: 4, stride: 6, rows: 2 }, // U
    { rowBytes: 4, stride: 6, rows: 2 }, // V
  ]);
  assert.equal(capturedFrameBytes(g), 48 + 12 + 12);
  assert.equal(driver.length, capturedFrameBytes(g));
  const out = copyFrame(driver, g)!;
  assert.equal(out.length, frameSize(PixelFormat.I420, 8, 4));
  assert.deepEqual(out, packed);
});

Deno.test("copyFrame() removes the padding of NV12, whose UV plane has the luma stride", () => {
  const g: CapturedGeometry = { layout: PixelFormat.NV12, width: 8, height: 4, bytesPerLine: 10 };
  const { driver, packed } = picture([
    { rowBytes: 8, stride: 10, rows: 4 }, // Y
    { rowBytes: 8, stride: 10, rows: 2 }, // interleaved UV
  ]);
  assert.equal(capturedFrameBytes(g), 60);
  const out = copyFrame(driver, g)!;
  assert.equal(out.length, frameSize(PixelFormat.NV12, 8, 4));
  assert.deepEqual(out, packed);
});

Deno.test("copyFrame() removes the row padding of RGB24 and BGR24", () => {
  for (const layout of [PixelFormat.RGB24, PixelFormat.BGR24]) {
    const g: CapturedGeometry = { layout, width: 2, height: 2, bytesPerLine: 8 };
    const { driver, packed } = picture([{ rowBytes: 6, stride: 8, rows: 2 }]);
    assert.deepEqual(copyFrame(driver, g), packed);
  }
});

Deno.test("copyFrame() takes an unpadded frame as it is, however the stride is given", () => {
  for (const bytesPerLine of [0, 12, 5]) { // 0 and below-tight strides mean "tight"
    const g: CapturedGeometry = { layout: PixelFormat.YUYV, width: 6, height: 2, bytesPerLine };
    const { driver, packed } = picture([{ rowBytes: 12, stride: 12, rows: 2 }]);
    assert.equal(capturedFrameBytes(g), 24);
    assert.deepEqual(copyFrame(driver, g), packed);
  }
});

Deno.test("copyFrame() ignores bytes past a complete frame", () => {
  const g: CapturedGeometry = { layout: PixelFormat.I420, width: 4, height: 2, bytesPerLine: 4 };
  const { driver, packed } = picture([
    { rowBytes: 4, stride: 4, rows: 2 },
    { rowBytes: 2, stride: 2, rows: 1 },
    { rowBytes: 2, stride: 2, rows: 1 },
  ]);
  const longer = new Uint8Array(driver.length + 100).fill(PAD);
  longer.set(driver);
  assert.deepEqual(copyFrame(longer, g), packed);
});

Deno.test("copyFrame() returns undefined for a buffer one byte short of a frame", () => {
  const cases: CapturedGeometry[] = [
    { layout: PixelFormat.YUYV, width: 6, height: 4, bytesPerLine: 16 },
    { layout: PixelFormat.YUYV, width: 6, height: 4, bytesPerLine: 0 },
    { layout: PixelFormat.GRAY8, width: 6, height: 3, bytesPerLine: 8 },
    { layout: PixelFormat.I420, width: 8, height: 4, bytesPerLine: 12 },
    { layout: PixelFormat.I420, width: 8, height: 4, bytesPerLine: 8 },
    { layout: PixelFormat.NV12, width: 8, height: 4, bytesPerLine: 10 },
    { layout: PixelFormat.RGB24, width: 2, height: 2, bytesPerLine: 8 },
  ];
  for (const g of cases) {
    const full = new Uint8Array(capturedFrameBytes(g));
    assert.ok(copyFrame(full, g), JSON.stringify(g));
    assert.equal(copyFrame(full.subarray(1), g), undefined, JSON.stringify(g));
    assert.equal(copyFrame(new Uint8Array(0), g), undefined, JSON.stringify(g));
  }
});

Deno.test("copyFrame() copies a JPEG as it is, and an empty one is no frame", () => {
  const g: CapturedGeometry = { layout: "jpeg", width: 640, height: 480, bytesPerLine: 0 };
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 1, 2, 3, 0xff, 0xd9]);
  assert.equal(capturedFrameBytes(g), 0);
  assert.deepEqual(copyFrame(jpeg, g), jpeg);
  assert.equal(copyFrame(new Uint8Array(0), g), undefined);
});

Deno.test("the copy never shares memory with the driver buffer", () => {
  const cases: CapturedGeometry[] = [
    { layout: "jpeg", width: 4, height: 2, bytesPerLine: 0 },
    { layout: PixelFormat.YUYV, width: 4, height: 2, bytesPerLine: 0 }, // tight: the slice path
    { layout: PixelFormat.YUYV, width: 4, height: 2, bytesPerLine: 12 }, // padded: row copies
    { layout: PixelFormat.NV12, width: 4, height: 2, bytesPerLine: 4 },
  ];
  for (const g of cases) {
    // A mapping is a view into a larger region: the copy must not be another view of it.
    const mapping = new Uint8Array(256).fill(7);
    const bytes = mapping.subarray(16, 16 + Math.max(capturedFrameBytes(g), 8));
    const out = copyFrame(bytes, g)!;
    assert.notEqual(out.buffer, mapping.buffer, JSON.stringify(g));
    const before = out.slice();
    mapping.fill(9); // the driver refills the buffer
    assert.deepEqual(out, before, JSON.stringify(g));
  }
});
