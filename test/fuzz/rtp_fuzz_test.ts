// Property-based fuzzing of src/rtp and src/rtcp (fast-check, fixed seed): every parser also runs on
// views inside sentinel-filled buffers, and the depacketizers get packet streams that are mutated as
// bytes, then reordered or cut. Seeds: hand-made packets with every optional part, the H.264 case
// table, the test clip, and real JPEGs packetized.
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { parseRtcpCompound } from "../../src/rtcp/parse.ts";
import { buildGoodbye, buildSenderReport } from "../../src/rtcp/sender_report.ts";
import { buildReceiverReport } from "../../src/rtcp/receiver_report.ts";
import { H264Depacketizer } from "../../src/rtp/h264_depacketizer.ts";
import { H264Packetizer } from "../../src/rtp/h264_packetizer.ts";
import { JpegDepacketizer } from "../../src/rtp/jpeg_depacketizer.ts";
import { JpegPacketizer } from "../../src/rtp/jpeg_packetizer.ts";
import { splitAnnexB } from "../../src/codec/annexb.ts";
import { probeJpeg } from "../../src/codec/jpeg.ts";
import { H264_CASES } from "../rtp/h264_cases.ts";
import { AacDepacketizer } from "../../src/rtp/aac_depacketizer.ts";
import { formatAacFmtp, parseAacFmtp } from "../../src/rtp/aac_fmtp.ts";
import { AacPacketizer } from "../../src/rtp/aac_packetizer.ts";
import type { AudioDepacketizer } from "../../src/rtp/audio_unit.ts";
import { parseLatmFmtp, parseStreamMuxConfig } from "../../src/rtp/latm_config.ts";
import { LatmDepacketizer } from "../../src/rtp/latm_depacketizer.ts";
import { OpusDepacketizer } from "../../src/rtp/opus_depacketizer.ts";
import { OpusPacketizer } from "../../src/rtp/opus_packetizer.ts";
import { PcmDepacketizer } from "../../src/rtp/pcm_depacketizer.ts";
import { PcmPacketizer } from "../../src/rtp/pcm_packetizer.ts";
import {
  AUDIO_CASES,
  capture,
  FFMPEG_AAC,
  FFMPEG_LATM,
  FFMPEG_OPUS,
  latmPackets,
  streamMuxConfig,
} from "../rtp/audio_cases.ts";
import { CJPEG_420_DRI, CJPEG_422, FFMPEG_420 } from "../rtp/jpeg_cases.ts";
import {
  check,
  fuzzInput,
  inSentinel,
  mutated,
  outcome,
  randomBytes,
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
  // An extension header whose length is zero words (RFC 3550 §5.3.1), then a NAL unit.
  Uint8Array.of(0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x10, 0, 0, 0, 0x41),
];

/** Random bytes whose first byte says version 2, so they get past the first check. */
const version2 = randomBytes(48).map((b) => {
  if (b.length > 0) b[0] = 0x80 | (b[0] & 0x3f);
  return b;
});

Deno.test("parseRtpPacket() returns only views inside its input, whatever the bytes", () => {
  for (const seed of RTP_SEEDS) assert.ok(parseRtpPacket(seed), "the seeds are valid");
  check(fc.oneof(fuzzInput(RTP_SEEDS, 64), version2), 5000, (input) => {
    sameEverywhere(
      input,
      (b) => outcome(NeverThrown, () => parseRtpPacket(b)),
      (b) => {
        const p = parseRtpPacket(b);
        if (!p) return [];
        // RFC 3550 §5.1: header, CSRCs, extension, payload and padding add up to no more than it.
        const extension = p.extension ? 4 + p.extension.data.length : 0;
        const size = 12 + 4 * p.csrc.length + extension + p.payload.length + p.paddingBytes;
        assert.ok(size <= b.length, `${size} bytes accounted for in ${b.length}`);
        return [p.payload, ...(p.extension ? [p.extension.data] : [])];
      },
    );
  });
});

const sr = { ssrc: 7, ntpMs: 1_700_000_000_000, rtpTimestamp: 9, packetCount: 3, octetCount: 4 };
const RTCP_SEEDS = [
  buildSenderReport({ ...sr, cname: "cam@host" }),
  buildGoodbye({ ...sr, cname: "c" }, "bye now"),
  // A negative cumulative loss (duplicates outnumber losses, RFC 3550 §6.4.1).
  buildReceiverReport({
    ssrc: 2,
    cname: "viewer",
    reports: [{
      ssrc: 1,
      fractionLost: 1,
      cumulativeLost: -1,
      highestSequence: 3,
      jitter: 4,
      lastSr: 5,
      delaySinceLastSr: 6,
    }],
  }),
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

/** Random words behind a plausible first header: V=2, SR or RR (RFC 3550 §6.1). */
const rtcpShaped = fc.tuple(fc.integer({ min: 0, max: 24 }), fc.boolean(), randomBytes(100)).map(
  ([words, reportType, bytes]) => {
    const out = new Uint8Array(words * 4);
    out.set(bytes.subarray(0, out.length));
    if (out.length > 1) {
      out[0] = 0x80 | (out[0] & 0x1f);
      out[1] = reportType ? 200 : 201;
    }
    return out;
  },
);

Deno.test("parseRtcpCompound() never throws and never reads past its input", () => {
  for (const seed of RTCP_SEEDS) assert.ok(parseRtcpCompound(seed), "the seeds are valid");
  let accepted = 0;
  check(fc.oneof(fuzzInput(RTCP_SEEDS, 128), rtcpShaped), 4000, (input) => {
    const got = sameEverywhere(input, (b) => outcome(NeverThrown, () => parseRtcpCompound(b)));
    const packets = parseRtcpCompound(input);
    if (!packets) return;
    accepted++;
    // RFC 3550 §6.1: a compound starts with SR or RR; each packet is at least one word.
    assert.ok(packets.length > 0 && packets.length <= input.length / 4, JSON.stringify(got));
    assert.ok(packets[0].type === "sr" || packets[0].type === "rr");
    for (const p of packets) {
      if (p.type === "sr" || p.type === "rr") assert.ok(p.reports.length <= 31, "RC is 5 bits");
    }
  });
  assert.ok(accepted > 100, `only ${accepted} inputs parsed: the test proves little`);
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
      if (stream.length === 0) break;
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

/** The H.264 case table as one packet stream, small payloads so FU-A is common. */
function casePackets(): Uint8Array[] {
  const p = new H264Packetizer({
    payloadType: 96,
    ssrc: 1,
    initialSequence: 65500,
    maxPayloadSize: 300,
  });
  return H264_CASES.flatMap((c, i) => [...p.packetize(c.nalUnits, i * 3000).packets()])
    .map((b) => b.slice());
}

Deno.test("H264Depacketizer never throws, caps access units and ignores bytes around packets", () => {
  const streams = fc.oneof(packetStream(clipPackets()), packetStream(casePackets()));
  let emitted = 0;
  let dropped = 0;
  check(streams, 300, (stream) => {
    const make = () => new H264Depacketizer({ maxAccessUnitSize: 4000, maxNalUnits: 64 });
    const plain = depacketize(stream, make, undefined);
    for (const s of [0x00, 0xff]) assert.deepEqual(depacketize(stream, make, s), plain);
    for (const o of plain) {
      const aus = "ok" in (o as object) ? (o as { ok: unknown }).ok : undefined;
      for (const au of [aus].flat() as { nalUnits?: number[][] }[]) {
        if (!au?.nalUnits) continue;
        assert.ok(au.nalUnits.length > 0 && au.nalUnits.length <= 64);
        assert.ok(au.nalUnits.every((n) => n.length > 0), "no empty NAL unit");
        assert.ok(au.nalUnits.reduce((n, u) => n + u.length, 0) <= 4000);
      }
    }
    // What comes out is the depacketizer's own: no NAL unit is a view of a packet pushed.
    const d = make();
    const packets = stream.map((b) => parseRtpPacket(b)).filter((p) => p !== undefined);
    const out = packets.map((p) => d.push(p)).filter((au) => au !== undefined);
    out.push(...d.flush());
    for (const n of out.flatMap((au) => au.nalUnits)) {
      assert.ok(stream.every((b) => n.buffer !== b.buffer), "a NAL unit shares a packet's buffer");
    }
    emitted += out.length;
    dropped += d.droppedAccessUnits;
  });
  // The mangling must leave both outcomes common, or the test proves little.
  assert.ok(emitted > 300 && dropped > 100, `emitted ${emitted}, dropped ${dropped}`);
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

/** Three real JPEGs (ffmpeg and cjpeg, 4:2:0 and 4:2:2, with restart markers) as RTP. */
function realJpegPackets(): Uint8Array[] {
  const p = new JpegPacketizer({ ssrc: 1, initialSequence: 0, maxPayloadSize: 200 });
  return [FFMPEG_420, CJPEG_422, CJPEG_420_DRI].flatMap((jpeg, i) =>
    [...p.packetize(jpeg, i * 3000).packets()].map((b) => b.slice())
  );
}

Deno.test("JpegDepacketizer never throws, caps pictures and ignores bytes around packets", () => {
  const streams = fc.oneof(packetStream(jpegSeeds()), packetStream(realJpegPackets()));
  check(streams, 800, (stream) => {
    const make = () => new JpegDepacketizer({ maxFrameSize: 64 * 1024 });
    const plain = depacketize(stream, make, undefined);
    assert.deepEqual(depacketize(stream, make, 0xff), plain);
    for (const o of plain) {
      const frames = "ok" in (o as object) ? (o as { ok: unknown }).ok : undefined;
      for (const f of [frames].flat() as { jpeg?: number[] }[]) {
        if (!f?.jpeg) continue;
        assert.ok(f.jpeg.length <= 64 * 1024, `picture of ${f.jpeg.length} bytes`);
        // Only whole pictures come out, and the headers rebuilt from RFC 2435 always parse.
        assert.deepEqual(f.jpeg.slice(0, 2), [0xff, 0xd8]);
        assert.deepEqual(f.jpeg.slice(-2), [0xff, 0xd9]);
        const info = probeJpeg(Uint8Array.from(f.jpeg));
        assert.ok(info.components.length === 3 || info.components.length === 1);
      }
    }
  });
});

// ─── Audio ───────────────────────────────────────────────────────────────────────────────────────

/** The audio case table's packets of one kind (fragments made common by small payloads). */
function audioCasePackets(kind: "aac" | "latm" | "opus" | "pcm"): Uint8Array[] {
  const base = { payloadType: 97, ssrc: 1, initialSequence: 65500 };
  const out: Uint8Array[] = [];
  let ts = 0;
  for (const c of AUDIO_CASES) {
    if (c.kind !== kind) continue;
    ts += 100000;
    if (c.kind === "aac") {
      const p = new AacPacketizer({ ...base, maxPayloadSize: 300, frameSamples: c.frameLength });
      out.push(...p.packetize(c.units, ts).packets());
    } else if (c.kind === "latm") {
      out.push(...latmPackets(c, 100 + out.length, ts));
    } else if (c.kind === "opus") {
      out.push(...new OpusPacketizer(base).packetize(c.packet, ts).packets());
    } else if (c.kind === "pcm" && c.format.codec === "l16" && c.format.channels === 2) {
      const p = new PcmPacketizer({ ...base, format: c.format, maxPayloadSize: 200 });
      out.push(...p.packetize(c.bytes.subarray(0, 2000), ts).packets());
    }
  }
  return out.map((b) => b.slice());
}

/**
 * Pushes packet streams (mutated, dropped, duplicated, swapped) through an audio depacketizer:
 * never a throw, the same frames whatever bytes surround the packets, frames owned and within
 * `maxUnit` bytes, durations positive.
 */
function fuzzAudio(
  seeds: Uint8Array[][],
  make: () => AudioDepacketizer,
  maxUnit: number,
  runs: number,
): { units: number; dropped: number } {
  let units = 0;
  let dropped = 0;
  check(fc.oneof(...seeds.map(packetStream)), runs, (stream) => {
    const plain = depacketize(stream, make, undefined);
    assert.deepEqual(depacketize(stream, make, 0xff), plain);
    const d = make();
    const out = stream.map((b) => parseRtpPacket(b)).filter((p) => p !== undefined)
      .flatMap((p) => d.push(p));
    out.push(...d.flush());
    for (const u of out) {
      assert.ok(u.data.length > 0 && u.data.length <= maxUnit, `a frame of ${u.data.length} bytes`);
      assert.ok(Number.isInteger(u.samples) && u.samples > 0, `duration ${u.samples}`);
      assert.ok(u.rtpTimestamp >= 0 && u.rtpTimestamp <= 0xffffffff);
      assert.ok(
        stream.every((b) => u.data.buffer !== b.buffer),
        "a frame shares a packet's buffer",
      );
    }
    units += out.length;
    dropped += d.dropped;
  });
  return { units, dropped };
}

Deno.test("AacDepacketizer never throws, caps reassembly and ignores bytes around packets", () => {
  const hbr = parseAacFmtp(FFMPEG_AAC.fmtp);
  // The camera of gortsplib PR #118: no index lengths, so both layouts are tried on garbage too.
  const camera = parseAacFmtp("mode=AAC-hbr;sizelength=13;config=1190");
  // Every optional AU header field, so garbage exercises them all.
  const lbr = parseAacFmtp(
    "mode=AAC-lbr;sizelength=6;indexlength=2;indexdeltalength=2;ctsdeltalength=3;" +
      "dtsdeltalength=2;randomaccessindication=1;streamstateindication=2;" +
      "auxiliarydatasizelength=4;config=1190",
  );
  for (const f of [hbr, camera, lbr]) assert.ok(!(f instanceof Error), String(f));
  const seeds = [capture(FFMPEG_AAC.packets), audioCasePackets("aac")];
  for (const fmtp of [hbr, camera, lbr]) {
    if (fmtp instanceof Error) continue;
    const { units, dropped } = fuzzAudio(
      seeds,
      () => new AacDepacketizer({ fmtp, clockRate: 48000, maxAccessUnitSize: 2000 }),
      2000,
      150,
    );
    if (fmtp === hbr) assert.ok(units > 300 && dropped > 50, `units ${units}, dropped ${dropped}`);
  }
});

Deno.test("LatmDepacketizer never throws, caps what it holds and ignores bytes around packets", () => {
  const ffmpeg = parseLatmFmtp(FFMPEG_LATM.fmtp);
  const own = parseStreamMuxConfig(streamMuxConfig(48000, 2));
  assert.ok(!(ffmpeg instanceof Error) && !(own instanceof Error));
  const { units, dropped } = fuzzAudio(
    [capture(FFMPEG_LATM.packets), audioCasePackets("latm")],
    () => new LatmDepacketizer({ config: own, clockRate: 48000, maxElementSize: 4096 }),
    4096,
    300,
  );
  assert.ok(units > 300 && dropped > 50, `units ${units}, dropped ${dropped}`);
});

Deno.test("OpusDepacketizer and PcmDepacketizer never throw on any packet stream", () => {
  const opus = fuzzAudio(
    [capture(FFMPEG_OPUS.packets), audioCasePackets("opus")],
    () => new OpusDepacketizer(),
    1500,
    200,
  );
  assert.ok(opus.units > 300 && opus.dropped > 20, JSON.stringify(opus));
  const format = { codec: "l16", clockRate: 48000, channels: 2 } as const;
  const pcm = fuzzAudio(
    [audioCasePackets("pcm")],
    () => new PcmDepacketizer({ format }),
    1500,
    200,
  );
  assert.ok(pcm.units > 300, JSON.stringify(pcm));
});

Deno.test("the audio fmtp and StreamMuxConfig parsers return errors, never throw", () => {
  const seeds = [
    FFMPEG_AAC.fmtp,
    formatAacFmtp(Uint8Array.of(0x2b, 0x11, 0x88, 0x00)),
    FFMPEG_LATM.fmtp,
    "cpresent=0;config=4000232000000000",
  ].map((t) => new TextEncoder().encode(t));
  check(fuzzInput(seeds, 96), 3000, (input) => {
    const text = new TextDecoder().decode(input);
    for (const parse of [parseAacFmtp, parseLatmFmtp]) {
      const got = parse(text);
      assert.ok(got instanceof Error || got.config.length > 0);
    }
    sameEverywhere(input, (b) => outcome(NeverThrown, () => parseStreamMuxConfig(b)));
  });
});
