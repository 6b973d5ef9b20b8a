// Property-based fuzzing of src/codec (fast-check, fixed seed): JPEG headers, SPS, Annex B and
// access units. Seeds are the real clips in test/testdata/{codec,mjpeg}; each parser must end in a
// result or its own error class, leave its input alone and return nothing from outside it.
import assert from "node:assert/strict";
import fc from "fast-check";
import { JpegError, probeJpeg, splitJpegs } from "../../src/codec/jpeg.ts";
import { parseSps, removeEmulationPrevention } from "../../src/codec/sps.ts";
import { CodecError } from "../../src/codec/h264.ts";
import { findStartCode, splitAnnexB } from "../../src/codec/annexb.ts";
import {
  type AccessUnit,
  AccessUnitSplitter,
  splitAccessUnits,
} from "../../src/codec/access_unit.ts";
import { PCM_SAMPLE_BYTES, PcmChunker, type PcmFrame, toL16 } from "../../src/codec/pcm.ts";
import { check, fuzzInput, inSentinel, outcome, sameEverywhere, testdata } from "./_support.ts";

const JPEGS = ["gray_160x120.jpg", "progressive_422_160x120.jpg", "yuv420_99x75.jpg"].map((n) =>
  testdata(`mjpeg/${n}`)
);
const CLIPS = [
  "x264_baseline_160x90_29.97fps.h264",
  "x264_high_176x100_25fps_aud_slices3_bframes.h264",
].map((n) => testdata(`codec/${n}`));
const NALS = CLIPS.flatMap(splitAnnexB);
const SPS = NALS.filter((n) => (n[0] & 0x1f) === 7);
const ANNEXB_SEEDS = [CLIPS[0].subarray(0, 1500), CLIPS[1].subarray(0, 1500), ...SPS];

Deno.test("probeJpeg() and splitJpegs() end mutated JPEGs in a result or a JpegError", () => {
  // Headers are what probeJpeg reads: mutate mostly there, so the edits land in the segments.
  const seeds = JPEGS.map((j) => j.subarray(0, 700));
  check(fuzzInput(seeds, 300), 1500, (input) => {
    sameEverywhere(input, (b) => outcome(JpegError, () => probeJpeg(b)));
    sameEverywhere(
      input,
      (b) => outcome(JpegError, () => splitJpegs(b)),
      (b) => splitJpegs(b),
    );
  });
});

Deno.test("parseSps() ends mutated SPS NAL units in a result or a CodecError", () => {
  assert.ok(SPS.length >= 2, "the clips carry SPS NAL units");
  for (const sps of SPS) parseSps(sps); // the seeds are valid
  const input = fc.oneof(
    fuzzInput(SPS, 64),
    // Almost all SPS bytes, type byte kept: exercises the exp-Golomb reader's end of data.
    fc.tuple(fc.constantFrom(...SPS), fc.nat()).map(([s, n]) => s.subarray(0, 1 + (n % s.length))),
  );
  check(input, 3000, (nal) => {
    sameEverywhere(nal, (b) => outcome(CodecError, () => parseSps(b)));
    sameEverywhere(nal, (b) => outcome(CodecError, () => removeEmulationPrevention(b)));
  });
});

Deno.test("splitAnnexB() and findStartCode() stay inside their input", () => {
  check(fuzzInput(ANNEXB_SEEDS, 400), 1000, (input) => {
    sameEverywhere(input, (b) => outcome(CodecError, () => splitAnnexB(b)), (b) => splitAnnexB(b));
    const view = inSentinel(input, 0);
    for (let from = 0; from <= input.length; from += 1 + (input.length >> 4)) {
      const at = findStartCode(view, from);
      assert.ok(at === -1 || (at >= from && at + 3 <= input.length), `start code at ${at}`);
    }
  });
});

Deno.test("splitAccessUnits() and AccessUnitSplitter agree on mutated streams, however cut", () => {
  const sizes = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 });
  check(fc.tuple(fuzzInput(ANNEXB_SEEDS, 400), sizes), 600, ([input, cuts]) => {
    const whole = sameEverywhere(input, (b) => outcome(CodecError, () => splitAccessUnits(b)));
    const splitter = new AccessUnitSplitter({ maxAccessUnitSize: 1 << 20 });
    const out: AccessUnit[] = [];
    let at = 0;
    for (let i = 0; at < input.length; i++) {
      const n = cuts[i % cuts.length];
      const chunk = inSentinel(input.slice(at, at + n), 0x01);
      const before = chunk.slice();
      out.push(...splitter.push(chunk));
      assert.deepEqual(chunk, before, "push() changed its input");
      at += n;
    }
    out.push(...splitter.flush());
    assert.deepEqual(outcome(CodecError, () => out), whole);
  });
});

Deno.test("AccessUnitSplitter drops an access unit above its cap and stays bounded", () => {
  check(fc.integer({ min: 64, max: 4096 }), 50, (cap) => {
    const splitter = new AccessUnitSplitter({ maxAccessUnitSize: cap });
    const big = new Uint8Array(cap * 3).fill(0x41);
    big.set([0, 0, 0, 1, 0x65], 0);
    const kept = [...splitter.push(big), ...splitter.push(Uint8Array.of(0, 0, 1, 0x65, 1, 0, 0, 1))]
      .concat(splitter.flush());
    for (const au of kept) {
      assert.ok(au.nalUnits.reduce((n, u) => n + u.length, 0) <= cap);
    }
    assert.ok(splitter.dropped >= 1);
  });
});

Deno.test("PcmChunker gives toL16() of the whole stream however it is cut, and carries < a sample", () => {
  const arb = fc.record({
    format: fc.constantFrom("s16le" as const, "s16be" as const, "s32le" as const),
    channels: fc.constantFrom(1, 2),
    rate: fc.constantFrom(8000, 11025, 16000, 44100, 48000),
    frameMs: fc.constantFrom(1, 5, 20),
    bytes: fc.uint8Array({ maxLength: 3000 }),
    cuts: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
  });
  check(arb, 300, ({ format, channels, rate, frameMs, bytes, cuts }) => {
    const chunker = new PcmChunker({ format: { sampleFormat: format, rate, channels }, frameMs });
    const unit = PCM_SAMPLE_BYTES[format] * channels;
    const frames: PcmFrame[] = [];
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const piece = inSentinel(bytes.slice(at, at + cuts[i % cuts.length]), 0xff);
      at += piece.length;
      const result = chunker.push(piece);
      assert.ok(result.ok);
      frames.push(...result.frames);
      assert.ok(chunker.carried < unit);
    }
    const last = chunker.flush();
    if (last) frames.push(last);
    const whole = bytes.length - (bytes.length % unit);
    const expected = toL16(format, bytes.subarray(0, whole));
    assert.deepEqual(frames.flatMap((f) => Array.from(f.data)), Array.from(expected));
    let start = 0;
    for (const f of frames) {
      assert.equal(f.start, start);
      assert.equal(f.data.length, f.samples * channels * 2);
      start += f.samples;
    }
  });
});
