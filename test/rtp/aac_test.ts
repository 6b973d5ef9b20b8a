// RFC 3640 in detail: AU header bytes for given sizes, the fmtp as cameras and ffmpeg write it,
// real ffmpeg packets, the camera that leaves out indexlength (gortsplib PR #118), interleaving,
// and fragments that go missing, overrun or exceed the cap.
import assert from "node:assert/strict";
import { AacDepacketizer } from "../../src/rtp/aac_depacketizer.ts";
import { formatAacFmtp, parseAacFmtp } from "../../src/rtp/aac_fmtp.ts";
import { AAC_HBR_MAX_ACCESS_UNIT, AacPacketizer } from "../../src/rtp/aac_packetizer.ts";
import {
  AAC_HBR_LAYOUT,
  readAuHeaderSection,
  writeAacHbrHeaders,
} from "../../src/rtp/aac_au_headers.ts";
import { AudioPayloadError } from "../../src/rtp/audio_unit.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { bytes, capture, FFMPEG_AAC, rtp } from "./audio_cases.ts";

function fmtp(text: string) {
  const f = parseAacFmtp(text);
  if (f instanceof Error) throw f;
  return f;
}

const HBR = fmtp("mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1210");

function packet(
  sequence: number,
  timestamp: number,
  marker: boolean,
  payload: number[] | Uint8Array,
) {
  return parseRtpPacket(rtp(sequence, timestamp, marker, Uint8Array.from(payload)))!;
}

Deno.test("AU headers: AAC-hbr bytes for given sizes (RFC 3640 §3.3.6)", () => {
  const out = new Uint8Array(8);
  assert.equal(writeAacHbrHeaders(out, 0, [371, 1, 8191]), 8);
  // 48 bits; 371 << 3 = 0x0b98; 1 << 3 = 0x0008; 8191 << 3 = 0xfff8.
  assert.deepEqual([...out], [0x00, 0x30, 0x0b, 0x98, 0x00, 0x08, 0xff, 0xf8]);
  const section = readAuHeaderSection(out, AAC_HBR_LAYOUT)!;
  assert.deepEqual(section.headers.map((h) => h.size), [371, 1, 8191]);
  assert.equal(section.dataOffset, 8);
});

Deno.test("AU headers: AAC-lbr widths, padding, CTS/DTS deltas, RAP flag and auxiliary data", () => {
  // AAC-lbr: sizelength 6, indexlength 2, indexdeltalength 2: two headers in 16 bits.
  const lbr = { ...AAC_HBR_LAYOUT, sizeLength: 6, indexLength: 2, indexDeltaLength: 2 };
  const s = readAuHeaderSection(
    Uint8Array.of(0, 16, 0b000011_00, 0b000010_01, 9, 9, 9, 9, 9),
    lbr,
  )!;
  assert.deepEqual(s.headers, [{ size: 3, index: 0 }, { size: 2, index: 1 }]);
  assert.equal(s.dataOffset, 4);
  // 13-bit size, CTS-flag 1 + 4-bit delta, DTS-flag 0, RAP 1 = 20 bits, padded to 3 bytes;
  // then 8 bits of auxiliary-data-size = 16, two bytes of auxiliary data.
  const rich = {
    ...AAC_HBR_LAYOUT,
    indexLength: 0,
    ctsDeltaLength: 4,
    dtsDeltaLength: 4,
    randomAccessIndication: true,
    auxiliaryDataSizeLength: 8,
  };
  // 0000000000101 1 1010 0 1 (20 bits) → 0x00 0x2e 0x90 (4 bits of padding).
  const r = readAuHeaderSection(
    Uint8Array.of(0, 20, 0x00, 0x2e, 0x90, 16, 0xee, 0xee, 1, 2, 3, 4, 5),
    rich,
  )!;
  assert.deepEqual(r.headers, [{ size: 5, index: 0 }]);
  assert.equal(r.dataOffset, 8);
  // Lengths that do not add up.
  for (const bad of [[], [0], [0, 0], [0, 17, 0, 0], [0, 15, 0, 8, 1], [0, 16, 0, 8]]) {
    const out = readAuHeaderSection(Uint8Array.from(bad), AAC_HBR_LAYOUT);
    if (bad.length === 4 && bad[1] === 16) {
      assert.ok(out, "a header with no data is still a header section");
    } else assert.equal(out, undefined, JSON.stringify(bad));
  }
});

Deno.test("parseAacFmtp(): ffmpeg's, gortsplib's, and what is refused", () => {
  const ffmpeg = fmtp(FFMPEG_AAC.fmtp);
  assert.equal(ffmpeg.mode, "AAC-hbr");
  assert.equal(ffmpeg.profileLevelId, 1);
  assert.deepEqual([ffmpeg.sizeLength, ffmpeg.indexLength, ffmpeg.indexDeltaLength], [13, 3, 3]);
  const own = fmtp(formatAacFmtp(Uint8Array.of(0x11, 0x90)));
  assert.deepEqual([...own.config], [0x11, 0x90]);
  // Names in any case (RFC 3640 §4.1), a camera's missing index lengths kept as undefined.
  const camera = fmtp(
    "streamType=5; profile-level-id=15; mode=AAC-hbr; config=1408; SizeLength=13",
  );
  assert.equal(camera.sizeLength, 13);
  assert.equal(camera.indexLength, undefined);
  assert.equal(camera.audioSpecificConfig.sampleRate, 16000);
  for (
    const [text, why] of [
      ["mode=AAC-hbr;sizelength=13;indexlength=3", /without config/],
      ["mode=AAC-hbr;indexlength=3;config=1210", /without sizelength/],
      ["mode=AAC-hbr;sizelength=13;config=12g0", /not hex/],
      ["mode=AAC-hbr;sizelength=13;config=121", /not hex/],
      ["mode=CELP-cbr;sizelength=13;config=1210", /not AAC/],
      ["mode=AAC-hbr;sizelength=33;config=1210", /sizelength=33/],
      ["mode=AAC-hbr;sizelength=-1;config=1210", /sizelength=-1/],
      ["mode=AAC-hbr;sizelength=13;config=1180", /channelConfiguration 0/],
    ] as const
  ) {
    const got = parseAacFmtp(text);
    assert.ok(got instanceof AudioPayloadError, text);
    assert.match(got.message, why, text);
  }
});

Deno.test("AacDepacketizer reads ffmpeg's packets: 5 AUs each, 1024 ticks apart", () => {
  const packets = capture(FFMPEG_AAC.packets).map((b) => parseRtpPacket(b)!);
  const d = new AacDepacketizer({ fmtp: fmtp(FFMPEG_AAC.fmtp), clockRate: FFMPEG_AAC.clockRate });
  const units = packets.flatMap((p) => d.push(p));
  assert.equal(units.length, 20);
  assert.equal(d.dropped, 0);
  // The first packet's AU headers: 80 bits, sizes 215, 288, 235, 238, 254.
  assert.deepEqual(units.slice(0, 5).map((u) => u.data.length), [215, 288, 235, 238, 254]);
  // ffmpeg's first AU starts with a fill element naming the encoder: "Lavc59.37.100".
  assert.equal(new TextDecoder().decode(units[0].data.subarray(3, 16)), "Lavc59.37.100");
  units.forEach((u, i) => {
    assert.equal(u.rtpTimestamp, (packets[0].timestamp + 1024 * i) >>> 0);
    assert.equal(u.samples, 1024);
  });
  // And our packetizer gives the same packets back (ffmpeg aggregates 5, as we do when they fit).
  const p = new AacPacketizer({
    payloadType: 97,
    ssrc: packets[0].ssrc,
    initialSequence: packets[0].sequenceNumber,
    maxAggregateDuration: 5 * 1024,
  });
  const again = [...p.packetize(units.map((u) => u.data), packets[0].timestamp).packets()];
  assert.deepEqual(again, capture(FFMPEG_AAC.packets));
});

Deno.test("AacDepacketizer: a camera's sizelength=13 with no index lengths (gortsplib PR #118)", () => {
  const camera = fmtp("mode=AAC-hbr;sizelength=13;config=1408");
  const d = new AacDepacketizer({ fmtp: camera, clockRate: 16000 });
  // 13-bit headers only: AU-headers-length 26, sizes 3 and 2 → 0000000000011 0000000000010 + pad.
  const narrow = packet(1, 0, true, [0, 26, 0x00, 0x18, 0x00, 0x80, 1, 2, 3, 4, 5]);
  assert.deepEqual(d.push(narrow).map((u) => [...u.data]), [[1, 2, 3], [4, 5]]);
  // The same camera after a firmware update sends proper AAC-hbr 16-bit headers.
  const wide = packet(2, 2048, true, [0, 32, 0x00, 0x18, 0x00, 0x10, 1, 2, 3, 4, 5]);
  assert.deepEqual(d.push(wide).map((u) => [u.data.length, u.rtpTimestamp]), [[3, 2048], [
    2,
    3072,
  ]]);
  // Sizes that add up under neither reading: dropped.
  assert.deepEqual(d.push(packet(3, 4096, true, [0, 32, 0x00, 0x18, 0x00, 0x10, 1, 2])), []);
  assert.equal(d.dropped, 1);
  // With the index lengths given, only that layout is tried.
  const strict = new AacDepacketizer({ fmtp: HBR, clockRate: 44100 });
  assert.deepEqual(strict.push(narrow), []);
  assert.equal(strict.dropped, 1);
});

Deno.test("AacDepacketizer: AU-Index-delta spaces the timestamps (interleaving, §3.2.1.1)", () => {
  const d = new AacDepacketizer({ fmtp: HBR, clockRate: 44100 });
  // AU-Index 2, then a delta of 2: the second unit is 3 frames after the first.
  const units = d.push(packet(1, 10000, true, [0, 32, 0x00, 0x0a, 0x00, 0x0a, 7, 8]));
  assert.deepEqual(units.map((u) => u.rtpTimestamp), [10000, 10000 + 3 * 1024]);
});

Deno.test("AacDepacketizer: zero-size AUs are skipped, late and duplicate packets dropped", () => {
  const d = new AacDepacketizer({ fmtp: HBR, clockRate: 44100 });
  const p = packet(5, 0, true, [0, 32, 0x00, 0x00, 0x00, 0x08, 9]);
  assert.deepEqual(d.push(p).map((u) => [[...u.data], u.rtpTimestamp]), [[[9], 1024]]);
  assert.deepEqual(d.push(p), []);
  assert.deepEqual(d.push(packet(4, 0, true, [0, 16, 0, 8, 1])), []);
  assert.equal(d.dropped, 2);
});

/** The packets of one AU fragmented by our packetizer. */
function fragments(size: number, maxPayloadSize = 400, sequence = 10): RtpPacket[] {
  const p = new AacPacketizer({
    payloadType: 97,
    ssrc: 1,
    initialSequence: sequence,
    maxPayloadSize,
  });
  return [...p.packetize([bytes(size, size)], 9000).packets()].map((b) =>
    parseRtpPacket(b.slice())!
  );
}

Deno.test("AacDepacketizer reassembles fragments (§3.2.3) and drops them when one is lost", () => {
  const whole = fragments(1500);
  assert.equal(whole.length, 4);
  assert.deepEqual(whole.map((p) => p.marker), [false, false, false, true]);
  assert.ok(whole.every((p) => p.timestamp === 9000));
  let d = new AacDepacketizer({ fmtp: HBR, clockRate: 44100 });
  assert.deepEqual(whole.flatMap((p) => d.push(p)).map((u) => u.data), [bytes(1500, 1500)]);

  // The third fragment lost: nothing comes out, the next AU does.
  d = new AacDepacketizer({ fmtp: HBR, clockRate: 44100 });
  const next = packet(14, 10024, true, [0, 16, 0, 8, 42]);
  const out = [whole[0], whole[1], whole[3], next].flatMap((p) => d.push(p));
  assert.deepEqual(out.map((u) => [...u.data]), [[42]]);
  // The gap drops the first two; the last fragment, which could be the start of another AU as far
  // as its header tells, is dropped when its marker shows it short: counted as a second unit.
  assert.equal(d.droppedUnits, 2);
  assert.equal(d.dropped, 3);

  // The last fragment lost, a whole AU follows in sequence: the open one is dropped.
  d = new AacDepacketizer({ fmtp: HBR, clockRate: 44100 });
  const follow = packet(13, 10024, true, [0, 16, 0, 8, 42]);
  assert.deepEqual([...whole.slice(0, 3), follow].flatMap((p) => d.push(p)).length, 1);
  assert.equal(d.droppedUnits, 1);

  // The stream starting mid-AU: the marker comes with bytes missing.
  d = new AacDepacketizer({ fmtp: HBR, clockRate: 44100 });
  assert.deepEqual(whole.slice(1).flatMap((p) => d.push(p)), []);
  assert.equal(d.droppedUnits, 1);

  // A fragment claiming more than the cap is never buffered.
  d = new AacDepacketizer({ fmtp: HBR, clockRate: 44100, maxAccessUnitSize: 1000 });
  assert.deepEqual(whole.flatMap((p) => d.push(p)), []);
  assert.ok(d.droppedUnits >= 1);

  // More fragment bytes than the AU-size said (a fragment duplicated under a new sequence number).
  d = new AacDepacketizer({ fmtp: HBR, clockRate: 44100 });
  const twice = [whole[0], whole[1], whole[1], whole[2], whole[3]].map((p, i) => ({
    ...p,
    sequenceNumber: 10 + i,
  }));
  assert.deepEqual(twice.flatMap((p) => d.push(p)), []);

  // flush() never emits half an AU.
  d = new AacDepacketizer({ fmtp: HBR, clockRate: 44100 });
  whole.slice(0, 2).forEach((p) => d.push(p));
  assert.deepEqual(d.flush(), []);
  assert.equal(d.dropped, 2);
});

Deno.test("AacPacketizer skips empty and oversized AUs, keeping the others' timestamps", () => {
  const p = new AacPacketizer({
    payloadType: 97,
    ssrc: 1,
    initialSequence: 0,
    maxPayloadSize: 65000,
  });
  const units = [
    bytes(10),
    new Uint8Array(0),
    bytes(AAC_HBR_MAX_ACCESS_UNIT + 1),
    bytes(20),
    bytes(30),
  ];
  const packets = [...p.packetize(units, 0).packets()].map((b) => parseRtpPacket(b)!);
  assert.equal(p.skipped, 2);
  assert.deepEqual(packets.map((x) => x.timestamp), [0, 3 * 1024]);
  assert.equal(p.nextSequence, 2);
  assert.throws(
    () => new AacPacketizer({ payloadType: 97, ssrc: 1, initialSequence: 0, frameSamples: 0 }),
    RangeError,
  );
  assert.throws(
    () =>
      new AacPacketizer({ payloadType: 97, ssrc: 1, initialSequence: 0, maxAggregateDuration: -1 }),
    RangeError,
  );
  assert.throws(() => p.packetize([bytes(1)], -1), RangeError);
  assert.throws(() => new AacDepacketizer({ fmtp: HBR, clockRate: 0 }), RangeError);
  assert.throws(
    () => new AacDepacketizer({ fmtp: HBR, clockRate: 8000, maxAccessUnitSize: 0 }),
    RangeError,
  );
});
