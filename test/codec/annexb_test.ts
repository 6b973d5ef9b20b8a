import assert from "node:assert/strict";
import { encodeAnnexB, findStartCode, splitAnnexB } from "../../src/codec/annexb.ts";
import { nalType } from "../../src/codec/h264.ts";
import { CLIP_BASELINE, CLIP_HIGH, hex, prng, readVector } from "./helpers.ts";

function naiveFind(b: Uint8Array, from: number): number {
  for (let i = from; i + 2 < b.length; i++) {
    if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1) return i;
  }
  return -1;
}

function typeCounts(nals: Uint8Array[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const nal of nals) counts[nalType(nal)] = (counts[nalType(nal)] ?? 0) + 1;
  return counts;
}

/** A picture starts at a VCL NAL unit whose first_mb_in_slice is 0 (first ue(v) bit is 1). */
function pictureCount(nals: Uint8Array[]): number {
  return nals.filter((n) => (nalType(n) === 1 || nalType(n) === 5) && (n[1] & 0x80) !== 0).length;
}

Deno.test("splitAnnexB() strips 3- and 4-byte start codes", () => {
  const stream = hex("00000001 6742 000001 68ce 00000001 6588 84");
  assert.deepEqual(splitAnnexB(stream), [hex("6742"), hex("68ce"), hex("658884")]);
});

Deno.test("splitAnnexB() ignores bytes before the first start code", () => {
  assert.deepEqual(splitAnnexB(hex("ff 00 12 00 00 00 01 09 f0")), [hex("09f0")]);
  assert.deepEqual(splitAnnexB(hex("0000 0001 0910")), [hex("0910")]);
});

Deno.test("splitAnnexB() trims trailing zero bytes and skips empty NAL units", () => {
  const stream = hex("000001 6742 0000 00000001 000001 00000001 68ce 000000");
  assert.deepEqual(splitAnnexB(stream), [hex("6742"), hex("68ce")]);
});

Deno.test("splitAnnexB() keeps emulation-prevented zeros inside a NAL unit", () => {
  assert.deepEqual(splitAnnexB(hex("000001 65 000003 01 000003 00 ff")), [
    hex("65 000003 01 000003 00 ff"),
  ]);
});

Deno.test("splitAnnexB() returns nothing for input without a start code", () => {
  assert.deepEqual(splitAnnexB(new Uint8Array(0)), []);
  assert.deepEqual(splitAnnexB(hex("0000")), []);
  assert.deepEqual(splitAnnexB(hex("000001")), []);
  assert.deepEqual(splitAnnexB(new Uint8Array(1000).fill(0xff)), []);
  assert.deepEqual(splitAnnexB(new Uint8Array(1000)), []);
});

Deno.test("splitAnnexB() returns views into the input, not copies, and does not modify it", () => {
  const stream = readVector(CLIP_HIGH);
  const before = stream.slice();
  const nals = splitAnnexB(stream);
  for (const nal of nals) assert.equal(nal.buffer, stream.buffer);
  assert.deepEqual(stream, before);
});

Deno.test("splitAnnexB() finds every NAL unit and picture of the x264 High clip", () => {
  // ffprobe -count_frames: 12 frames; 3 slices each, with AUDs; SPS/PPS before both IDRs.
  const nals = splitAnnexB(readVector(CLIP_HIGH));
  assert.equal(nals.length, 53);
  assert.deepEqual(typeCounts(nals), { 1: 30, 5: 6, 6: 1, 7: 2, 8: 2, 9: 12 });
  assert.equal(pictureCount(nals), 12);
});

Deno.test("splitAnnexB() finds every NAL unit and picture of the x264 Baseline clip", () => {
  // ffprobe -count_frames: 10 frames, one slice each, no AUDs.
  const nals = splitAnnexB(readVector(CLIP_BASELINE));
  assert.deepEqual(typeCounts(nals), { 1: 8, 5: 2, 6: 1, 7: 2, 8: 2 });
  assert.equal(pictureCount(nals), 10);
});

Deno.test("encodeAnnexB() writes 4-byte start codes that splitAnnexB() reads back", () => {
  const nals = [hex("6742c01e"), hex("68ce3c80"), hex("65"), hex("4100000300ff")];
  const stream = encodeAnnexB(nals);
  assert.deepEqual(stream.subarray(0, 8), hex("00000001 6742c01e"));
  assert.equal(stream.length, 4 * 4 + 4 + 4 + 1 + 6);
  assert.deepEqual(splitAnnexB(stream), nals);
  assert.deepEqual(encodeAnnexB([]), new Uint8Array(0));
});

Deno.test("encodeAnnexB() of a clip's NAL units splits into the same NAL units", () => {
  const nals = splitAnnexB(readVector(CLIP_BASELINE));
  assert.deepEqual(splitAnnexB(encodeAnnexB(nals)), nals);
});

Deno.test("findStartCode() agrees with a byte-by-byte search at every offset", () => {
  const rand = prng(7);
  for (let round = 0; round < 200; round++) {
    const b = new Uint8Array(1 + rand(64));
    // Mostly 0, 1 and 3 so start codes and near misses are frequent.
    for (let i = 0; i < b.length; i++) b[i] = [0, 0, 0, 1, 3, 0xff][rand(6)];
    for (let from = 0; from <= b.length; from++) {
      assert.equal(findStartCode(b, from), naiveFind(b, from), `round ${round} from ${from}`);
    }
  }
});

Deno.test("findStartCode() stops at the given end", () => {
  const b = hex("ff 000001 ff");
  assert.equal(findStartCode(b, 0, 3), -1);
  assert.equal(findStartCode(b, 0, 4), 1);
  assert.equal(findStartCode(b, 0, 99), 1);
});
