// Property-based fuzzing of src/rtp and src/rtcp (fast-check, fixed seed). Builds on
// test/rtp/property_test.ts: here every parser also runs on views inside sentinel-filled buffers,
// and the depacketizers get packet streams that are mutated as bytes, then reordered or cut.
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { parseRtcpCompound } from "../../src/rtcp/parse.ts";
import { buildGoodbye, buildSenderReport } from "../../src/rtcp/sender_report.ts";
import { buildReceiverReport } from "../../src/rtcp/receiver_report.ts";
import { H264Depacketizer } from "../../src/rtp/h264_depacketizer.ts";
import { H264Packetizer } from "../../src/rtp/h264_packetizer.ts";
import { JpegDepacketizer } from "../../src/rtp/jpeg_depacketizer.ts";
import { splitAnnexB } from "../../src/codec/annexb.ts";
import {
  check,
  fuzzInput,
  inSentinel,
  mutated,
  outcome,
  sameEverywhere,
  testdata,
} from "./_support.ts";

// Errors are impossible here: these parsers return undefined or drop, and never throw.
class NeverThrown extends Error {}

const RTP_SEEDS = [
  Uint8Array.of(0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x41, 2, 3),
  Uint8Array.of(
    ...[0xb2, 0xe0, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8],
    ...[0, 0, 0, 1, 0, 0, 0, 2],
    ...[0xbe, 0xde, 0, 1, 1, 2, 3, 4],
    ...[0x7c, 0x85, 9, 0, 0, 3],
  ),
];

Deno.test("parseRtpPacket() returns only views inside its input, whatever the bytes", () => {
  check(fuzzInput(RTP_SEEDS, 64), 5000, (input) => {
    sameEverywhere(
      input,
      (b) => outcome(NeverThrown, () => parseRtpPacket(b)),
      (b) => {
        const p = parseRtpPacket(b);
        return p ? [p.payload, ...(p.extension ? [p.extension.data] : [])] : [];
      },
    );
  });
});

const sr = { ssrc: 7, ntpMs: 1_700_000_000_000, rtpTimestamp: 9, packetCount: 3, octetCount: 4 };
const RTCP_SEEDS = [
  buildSenderReport({ ...sr, cname: "cam@host" }),
  buildGoodbye({ ...sr, cname: "c" }, "bye now"),
  buildReceiverReport({
    ssrc: 1,
    cname: "reader",
    reports: [{
      ssrc: 7,
      fractionLost: 1,
      cumulativeLost: 2,
      highestSequence: 3,
      jitter: 4,
      lastSr: 5,
      delaySinceLastSr: 6,
    }],
  }),
];

Deno.test("parseRtcpCompound() never throws and never reads past its input", () => {
  for (const seed of RTCP_SEEDS) assert.ok(parseRtcpCompound(seed), "the seeds are valid");
  check(fuzzInput(RTCP_SEEDS, 128), 4000, (input) => {
    sameEverywhere(input, (b) => outcome(NeverThrown, () => parseRtcpCompound(b)));
  });
});

/** The test clip as RTP packets (bytes), FU-A and single NAL units, as depacketizer seeds. */
function clipPackets(): Uint8Array[] {
  const nals = splitAnnexB(testdata("codec/x264_baseline_160x90_29.97fps.h264"));
  const p = new H264Packetizer({
    payloadType: 96,
    ssrc: 1,
    initialSequence: 65530,
    maxPayloadSize: 200,
  });
  const out: Uint8Array[] = [];
  for (let i = 0; i < 6; i++) {
    for (const b of p.packetize(nals.slice(i * 2, i * 2 + 2), i * 3000).packets()) {
      out.push(b.slice());
    }
  }
  return out;
}

/** A packet stream: seeds with some packets mutated, dropped, duplicated or swapped. */
function packetStream(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array[]> {
  return fc.array(
    fc.record({
      at: fc.nat(),
      op: fc.integer({ min: 0, max: 3 }),
      bytes: mutated(seeds),
    }),
    { maxLength: 8 },
  ).map((edits) => {
    const stream = seeds.slice();
    for (const e of edits) {
      const i = e.at % stream.length;
      if (e.op === 0) stream[i] = e.bytes;
      else if (e.op === 1) stream.splice(i, 1);
      else if (e.op === 2) stream.splice(i, 0, stream[i]);
      else if (i + 1 < stream.length) [stream[i], stream[i + 1]] = [stream[i + 1], stream[i]];
    }
    return stream;
  });
}

/** Pushes every packet (each a view in a sentinel buffer) and flushes; returns plain output. */
function depacketize(
  stream: Uint8Array[],
  make: () => { push(p: RtpPacket): unknown; flush(): unknown[] },
  sentinel: number | undefined,
): unknown[] {
  const d = make();
  const out: unknown[] = [];
  for (const bytes of stream) {
    const view = sentinel === undefined ? bytes.slice() : inSentinel(bytes, sentinel);
    const before = view.slice();
    const p = parseRtpPacket(view);
    if (!p) continue;
    const got = outcome(NeverThrown, () => d.push(p));
    assert.deepEqual(view, before, "push() changed the packet");
    if (!("ok" in got) || got.ok !== undefined) out.push(got);
  }
  out.push(outcome(NeverThrown, () => d.flush()));
  return out;
}

Deno.test("H264Depacketizer never throws, caps access units and ignores bytes around packets", () => {
  const seeds = clipPackets();
  check(packetStream(seeds), 300, (stream) => {
    const make = () => new H264Depacketizer({ maxAccessUnitSize: 4000, maxNalUnits: 64 });
    const plain = depacketize(stream, make, undefined);
    for (const s of [0x00, 0xff]) assert.deepEqual(depacketize(stream, make, s), plain);
    for (const o of plain) {
      const aus = "ok" in (o as object) ? (o as { ok: unknown }).ok : undefined;
      for (const au of [aus].flat() as { nalUnits?: number[][] }[]) {
        if (!au?.nalUnits) continue;
        assert.ok(au.nalUnits.length <= 64);
        assert.ok(au.nalUnits.reduce((n, u) => n + u.length, 0) <= 4000);
      }
    }
  });
});

/** RTP/JPEG packets (RFC 2435 §3.1): one 16x16 picture in two packets, and one with Q tables. */
function jpegSeeds(): Uint8Array[] {
  const rtp = (seq: number, marker: boolean, payload: number[]) =>
    Uint8Array.of(
      0x80,
      (marker ? 0x80 : 0) | 26,
      seq >> 8,
      seq & 0xff,
      0,
      0,
      0x0b,
      0xb8,
      0,
      0,
      0,
      1,
      ...payload,
    );
  const q = [0, 0, 0, 128, ...Array.from({ length: 128 }, (_, i) => (i % 50) + 1)];
  return [
    rtp(1, false, [0, 0, 0, 0, 1, 50, 2, 2, 0xaa, 0xbb]),
    rtp(2, true, [0, 0, 0, 2, 1, 50, 2, 2, 0xcc]),
    rtp(3, true, [0, 0, 0, 0, 0, 255, 4, 4, ...q, 1, 2, 3]),
    rtp(4, true, [0, 0, 0, 0, 65, 90, 2, 2, 0, 1, 0xff, 0xff, 7, 8]),
  ];
}

Deno.test("JpegDepacketizer never throws, caps pictures and ignores bytes around packets", () => {
  const seeds = jpegSeeds();
  check(packetStream(seeds), 800, (stream) => {
    const make = () => new JpegDepacketizer({ maxFrameSize: 4096 });
    const plain = depacketize(stream, make, undefined);
    assert.deepEqual(depacketize(stream, make, 0xff), plain);
    for (const o of plain) {
      const frames = "ok" in (o as object) ? (o as { ok: unknown }).ok : undefined;
      for (const f of [frames].flat() as { jpeg?: number[] }[]) {
        if (f?.jpeg) assert.ok(f.jpeg.length <= 4096, `picture of ${f.jpeg.length} bytes`);
      }
    }
  });
});
