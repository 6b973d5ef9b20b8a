import assert from "node:assert/strict";
import { JpegError, probeJpeg } from "../../src/codec/jpeg.ts";
import { FILES, firstFrame, mutate, readData, seeded, splitMjpeg } from "../jpeg/support.ts";

const SOI = [0xff, 0xd8];
const sof0 = (w: number, h: number, comps: number[][]) => [
  0xff,
  0xc0,
  0,
  8 + 3 * comps.length,
  8,
  h >> 8,
  h & 0xff,
  w >> 8,
  w & 0xff,
  comps.length,
  ...comps.flat(),
];

function rejects(bytes: number[] | Uint8Array, code: string, pattern: RegExp): void {
  assert.throws(
    () => probeJpeg(Uint8Array.from(bytes)),
    (e) => e instanceof JpegError && e.code === code && pattern.test(e.message),
  );
}

Deno.test("probeJpeg() reads size, components and sampling of each recorded layout", () => {
  const cases: [string, number, number, string, number[][]][] = [
    // ffmpeg writes 4:2:2 as Y 2x2 with chroma 1x2 (webcams usually say 2x1 and 1x1)
    [FILES.yuv422, 160, 120, "4:2:2", [[2, 2], [1, 2], [1, 2]]],
    [FILES.yuv420, 160, 120, "4:2:0", [[2, 2], [1, 1], [1, 1]]],
    [FILES.yuv444, 160, 120, "4:4:4", [[1, 2], [1, 2], [1, 2]]], // ffmpeg again
    [FILES.gray, 160, 120, "gray", [[1, 1]]],
    [FILES.odd, 99, 75, "4:2:0", [[2, 2], [1, 1], [1, 1]]],
    [FILES.yuv411, 160, 120, "4:1:1", [[4, 1], [1, 1], [1, 1]]],
    [FILES.hd, 1280, 720, "4:2:2", [[2, 2], [1, 2], [1, 2]]],
  ];
  for (const [name, width, height, subsampling, factors] of cases) {
    const info = probeJpeg(firstFrame(name));
    assert.equal(info.width, width, name);
    assert.equal(info.height, height, name);
    assert.equal(info.subsampling, subsampling, name);
    assert.deepEqual(info.components.map((c) => [c.h, c.v]), factors, name);
    assert.equal(info.process, "baseline", name);
    assert.equal(info.precision, 8, name);
  }
});

Deno.test("probeJpeg() tells a progressive JPEG and reads its restart interval", () => {
  const info = probeJpeg(readData(FILES.progressive));
  assert.equal(info.process, "progressive");
  assert.equal(info.subsampling, "4:2:2");
  assert.deepEqual(info.components.map((c) => [c.h, c.v]), [[2, 1], [1, 1], [1, 1]]);
  assert.equal(info.sof, 0xc2);
  assert.equal(info.arithmetic, false);
  assert.ok(info.restartInterval > 0);
});

Deno.test("probeJpeg() exposes the quantisation tables and where the entropy-coded data starts", () => {
  assert.deepEqual(probeJpeg(readData(FILES.yuv411)).quantTables.map((t) => t.id), [0, 1]);
  const jpeg = firstFrame(FILES.yuv422);
  const info = probeJpeg(jpeg);
  assert.deepEqual(info.quantTables.map((t) => t.id), [0]); // ffmpeg: one table for all
  assert.equal(info.quantTables[0].values.length, 64);
  assert.equal(info.quantTables[0].precision, 8);
  assert.ok(info.huffmanTables);
  assert.ok(info.jfif);
  // the SOS header ends right before scanOffset: its length field counts 6 + 2 * 3 bytes
  const at = info.scanOffset!;
  assert.deepEqual([...jpeg.subarray(at - 14, at - 10)], [0xff, 0xda, 0, 12]);
});

Deno.test("probeJpeg() reads an Adobe RGB JPEG's colour transform", () => {
  const info = probeJpeg(readData(FILES.rgb));
  assert.equal(info.adobeTransform, 0);
  assert.equal(info.jfif, false);
});

Deno.test("probeJpeg() accepts headers that end after the frame header, without a scan offset", () => {
  const info = probeJpeg(Uint8Array.from([...SOI, ...sof0(32, 16, [[1, 0x11, 0]])]));
  assert.equal(info.width, 32);
  assert.equal(info.scanOffset, undefined);
});

Deno.test("probeJpeg() skips fill bytes before a marker (T.81 B.1.1.2)", () => {
  const info = probeJpeg(Uint8Array.from([...SOI, 0xff, 0xff, ...sof0(32, 16, [[1, 0x11, 0]])]));
  assert.equal(info.height, 16);
});

Deno.test("probeJpeg() rejects empty, non-JPEG and truncated input with JpegError", () => {
  rejects([], "truncated", /before its SOI/);
  rejects([0xff], "truncated", /before its SOI/);
  rejects([0x89, 0x50, 0x4e, 0x47], "invalid", /not a JPEG: starts with 0x89 0x50/);
  rejects(SOI, "truncated", /before its frame header/);
  rejects([...SOI, 0xff, 0xe0, 0, 16, 1, 2], "truncated", /before its frame header/);
  rejects(firstFrame(FILES.yuv422).subarray(0, 100), "truncated", /frame header/);
});

Deno.test("probeJpeg() rejects a broken structure with JpegError", () => {
  rejects([...SOI, 0x12, 0x34], "invalid", /expected a marker at byte 2/);
  rejects([...SOI, 0xff, 0xe0, 0, 1], "invalid", /length 1/);
  rejects([...SOI, 0xff, 0xd9], "invalid", /EOI before the frame/);
  rejects([...SOI, 0xff, 0xd8], "invalid", /a second SOI/);
  rejects([...SOI, 0xff, 0x00], "invalid", /stuffed/);
  rejects([...SOI, 0xff, 0xc0, 0, 9, 8, 0, 8, 0, 8, 1, 1], "invalid", /does not match/);
  rejects([...SOI, ...sof0(0, 8, [[1, 0x11, 0]])], "invalid", /width of 0/);
  rejects([...SOI, ...sof0(8, 8, [[1, 0x51, 0]])], "invalid", /sampling factors 5x1/);
  rejects(
    [...SOI, ...sof0(8, 8, [[1, 0x11, 0]]), ...sof0(8, 8, [[1, 0x11, 0]])],
    "invalid",
    /second SOF/,
  );
  rejects([...SOI, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0], "invalid", /SOS before the frame/);
  rejects([...SOI, 0xff, 0xdb, 0, 10, 0x00, 1, 2, 3, 4, 5, 6, 7], "invalid", /DQT segment shorter/);
  rejects([...SOI, 0xff, 0xdd, 0, 3, 1], "invalid", /DRI segment of 3 bytes/);
});

Deno.test("probeJpeg() refuses a height defined by DNL as unsupported", () => {
  rejects([...SOI, ...sof0(8, 0, [[1, 0x11, 0]])], "unsupported", /DNL/);
});

Deno.test("probeJpeg() handles every prefix of a frame: a result or a JpegError", () => {
  const jpeg = firstFrame(FILES.yuv420);
  const info = probeJpeg(jpeg);
  for (let n = 0; n <= info.scanOffset! + 4; n++) {
    try {
      const partial = probeJpeg(jpeg.subarray(0, n));
      assert.equal(partial.width, 160);
    } catch (e) {
      assert.ok(e instanceof JpegError, `prefix ${n}: ${e}`);
    }
  }
});

Deno.test("probeJpeg() under 600 seeded mutations throws only JpegError and never mutates", () => {
  const random = seeded(2435);
  const sources = [FILES.yuv422, FILES.yuv420, FILES.gray, FILES.progressive, FILES.rgb].map(
    firstFrame,
  );
  let errors = 0;
  for (let i = 0; i < 600; i++) {
    const input = mutate(sources[i % sources.length], random);
    const before = input.slice();
    try {
      const info = probeJpeg(input);
      assert.ok(info.width > 0 && info.height > 0);
      if (info.scanOffset !== undefined) assert.ok(info.scanOffset <= input.length);
    } catch (e) {
      assert.ok(e instanceof JpegError, `case ${i}: ${e}`);
      errors++;
    }
    assert.deepEqual(input, before);
  }
  assert.ok(errors > 0);
});

Deno.test("splitMjpeg() (test helper) finds every frame of an ffmpeg MJPEG file", () => {
  const frames = splitMjpeg(readData(FILES.yuv422));
  assert.equal(frames.length, 2);
  for (const f of frames) assert.deepEqual([...f.subarray(-2)], [0xff, 0xd9]);
});
