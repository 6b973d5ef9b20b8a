import assert from "node:assert/strict";
import {
  type AccessUnit,
  AccessUnitSplitter,
  splitAccessUnits,
} from "../../src/codec/access_unit.ts";
import { encodeAnnexB, splitAnnexB } from "../../src/codec/annexb.ts";
import { NalType, nalType } from "../../src/codec/h264.ts";
import { CLIP_BASELINE, CLIP_HIGH, hex, prng, readVector } from "./helpers.ts";

const AUD = hex("09f0");
const SPS = hex("6742c01e");
const PPS = hex("68ce3c80");
const IDR = hex("658884"); // first_mb_in_slice = 0
const IDR_2ND_SLICE = hex("65 40 84"); // first_mb_in_slice = 1 ("010")
const P = hex("419a02");
const P_2ND_SLICE = hex("41 2a 02"); // first_mb_in_slice = 4 ("00101")
const SEI = hex("0605ff");
const END_SEQ = hex("0a");
const END_STREAM = hex("0b");

/** Pushes `stream` cut after each of the given sizes (the rest in one piece), then flushes. */
function feed(splitter: AccessUnitSplitter, stream: Uint8Array, sizes: number[]): AccessUnit[] {
  const out: AccessUnit[] = [];
  let pos = 0;
  for (const size of sizes) {
    out.push(...splitter.push(stream.subarray(pos, pos + size)));
    pos += size;
  }
  out.push(...splitter.push(stream.subarray(pos)));
  out.push(...splitter.flush());
  return out;
}

function types(units: AccessUnit[]): number[][] {
  return units.map((u) => u.nalUnits.map(nalType));
}

Deno.test("splitAccessUnits() gives one access unit per frame of the clip with AUDs and 3 slices", () => {
  const units = splitAccessUnits(readVector(CLIP_HIGH));
  assert.equal(units.length, 12); // ffprobe -count_frames
  assert.deepEqual(
    units.map((u) => u.keyframe),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => i % 6 === 0),
  );
  assert.deepEqual(types(units)[0], [9, 7, 8, 6, 5, 5, 5]);
  assert.deepEqual(types(units)[6], [9, 7, 8, 5, 5, 5]);
  for (const unit of units.slice(1, 6)) assert.deepEqual(unit.nalUnits.map(nalType), [9, 1, 1, 1]);
});

Deno.test("splitAccessUnits() gives the same pictures when the AUDs are removed", () => {
  const withAud = splitAccessUnits(readVector(CLIP_HIGH));
  const nals = splitAnnexB(readVector(CLIP_HIGH)).filter((n) => nalType(n) !== NalType.AUD);
  const withoutAud = splitAccessUnits(encodeAnnexB(nals));
  assert.equal(withoutAud.length, 12);
  assert.deepEqual(withoutAud, withAud.map((u) => ({ ...u, nalUnits: u.nalUnits.slice(1) })));
});

Deno.test("splitAccessUnits() gives one access unit per frame of the Baseline clip without AUDs", () => {
  const units = splitAccessUnits(readVector(CLIP_BASELINE));
  assert.equal(units.length, 10); // ffprobe -count_frames
  assert.deepEqual(types(units)[0], [7, 8, 6, 5]);
  assert.deepEqual(types(units)[5], [7, 8, 5]);
  assert.deepEqual(units.map((u) => u.keyframe).map(Number), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
});

Deno.test("splitAccessUnits() returns views into its input", () => {
  const stream = readVector(CLIP_BASELINE);
  for (const unit of splitAccessUnits(stream)) {
    for (const nal of unit.nalUnits) assert.equal(nal.buffer, stream.buffer);
  }
});

Deno.test("splitAccessUnits() keeps slices with first_mb_in_slice > 0 in the same picture", () => {
  const stream = encodeAnnexB([SPS, PPS, IDR, IDR_2ND_SLICE, P, P_2ND_SLICE, P, P_2ND_SLICE]);
  assert.deepEqual(types(splitAccessUnits(stream)), [[7, 8, 5, 5], [1, 1], [1, 1]]);
});

Deno.test("splitAccessUnits() starts a new access unit at SEI, SPS, PPS, AUD or types 14-18 after a picture", () => {
  for (const next of [SEI, SPS, PPS, AUD, hex("0e00"), hex("1200")]) {
    const units = splitAccessUnits(encodeAnnexB([IDR, next, P]));
    assert.deepEqual(types(units), [[5], [nalType(next), 1]]);
  }
  // Filler data and unspecified types stay with the picture before them.
  assert.deepEqual(types(splitAccessUnits(encodeAnnexB([IDR, hex("0cff"), P]))), [[5, 12], [1]]);
});

Deno.test("splitAccessUnits() ends an access unit after end of sequence and end of stream", () => {
  // Even a slice with first_mb_in_slice > 0 starts a new access unit after them.
  const stream = encodeAnnexB([IDR, END_SEQ, END_STREAM, IDR_2ND_SLICE, P_2ND_SLICE]);
  assert.deepEqual(types(splitAccessUnits(stream)), [[5, 10, 11], [5, 1]]);
});

Deno.test("splitAccessUnits() does not return trailing NAL units without a picture", () => {
  assert.deepEqual(types(splitAccessUnits(encodeAnnexB([SPS, PPS, IDR, SPS, PPS]))), [[7, 8, 5]]);
  assert.deepEqual(splitAccessUnits(encodeAnnexB([SPS, PPS])), []);
  assert.deepEqual(splitAccessUnits(new Uint8Array(0)), []);
});

Deno.test("AccessUnitSplitter gives the same access units for 1-byte chunks as for the whole clip", () => {
  for (const clip of [CLIP_HIGH, CLIP_BASELINE]) {
    const stream = readVector(clip);
    const expected = splitAccessUnits(stream);
    const splitter = new AccessUnitSplitter();
    assert.deepEqual(feed(splitter, stream, new Array(stream.length).fill(1)), expected);
    assert.deepEqual(feed(splitter, stream, []), expected, "whole stream in one push");
  }
});

Deno.test("AccessUnitSplitter gives the same access units for random chunk sizes", () => {
  const stream = readVector(CLIP_HIGH);
  const expected = splitAccessUnits(stream);
  for (let seed = 1; seed <= 20; seed++) {
    const rand = prng(seed);
    const sizes = [];
    for (let total = 0; total < stream.length;) {
      const size = rand(seed % 2 ? 8 : 1500);
      sizes.push(size);
      total += size;
    }
    assert.deepEqual(feed(new AccessUnitSplitter(), stream, sizes), expected, `seed ${seed}`);
  }
});

Deno.test("AccessUnitSplitter handles a split at every byte position, start codes included", () => {
  const stream = encodeAnnexB([AUD, SPS, PPS, IDR, IDR_2ND_SLICE, END_SEQ, P, P_2ND_SLICE, P]);
  // Mix in 3-byte start codes and trailing zeros.
  const mixed = Uint8Array.from([0xff, 0, ...stream.subarray(1), 0, 0, 0, 0, 1, 0x41, 0x80, 0, 0]);
  for (const [bytes, count] of [[stream, 3], [mixed, 4]] as const) {
    const expected = splitAccessUnits(bytes);
    assert.equal(expected.length, count);
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.deepEqual(feed(new AccessUnitSplitter(), bytes, [cut]), expected, `cut at ${cut}`);
      for (const second of [1, 2, 3]) {
        const got = feed(new AccessUnitSplitter(), bytes, [cut, second]);
        assert.deepEqual(got, expected, `cuts at ${cut} and ${cut + second}`);
      }
    }
  }
});

Deno.test("AccessUnitSplitter returns copies that survive reuse of the chunk buffer", () => {
  const stream = encodeAnnexB([SPS, PPS, IDR, P, P]);
  const expected = splitAccessUnits(stream.slice());
  const splitter = new AccessUnitSplitter();
  const chunk = new Uint8Array(5);
  const got: AccessUnit[] = [];
  for (let i = 0; i < stream.length; i += 5) {
    const part = stream.subarray(i, i + 5);
    chunk.set(part);
    got.push(...splitter.push(chunk.subarray(0, part.length)));
    chunk.fill(0xee);
  }
  got.push(...splitter.flush());
  assert.deepEqual(got, expected);
  const big = splitter.push(stream);
  stream.fill(0);
  assert.deepEqual([...big, ...splitter.flush()], expected);
});

Deno.test("AccessUnitSplitter.push() does not modify its chunk", () => {
  const stream = readVector(CLIP_BASELINE);
  const before = stream.slice();
  feed(new AccessUnitSplitter(), stream, [100, 3, 2000]);
  assert.deepEqual(stream, before);
});

Deno.test("AccessUnitSplitter emits an access unit as soon as the next one starts", () => {
  const splitter = new AccessUnitSplitter();
  assert.deepEqual(splitter.push(encodeAnnexB([SPS, PPS, IDR])), []);
  assert.deepEqual(types(splitter.push(encodeAnnexB([P]))), [[7, 8, 5]]);
  assert.deepEqual(types(splitter.flush()), [[1]]);
  assert.deepEqual(splitter.flush(), []);
});

Deno.test("AccessUnitSplitter drops and counts an access unit above maxAccessUnitSize", () => {
  const big = new Uint8Array(3000).fill(0x55);
  big[0] = 0x41; // non-IDR slice
  big[1] = 0x80; // first_mb_in_slice = 0
  const stream = encodeAnnexB([SPS, PPS, IDR, big, P, big, P]);
  for (const sizes of [[], new Array(200).fill(37)]) {
    const splitter = new AccessUnitSplitter({ maxAccessUnitSize: 1000 });
    assert.deepEqual(types(feed(splitter, stream, sizes)), [[7, 8, 5], [1], [1]]);
    assert.equal(splitter.dropped, 2);
  }
});

Deno.test("AccessUnitSplitter drops an access unit whose slices add up above the limit", () => {
  const slice = (first: number) => {
    const s = new Uint8Array(400).fill(0x55);
    s[0] = 0x41;
    s[1] = first;
    return s;
  };
  const stream = encodeAnnexB([IDR, slice(0x80), slice(0x40), slice(0x40), P]);
  const splitter = new AccessUnitSplitter({ maxAccessUnitSize: 1000 });
  assert.deepEqual(types(feed(splitter, stream, [7, 500, 13])), [[5], [1]]);
  assert.equal(splitter.dropped, 1);
});

Deno.test("AccessUnitSplitter discards megabytes of garbage and then finds the stream", () => {
  const splitter = new AccessUnitSplitter({ maxAccessUnitSize: 64 * 1024 });
  const garbage = new Uint8Array(64 * 1024).fill(0xff);
  const zeros = new Uint8Array(64 * 1024);
  // Garbage before the first start code, then inside a NAL unit, then runs of zeros.
  for (let i = 0; i < 64; i++) assert.deepEqual(splitter.push(garbage), []);
  assert.deepEqual(splitter.push(encodeAnnexB([P])), []);
  for (let i = 0; i < 64; i++) assert.deepEqual(splitter.push(i % 2 ? zeros : garbage), []);
  for (let i = 0; i < 64; i++) assert.deepEqual(splitter.push(zeros), []);
  const out = splitter.push(encodeAnnexB([SPS, PPS, IDR, P]));
  out.push(...splitter.flush());
  assert.deepEqual(types(out), [[7, 8, 5], [1]]);
  assert.equal(splitter.dropped, 1);
});

Deno.test("AccessUnitSplitter keeps zero bytes that are not a start code", () => {
  // "00 | 00 02" and "00 00 | 00 00 03" across chunk boundaries are NAL data.
  const nal = hex("41 80 00 00 02 00 00 00 03 ff");
  const stream = encodeAnnexB([nal]);
  for (let cut = 0; cut <= stream.length; cut++) {
    for (let cut2 = cut; cut2 <= stream.length; cut2++) {
      const got = feed(new AccessUnitSplitter(), stream, [cut, cut2 - cut]);
      assert.deepEqual(got, [{ nalUnits: [nal], keyframe: false }], `cuts ${cut}, ${cut2}`);
    }
  }
});

Deno.test("AccessUnitSplitter rejects a maxAccessUnitSize that is not a positive integer", () => {
  for (const bad of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => new AccessUnitSplitter({ maxAccessUnitSize: bad }), RangeError);
  }
});
