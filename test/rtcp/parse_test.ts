import assert from "node:assert/strict";
import { parseRtcpCompound } from "../../src/rtcp/parse.ts";
import { buildReceiverReport } from "../../src/rtcp/receiver_report.ts";
import { buildSenderReport } from "../../src/rtcp/sender_report.ts";

const RR_EMPTY = [0x80, 201, 0, 1, 0, 0, 0, 9];
const BYE = [0x81, 203, 0, 1, 0, 0, 0, 9];
// Headers and SSRC of an SDES and a BYE that are 12 bytes long.
const SDES_HEADER = [0x81, 202, 0, 2, 0, 0, 0, 9];
const BYE_HEADER = [0x81, 203, 0, 2, 0, 0, 0, 9];

function parse(...packets: number[][]) {
  return parseRtcpCompound(new Uint8Array(packets.flat()));
}

Deno.test("parseRtcpCompound() reads an SR with report blocks", () => {
  const bytes = [
    [0x81, 200, 0, 12], // SR, RC=1, 13 words
    [0, 0, 0, 1], // SSRC
    [0x83, 0xaa, 0x7e, 0x80, 0, 0, 0, 0], // NTP
    [0, 0, 0x0b, 0xb8], // RTP timestamp 3000
    [0, 0, 0, 10, 0, 0, 0x10, 0], // 10 packets, 4096 octets
    [0, 0, 0, 2], // block about SSRC 2
    [0x40, 0xff, 0xff, 0xfe], // 25% lost, cumulative −2
    [0, 1, 0, 5], // extended highest 65541
    [0, 0, 0, 30], // jitter
    [0x12, 0x34, 0x56, 0x78], // LSR
    [0, 1, 0, 0], // DLSR: 1 s
  ].flat();
  assert.deepEqual(parse(bytes), [{
    type: "sr",
    ssrc: 1,
    ntp: { seconds: 2208988800, fraction: 0 },
    rtpTimestamp: 3000,
    packetCount: 10,
    octetCount: 4096,
    reports: [{
      ssrc: 2,
      fractionLost: 64,
      cumulativeLost: -2,
      highestSequence: 65541,
      jitter: 30,
      lastSr: 0x12345678,
      delaySinceLastSr: 65536,
    }],
  }]);
});

Deno.test("parseRtcpCompound() reads an RR + SDES as ffmpeg sends them", () => {
  const bytes = buildReceiverReport({
    ssrc: 0x6b8b4567,
    reports: [{
      ssrc: 0x11223344,
      fractionLost: 0,
      cumulativeLost: 0,
      highestSequence: 1234,
      jitter: 3,
      lastSr: 0x7e810000,
      delaySinceLastSr: 3277,
    }],
    cname: "laptop",
  });
  const packets = parseRtcpCompound(bytes)!;
  assert.equal(packets[0].type, "rr");
  assert.equal(packets[0].type === "rr" && packets[0].reports[0].highestSequence, 1234);
});

Deno.test("parseRtcpCompound() reads SDES chunks with several items and UTF-8 text", () => {
  const sdes = [
    [0x82, 202, 0, 6], // SC=2, 7 words
    [0, 0, 0, 9], // chunk 1: SSRC 9
    [1, 1, 0x61], // CNAME "a"
    [2, 5, 0x63, 0x61, 0x66, 0xc3, 0xa9], // NAME "café"
    [0, 0], // END, padding
    [0, 0, 0, 8], // chunk 2: SSRC 8
    [6, 1, 0x74, 0], // TOOL "t", END
  ].flat();
  assert.deepEqual(parse(RR_EMPTY, sdes)?.[1], {
    type: "sdes",
    chunks: [
      { ssrc: 9, items: [{ type: 1, value: "a" }, { type: 2, value: "café" }] },
      { ssrc: 8, items: [{ type: 6, value: "t" }] },
    ],
  });
});

Deno.test("parseRtcpCompound() tolerates a last SDES chunk that fills its packet without END", () => {
  const sdes = [0x81, 202, 0, 2, 0, 0, 0, 9, 1, 2, 0x61, 0x62];
  assert.deepEqual(parse(RR_EMPTY, sdes)?.[1], {
    type: "sdes",
    chunks: [{ ssrc: 9, items: [{ type: 1, value: "ab" }] }],
  });
});

Deno.test("parseRtcpCompound() reads BYE with several SSRCs and a reason, APP and unknown types", () => {
  const bye = [0x82, 203, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 2, 0x6f, 0x6b, 0];
  const app = [0x80, 204, 0, 2, 0, 0, 0, 9, 0x61, 0x62, 0x63, 0x64];
  const feedback = [0x81, 205, 0, 2, 0, 0, 0, 9, 0, 0, 0, 1];
  assert.deepEqual(parse(RR_EMPTY, app, feedback, bye)?.slice(1), [
    { type: "app", packetType: 204 },
    { type: "other", packetType: 205 },
    { type: "bye", ssrcs: [1, 2], reason: "ok" },
  ]);
});

Deno.test("parseRtcpCompound() accepts padding on the last packet", () => {
  const paddedBye = [0xa1, 203, 0, 2, 0, 0, 0, 9, 0, 0, 0, 4];
  assert.deepEqual(parse(RR_EMPTY, paddedBye)?.[1], { type: "bye", ssrcs: [9] });
  const paddedRr = [0xa0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 4];
  assert.deepEqual(parse(paddedRr), [{ type: "rr", ssrc: 9, reports: [] }]);
});

Deno.test("parseRtcpCompound() reads a compound from a view into a larger buffer", () => {
  const sr = buildSenderReport({
    ssrc: 5,
    ntpMs: 0,
    rtpTimestamp: 0,
    packetCount: 0,
    octetCount: 0,
    cname: "c",
  });
  const outer = new Uint8Array(sr.length + 10).fill(0xff);
  outer.set(sr, 5);
  const before = outer.slice();
  assert.equal(parseRtcpCompound(outer.subarray(5, 5 + sr.length))?.length, 2);
  assert.deepEqual(outer, before, "the input is not mutated");
});

Deno.test("parseRtcpCompound() rejects compounds that fail the checks of RFC 3550 A.2", () => {
  const cases: [string, number[]][] = [
    ["an empty datagram", []],
    ["3 bytes", [0x80, 201, 0]],
    ["a first packet that is SDES", [0x81, 202, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0]],
    ["a first packet that is BYE", BYE],
    ["a first packet that is APP", [0x80, 204, 0, 2, 0, 0, 0, 9, 0x61, 0x62, 0x63, 0x64]],
    ["version 1 on the first packet", [0x40, 201, 0, 1, 0, 0, 0, 9]],
    ["version 3 on the second packet", [...RR_EMPTY, 0xc1, 203, 0, 1, 0, 0, 0, 9]],
    ["a length past the end", [0x80, 201, 0, 2, 0, 0, 0, 9]],
    ["bytes left after the last packet", [...RR_EMPTY, 0, 0]],
    ["a partial header after the last packet", [...RR_EMPTY, 0x81, 203, 0]],
    ["padding on a packet that is not the last", [0xa0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 4, ...BYE]],
    ["a padding count of 0", [0xa0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0]],
    ["padding that eats the header", [0xa0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 12]],
    ["padding that eats the SSRC", [0xa0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 8]],
    ["an SR too short for its sender info", [0x80, 200, 0, 1, 0, 0, 0, 9]],
    ["an SR with RC=1 and no block", [0x81, 200, 0, 6, ...Array(24).fill(0)]],
    ["an RR with RC=2 and one block", [0x82, 201, 0, 7, 0, 0, 0, 9, ...Array(24).fill(0)]],
    ["an RR with RC=31 and no blocks", [0x9f, 201, 0, 1, 0, 0, 0, 9]],
    ["an SDES item past its packet", [...RR_EMPTY, 0x81, 202, 0, 2, 0, 0, 0, 9, 1, 5, 0x61, 0x62]],
    ["an SDES item header cut off", [...RR_EMPTY, ...SDES_HEADER, 0x61, 0x61, 0x61, 1]],
    ["an SDES missing its second chunk", [...RR_EMPTY, 0x82, 202, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0]],
    ["a BYE missing its second SSRC", [...RR_EMPTY, 0x82, 203, 0, 1, 0, 0, 0, 9]],
    ["a BYE reason past its packet", [...RR_EMPTY, ...BYE_HEADER, 9, 0x61, 0x62, 0x63]],
  ];
  for (const [what, bytes] of cases) {
    assert.equal(parseRtcpCompound(new Uint8Array(bytes)), undefined, what);
  }
});
