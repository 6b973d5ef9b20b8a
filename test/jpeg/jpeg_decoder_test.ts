import assert from "node:assert/strict";
import { JpegError, probeJpeg } from "../../src/codec/jpeg.ts";
import { JpegDecoder } from "../../src/jpeg/jpeg_decoder.ts";
import { interopTest } from "../interop/support.ts";
import {
  compare,
  cropI420,
  ffmpegI420,
  FILES,
  firstFrame,
  readData,
  splitMjpeg,
} from "./support.ts";

/** A copy of `jpeg` with its SOF's height and width replaced. */
function withSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const out = jpeg.slice();
  let at = 2;
  while (!(out[at] === 0xff && out[at + 1] >= 0xc0 && out[at + 1] <= 0xc2)) {
    at += 2 + ((out[at + 2] << 8) | out[at + 3]);
  }
  out.set([height >> 8, height & 0xff, width >> 8, width & 0xff], at + 5);
  return out;
}

/** A copy of `jpeg` without its DHT segments, as UVC webcams send MJPEG (T.81 K.3 tables). */
function withoutDht(jpeg: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [jpeg.subarray(0, 2)];
  let at = 2;
  for (;;) {
    const marker = jpeg[at + 1];
    const length = (jpeg[at + 2] << 8) | jpeg[at + 3];
    if (marker === 0xda) break;
    if (marker !== 0xc4) parts.push(jpeg.subarray(at, at + 2 + length));
    at += 2 + length;
  }
  parts.push(jpeg.subarray(at));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}

/** A header-only four-component JPEG with an Adobe APP14 (transform 0): CMYK. */
function cmykHeader(): Uint8Array {
  // deno-fmt-ignore
  return Uint8Array.from([
    0xff, 0xd8,
    0xff, 0xee, 0, 14, 0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, 0,
    0xff, 0xdb, 0, 67, 0, ...new Array(64).fill(1),
    0xff, 0xc0, 0, 20, 8, 0, 16, 0, 16, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0,
    0xff, 0xda, 0, 14, 4, 1, 0, 2, 0, 3, 0, 4, 0, 0, 63, 0,
    0x12, 0x34, 0xff, 0xd9,
  ]);
}

async function withDecoder(fn: (decoder: JpegDecoder) => void | Promise<void>): Promise<void> {
  const decoder = await JpegDecoder.create();
  try {
    await fn(decoder);
  } finally {
    decoder.close();
  }
}

interopTest("decode() matches ffmpeg's own decode of every recorded layout and frame", [
  "ffmpeg",
], async () => {
  await withDecoder(async (decoder) => {
    for (const name of Object.values(FILES)) {
      for (const jpeg of splitMjpeg(readData(name))) {
        const info = probeJpeg(jpeg);
        const ours = decoder.decode(jpeg);
        assert.equal(ours.warning, undefined, name);
        assert.equal(ours.width, info.width & ~1, name);
        assert.equal(ours.height, info.height & ~1, name);
        let reference = await ffmpegI420(jpeg);
        if (ours.width !== info.width || ours.height !== info.height) {
          reference = cropI420(reference, info.width, info.height, ours.width, ours.height);
        }
        const { mad, psnr } = compare(ours.data, reference);
        assert.ok(mad < 2 || psnr > 40, `${name}: mean abs diff ${mad}, PSNR ${psnr} dB`);
        assert.ok(psnr > 30, `${name}: PSNR ${psnr} dB`);
      }
    }
  });
});

Deno.test("decode() gives a 1280x720 4:2:2 frame as 1280x720 I420", async () => {
  await withDecoder((decoder) => {
    const out = decoder.decode(firstFrame(FILES.hd));
    assert.equal(out.width, 1280);
    assert.equal(out.height, 720);
    assert.equal(out.data.length, 1280 * 720 * 1.5);
  });
});

Deno.test("decode() crops an odd-sized JPEG to even (99x75 gives 98x74)", async () => {
  await withDecoder((decoder) => {
    const out = decoder.decode(readData(FILES.odd));
    assert.deepEqual([out.width, out.height, out.data.length], [98, 74, 98 * 74 * 1.5]);
  });
});

Deno.test("decode() gives a greyscale JPEG neutral chroma", async () => {
  await withDecoder((decoder) => {
    const out = decoder.decode(readData(FILES.gray));
    assert.ok(out.data.subarray(160 * 120).every((v) => v === 128));
  });
});

Deno.test("decode() maps JPEG's full range to BT.601 limited range unless asked not to", async () => {
  await withDecoder((decoder) => {
    const jpeg = firstFrame(FILES.yuv420);
    const full = decoder.decode(jpeg, { fullRange: true }).data;
    const limited = decoder.decode(jpeg).data;
    const luma = 160 * 120;
    for (let i = 0; i < full.length; i++) {
      const v = full[i];
      const expected = i < luma
        ? 16 + Math.floor((v * 219 + 127) / 255)
        : 128 + Math.sign(v - 128) * Math.floor((Math.abs(v - 128) * 224 + 127) / 255);
      assert.equal(limited[i], expected, `sample ${i} (full ${v})`);
    }
    assert.ok(Math.min(...full.subarray(0, luma)) < 16); // testsrc2 has black
  });
});

Deno.test("decode() with view: true returns the decoder's own memory, reused by the next decode", async () => {
  await withDecoder((decoder) => {
    const jpeg = firstFrame(FILES.yuv422);
    const view = decoder.decode(jpeg, { view: true }).data;
    const copy = decoder.decode(jpeg).data;
    assert.ok(view.buffer.byteLength > view.length);
    assert.equal(copy.buffer.byteLength, copy.length);
    assert.deepEqual(view, copy);
  });
});

Deno.test("decode() uses the standard Huffman tables when a frame has none (UVC MJPEG)", async () => {
  await withDecoder((decoder) => {
    const jpeg = readData(FILES.gray); // cjpeg writes the standard tables
    const stripped = withoutDht(jpeg);
    assert.equal(probeJpeg(stripped).huffmanTables, false);
    assert.deepEqual(decoder.decode(stripped).data, decoder.decode(jpeg).data);
  });
});

Deno.test("decode() reports a JPEG cut inside its scan as a warning and still gives the picture", async () => {
  await withDecoder((decoder) => {
    const jpeg = firstFrame(FILES.yuv422);
    const out = decoder.decode(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    assert.match(out.warning ?? "", /Premature end of JPEG file/);
    assert.equal(out.width, 160);
    assert.equal(decoder.decode(jpeg).warning, undefined);
  });
});

Deno.test("decode() rejects bad input with a clear JpegError and keeps working", async () => {
  await withDecoder((decoder) => {
    const good = firstFrame(FILES.yuv420);
    const expected = decoder.decode(good).data;
    const cases: [Uint8Array, string, RegExp][] = [
      [new Uint8Array(0), "truncated", /0 bytes are not a JPEG/],
      [Uint8Array.of(0xff), "truncated", /1 bytes/],
      [new Uint8Array(1000), "invalid", /Not a JPEG file: starts with 0x00 0x00/],
      [new TextEncoder().encode("hello, world"), "invalid", /Not a JPEG file/],
      [good.subarray(0, 120), "invalid", /corrupt JPEG/],
      [withSize(good, 60000, 60000), "too-large", /60000x60000 is larger than 4096/],
      [withSize(good, 4097, 16), "too-large", /4097x16/],
      [withSize(good, 1, 120), "too-small", /1x120/],
      [cmykHeader(), "unsupported", /colour space 4 with 4 components/],
    ];
    for (const [bytes, code, pattern] of cases) {
      assert.throws(
        () => decoder.decode(bytes),
        (e) => e instanceof JpegError && e.code === code && pattern.test(e.message),
        `${code} ${pattern}`,
      );
      assert.deepEqual(decoder.decode(good).data, expected);
    }
  });
});

Deno.test("decode() does not grow memory over 1000 bad frames", async () => {
  await withDecoder((decoder) => {
    const good = firstFrame(FILES.yuv422);
    decoder.decode(good);
    const bad = [
      good.subarray(0, 150),
      good.subarray(0, good.length - 300),
      new Uint8Array(good.length),
      withSize(good, 60000, 60000),
      cmykHeader(),
    ];
    const corrupt = good.slice();
    for (let i = probeJpeg(good).scanOffset!; i < corrupt.length - 2; i += 7) corrupt[i] = 0xff;
    bad.push(corrupt);
    decoder.decode(corrupt); // may be an error or a warning; either way its buffers now exist
    const before = decoder.memoryBytes;
    for (let i = 0; i < 1000; i++) {
      try {
        decoder.decode(bad[i % bad.length]);
      } catch (e) {
        assert.ok(e instanceof JpegError);
      }
    }
    assert.equal(decoder.memoryBytes, before);
    assert.equal(decoder.decode(good).width, 160);
  });
});

Deno.test("decode() after close() throws", async () => {
  const decoder = await JpegDecoder.create();
  decoder.close();
  decoder.close(); // twice is fine
  assert.throws(() => decoder.decode(firstFrame(FILES.yuv420)), /the JPEG decoder is closed/);
});

Deno.test("createSync() gives a working decoder once the module was imported", async () => {
  (await JpegDecoder.create()).close(); // imports the module's text in this thread
  const decoder = JpegDecoder.createSync();
  try {
    assert.equal(decoder.decode(firstFrame(FILES.yuv444)).height, 120);
  } finally {
    decoder.close();
  }
});
