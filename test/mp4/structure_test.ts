/**
 * The boxes the muxer writes, read back: sizes that add up, the tree ISO/IEC 14496-12 asks of an
 * init segment and a fragment, and the fields MSE reads (avcC, tfdt, trun offsets and flags).
 */

import assert from "node:assert/strict";
import { avcCodecString, avcDecoderConfiguration } from "../../src/mp4/avc_config.ts";
import { Fmp4Muxer } from "../../src/mp4/fmp4_muxer.ts";
import { mediaFragment } from "../../src/mp4/fragment.ts";
import { initSegment } from "../../src/mp4/init_segment.ts";
import { find, readBoxes, u32 } from "./boxes.ts";

// x264, Constrained Baseline, level 3.0, 640x360 (the SPS of src/codec/sps.ts's example).
const SPS = Uint8Array.from(
  "6742c01ed900a02ff970110000030001000003003c0f162e48".match(/../g)!,
  (h) => parseInt(h, 16),
);
const PPS = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);
const IDR = new Uint8Array([0x65, 0x88, 0x84, 0x00, 0x33]);
const P = new Uint8Array([0x41, 0x9a, 0x02]);

Deno.test("the init segment is ftyp then moov with one avc1 track and mvex/trex", () => {
  const boxes = readBoxes(initSegment({ sps: SPS, pps: [PPS], width: 640, height: 360 }));
  assert.deepEqual(boxes.map((b) => b.type), ["ftyp", "moov"]);
  assert.deepEqual(find(boxes, ["moov"]).children.map((b) => b.type), ["mvhd", "trak", "mvex"]);
  assert.deepEqual(
    find(boxes, ["moov", "trak", "mdia", "minf", "stbl"]).children.map((b) => b.type),
    ["stsd", "stts", "stsc", "stsz", "stco"],
  );
  const tkhd = find(boxes, ["moov", "trak", "tkhd"]);
  assert.equal(tkhd.size, 92); // version 0
  assert.deepEqual([u32(tkhd.payload, 76) / 65536, u32(tkhd.payload, 80) / 65536], [640, 360]);
  assert.equal(u32(find(boxes, ["moov", "trak", "mdia", "mdhd"]).payload, 12), 90000);
  const avc1 = find(boxes, ["moov", "trak", "mdia", "minf", "stbl", "stsd", "avc1"]);
  assert.equal(avc1.size, 8 + 78 + 8 + avcDecoderConfiguration(SPS, [PPS]).length);
  const avcC = find(avc1.children, ["avcC"]);
  assert.deepEqual(avcC.payload, avcDecoderConfiguration(SPS, [PPS]));
  assert.equal(find(boxes, ["moov", "mvex", "trex"]).size, 32);
});

Deno.test("avcC holds profile, level, 4-byte lengths and the parameter sets (14496-15 §5.3.3)", () => {
  const record = avcDecoderConfiguration(SPS, [PPS]);
  assert.deepEqual([...record.subarray(0, 6)], [1, 0x42, 0xc0, 0x1e, 0xff, 0xe1]);
  assert.equal((record[6] << 8) | record[7], SPS.length);
  assert.deepEqual(record.subarray(8, 8 + SPS.length), SPS);
  const at = 8 + SPS.length;
  assert.deepEqual([record[at], (record[at + 1] << 8) | record[at + 2]], [1, PPS.length]);
  assert.equal(record.length, at + 3 + PPS.length); // no high-profile tail for Baseline
  assert.equal(avcCodecString(SPS), "avc1.42c01e");
});

Deno.test("avcC of a High profile SPS ends with chroma format and bit depths", () => {
  // x264 High 4:2:0 8-bit, level 1.1 (test/codec/sps_test.ts's clip): chroma_format_idc 1.
  const high = Uint8Array.from("6764000bacd94b".match(/../g)!, (h) => parseInt(h, 16));
  const record = avcDecoderConfiguration(high, [PPS]);
  assert.deepEqual([...record.subarray(-4)], [0xfd, 0xf8, 0xf8, 0]);
});

Deno.test("a fragment's moof sizes add up and its trun points at the mdat's first sample", () => {
  const bytes = mediaFragment(7, 2 ** 33 + 5, [
    { nalUnits: [IDR], duration: 3000, keyframe: true },
    { nalUnits: [P, P], duration: 3003, keyframe: false },
  ]);
  const boxes = readBoxes(bytes);
  assert.deepEqual(boxes.map((b) => b.type), ["moof", "mdat"]);
  const moof = boxes[0];
  assert.equal(u32(find(boxes, ["moof", "mfhd"]).payload, 4), 7);
  const tfhd = find(boxes, ["moof", "traf", "tfhd"]);
  assert.deepEqual([u32(tfhd.payload, 0), u32(tfhd.payload, 4)], [0x020000, 1]);
  const tfdt = find(boxes, ["moof", "traf", "tfdt"]);
  assert.equal(tfdt.payload[0], 1); // version 1: 64-bit
  assert.equal(u32(tfdt.payload, 4) * 2 ** 32 + u32(tfdt.payload, 8), 2 ** 33 + 5);
  const trun = find(boxes, ["moof", "traf", "trun"]).payload;
  assert.deepEqual([u32(trun, 0), u32(trun, 4), u32(trun, 8)], [0x701, 2, moof.size + 8]);
  assert.deepEqual([u32(trun, 12), u32(trun, 16), u32(trun, 20)], [3000, 4 + 5, 0x02000000]);
  assert.deepEqual([u32(trun, 24), u32(trun, 28), u32(trun, 32)], [3003, 14, 0x01010000]);
  const mdat = boxes[1].payload;
  assert.equal(mdat.length, 9 + 14);
  assert.deepEqual([u32(mdat, 0), ...mdat.subarray(4, 9)], [5, ...IDR]);
  assert.deepEqual(bytes.subarray(u32(trun, 8), u32(trun, 8) + 4), new Uint8Array([0, 0, 0, 5]));
});

Deno.test("the muxer waits for a keyframe with parameter sets, then fragments every access unit", () => {
  const muxer = new Fmp4Muxer();
  assert.deepEqual(muxer.push({ nalUnits: [P], timestamp: 0 }), {});
  assert.deepEqual(muxer.push({ nalUnits: [IDR], timestamp: 3000 }), {}); // no SPS/PPS yet
  const first = muxer.push({
    nalUnits: [new Uint8Array([9, 0x10]), SPS, PPS, IDR],
    timestamp: 6000,
  });
  assert.equal(first.init?.codec, "avc1.42c01e");
  assert.deepEqual([first.init?.width, first.init?.height], [640, 360]);
  const mdat = readBoxes(first.fragment!)[1].payload;
  assert.deepEqual(mdat.subarray(4), IDR, "SPS, PPS and the AUD stay out of the sample");
  const second = muxer.push({ nalUnits: [P], timestamp: 9000 });
  assert.equal(second.init, undefined);
  const again = muxer.push({ nalUnits: [SPS, PPS, IDR], timestamp: 12000 });
  assert.equal(again.init, undefined, "the same parameter sets need no new init segment");
  muxer.reset();
  assert.deepEqual(muxer.push({ nalUnits: [P], timestamp: 15000 }), {});
  assert.ok(muxer.push({ nalUnits: [IDR], timestamp: 18000 }).init, "a reset sends init again");
});

Deno.test("decode times follow RTP steps across the 2^32 wrap, clamped below twice a sample", () => {
  const muxer = new Fmp4Muxer();
  const times: number[] = [];
  const push = (nalUnits: Uint8Array[], timestamp: number) => {
    const tfdt = find(readBoxes(muxer.push({ nalUnits, timestamp }).fragment!), [
      "moof",
      "traf",
      "tfdt",
    ]).payload;
    times.push(u32(tfdt, 8));
  };
  push([SPS, PPS, IDR], 2 ** 32 - 3000);
  push([P], 0); // wrapped: a step of 3000
  push([P], 3000);
  push([P], 3000 + 90000); // a 1 s gap: clamped to 1.9 × 3000
  push([P], 3000 + 90000 - 6000); // backwards (a source restart): one more sample's length
  assert.deepEqual(times, [0, 3000, 6000, 6000 + 5700, 6000 + 5700 + 5700]);
});
