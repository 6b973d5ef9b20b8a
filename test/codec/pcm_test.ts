import assert from "node:assert/strict";
import {
  PCM_SAMPLE_BYTES,
  PcmChunker,
  type PcmFormat,
  type PcmFrame,
  type PcmSampleFormat,
  toL16,
} from "../../src/codec/pcm.ts";
import { prng } from "./helpers.ts";

/** Samples as a device would send them in `format`. */
function deviceBytes(format: PcmSampleFormat, samples: number[]): Uint8Array {
  const size = PCM_SAMPLE_BYTES[format];
  const bytes = new Uint8Array(samples.length * size);
  const view = new DataView(bytes.buffer);
  samples.forEach((s, i) => {
    if (format === "s16le") view.setInt16(2 * i, s, true);
    else if (format === "s16be") view.setInt16(2 * i, s, false);
    // INMP441: 24 bits at the top of the slot, low byte left as garbage.
    else view.setInt32(4 * i, (s << 16) | ((i * 37) & 0xff00) | 0x5a, true);
  });
  return bytes;
}

function l16(samples: number[]): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  samples.forEach((s, i) => new DataView(bytes.buffer).setInt16(2 * i, s));
  return bytes;
}

const SAMPLES = [0, 1, -1, 0x1234, -0x1234, 32767, -32768, 258];

Deno.test("toL16() turns s16le, s16be and s32le samples into 16-bit big-endian", () => {
  for (const format of ["s16le", "s16be", "s32le"] as const) {
    assert.deepEqual(toL16(format, deviceBytes(format, SAMPLES)), l16(SAMPLES), format);
  }
});

Deno.test("toL16() keeps the top 16 bits of a 24-in-32 sample, whatever the low bits hold", () => {
  // 0x12345678 and 0x1234ff00: the same top 16 bits. -1 in 24 bits (0xffffff00) is -1 in 16.
  const slots = new Uint8Array([
    0x78,
    0x56,
    0x34,
    0x12,
    0x00,
    0xff,
    0x34,
    0x12,
    0x00,
    0xff,
    0xff,
    0xff,
  ]);
  assert.deepEqual(Array.from(toL16("s32le", slots)), [0x12, 0x34, 0x12, 0x34, 0xff, 0xff]);
});

Deno.test("toL16() keeps stereo interleaved and writes into a given or the input array", () => {
  const stereo = deviceBytes("s16le", [1, -1, 2, -2]); // L R L R
  assert.deepEqual(toL16("s16le", stereo), l16([1, -1, 2, -2]));
  const out = new Uint8Array(12).fill(9);
  const written = toL16("s32le", deviceBytes("s32le", [5, 6]), out);
  assert.equal(written.buffer, out.buffer);
  assert.deepEqual(written, l16([5, 6]));
  assert.equal(out[4], 9, "nothing past the samples is written");
  for (const format of ["s16le", "s16be", "s32le"] as const) {
    const bytes = deviceBytes(format, SAMPLES);
    assert.deepEqual(toL16(format, bytes, bytes), l16(SAMPLES), `${format} in place`);
  }
});

Deno.test("toL16() refuses a partial sample and a short output array", () => {
  assert.throws(() => toL16("s16le", new Uint8Array(3)), /whole 2-byte samples, got 3 bytes/);
  assert.throws(() => toL16("s32le", new Uint8Array(6)), /whole 4-byte samples, got 6 bytes/);
  assert.throws(() => toL16("s16be", new Uint8Array(4), new Uint8Array(3)), RangeError);
  assert.throws(() => toL16("u8" as PcmSampleFormat, new Uint8Array(4)), RangeError);
});

/** Feeds `bytes` in pieces of the given sizes (cycled); returns every frame and the flush. */
function chunked(
  format: PcmFormat,
  bytes: Uint8Array,
  sizes: number[],
  frameMs?: number,
): { frames: PcmFrame[]; last?: PcmFrame; chunker: PcmChunker } {
  const chunker = new PcmChunker({ format, frameMs });
  const unit = PCM_SAMPLE_BYTES[format.sampleFormat] * format.channels;
  const frames: PcmFrame[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const piece = bytes.slice(at, at + sizes[k % sizes.length]);
    at += piece.length;
    const before = piece.slice();
    const result = chunker.push(piece);
    assert.ok(result.ok);
    assert.deepEqual(piece, before, "push() changed its input");
    frames.push(...result.frames);
    assert.ok(chunker.carried < unit, `${chunker.carried} bytes carried`);
  }
  return { frames, last: chunker.flush(), chunker };
}

function joined(frames: PcmFrame[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.data.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f.data, at);
    at += f.data.length;
  }
  return out;
}

Deno.test("PcmChunker cuts 16 kHz mono into 20 ms frames of 320 samples, numbered in order", () => {
  const random = prng(7);
  const samples = Array.from({ length: 1000 }, () => random(65536) - 32768);
  const { frames, last } = chunked(
    { sampleFormat: "s16le", rate: 16000, channels: 1 },
    deviceBytes("s16le", samples),
    [2000],
  );
  assert.deepEqual(frames.map((f) => [f.samples, f.start, f.data.length]), [
    [320, 0, 640],
    [320, 320, 640],
    [320, 640, 640],
  ]);
  assert.deepEqual(last && [last.samples, last.start, last.data.length], [40, 960, 80]);
  assert.deepEqual(joined([...frames, last!]), l16(samples));
});

Deno.test("PcmChunker gives the same frames however the stream is cut, odd sizes included", () => {
  const random = prng(11);
  for (const format of ["s16le", "s16be", "s32le"] as const) {
    for (const channels of [1, 2]) {
      const samples = Array.from({ length: 2 * 883 }, () => random(65536) - 32768);
      const pcm: PcmFormat = { sampleFormat: format, rate: 8000, channels };
      const bytes = deviceBytes(format, samples);
      const whole = chunked(pcm, bytes, [bytes.length], 10);
      assert.deepEqual(joined([...whole.frames, whole.last!]), l16(samples));
      for (const sizes of [[1], [3], [7, 1, 2], [5, 1023], [79, 80, 81]]) {
        const cut = chunked(pcm, bytes, sizes, 10);
        assert.deepEqual(cut.frames, whole.frames, `${format} ${channels} ch cut ${sizes}`);
        assert.deepEqual(cut.last, whole.last);
      }
    }
  }
});

Deno.test("PcmChunker carries a partial sample frame and keeps it out of flush()", () => {
  const chunker = new PcmChunker({ format: { sampleFormat: "s32le", rate: 16000, channels: 2 } });
  assert.equal(chunker.frameSamples, 320);
  assert.equal(chunker.frameBytes, 1280);
  let result = chunker.push(new Uint8Array(7)); // a left sample and 3 bytes of the right
  assert.deepEqual(result, { ok: true, frames: [] });
  assert.equal(chunker.carried, 7);
  assert.equal(chunker.pending, 0);
  result = chunker.push(new Uint8Array(10)); // completes it, then one more and 1 byte
  assert.ok(result.ok);
  assert.equal(chunker.carried, 1);
  assert.equal(chunker.pending, 2);
  const last = chunker.flush();
  assert.deepEqual(last?.samples, 2);
  assert.equal(last?.data.length, 8);
  assert.equal(chunker.flush(), undefined, "nothing left after a flush");
  assert.equal(chunker.carried, 1, "a partial sample is not a sample");
});

Deno.test("PcmChunker rounds a frame to whole samples at rates that do not divide evenly", () => {
  const chunker = new PcmChunker({
    format: { sampleFormat: "s16le", rate: 11025, channels: 1 },
    frameMs: 20,
  });
  assert.equal(chunker.frameSamples, 221); // 220.5 rounded; `samples` says so to the RTP layer
  const result = chunker.push(new Uint8Array(2 * 221 * 3));
  assert.ok(result.ok);
  assert.deepEqual(result.frames.map((f) => f.start), [0, 221, 442]);
});

Deno.test("PcmChunker refuses a chunk over its limit with a clear error and stays as it was", () => {
  const chunker = new PcmChunker({
    format: { sampleFormat: "s16le", rate: 16000, channels: 1 },
    maxPushBytes: 1000,
  });
  assert.ok(chunker.push(new Uint8Array(3)).ok);
  assert.deepEqual(chunker.push(new Uint8Array(1001)), {
    ok: false,
    error: "a chunk of 1001 bytes is over the 1000-byte limit",
  });
  assert.equal(chunker.carried, 1);
  assert.equal(chunker.pending, 1);
  const standard = new PcmChunker({ format: { sampleFormat: "s16le", rate: 16000, channels: 1 } });
  const big = standard.push(new Uint8Array((1 << 20) + 1));
  assert.equal(big.ok, false);
  assert.match(!big.ok ? big.error : "", /1048577 bytes is over the 1048576-byte limit/);
  assert.ok(standard.push(new Uint8Array(1 << 20)).ok, "1 MiB itself is taken");
});

Deno.test("PcmChunker checks its options", () => {
  const format: PcmFormat = { sampleFormat: "s16le", rate: 16000, channels: 1 };
  assert.throws(() => new PcmChunker({ format: { ...format, rate: 0 } }), /rate must be/);
  assert.throws(() => new PcmChunker({ format: { ...format, rate: 1.5 } }), /rate must be/);
  assert.throws(() => new PcmChunker({ format: { ...format, channels: 3 } }), /channels must be/);
  assert.throws(() => new PcmChunker({ format, frameMs: 0 }), /frameMs must be/);
  assert.throws(() => new PcmChunker({ format, frameMs: NaN }), /frameMs must be/);
  assert.throws(() => new PcmChunker({ format, maxPushBytes: 0 }), /maxPushBytes must be/);
  assert.throws(
    () => new PcmChunker({ format: { ...format, sampleFormat: "f32le" as PcmSampleFormat } }),
    /unknown sample format/,
  );
  assert.equal(
    new PcmChunker({ format: { ...format, rate: 8000 }, frameMs: 0.01 }).frameSamples,
    1,
  );
});
