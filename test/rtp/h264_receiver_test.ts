import assert from "node:assert/strict";
import { RtpH264Ingest } from "../../src/rtp/h264_receiver.ts";
import { PPS, rtpPacket, SPS } from "../server/conversation.ts";

function collector() {
  const out: { nals: Uint8Array[]; us: number }[] = [];
  const ingest = new RtpH264Ingest((nals, us) => out.push({ nals, us }), {
    payloadType: 96,
    clockRate: 90000,
    maxAccessUnitSize: 10_000,
    sps: SPS,
    pps: PPS,
  });
  return { out, ingest, types: (i: number) => out[i].nals.map((n) => n[0] & 0x1f) };
}

Deno.test("RtpH264Ingest maps RTP time to the first arrival's clock, across a 2^32 wrap", () => {
  const { out, ingest } = collector();
  ingest.push(rtpPacket(1, 0xffff_fc18, [0x41, 1]), 7_000_000); // 1000 ticks before the wrap
  ingest.push(rtpPacket(2, 0x0000_0bb8, [0x41, 2]), 9_999_999); // 4000 ticks later
  assert.deepEqual(out.map((o) => o.us), [7_000_000, 7_044_444]);
});

Deno.test("RtpH264Ingest gives a B-frame's earlier RTP time an earlier microsecond time", () => {
  const { out, ingest } = collector();
  ingest.push(rtpPacket(1, 9000, [0x41, 1]), 0);
  ingest.push(rtpPacket(2, 6000, [0x41, 2]), 0);
  assert.deepEqual(out.map((o) => o.us), [0, -33_333]);
});

Deno.test("RtpH264Ingest puts the SDP's SPS and PPS in front of an IDR that came without them", () => {
  const { ingest, types } = collector();
  ingest.push(rtpPacket(1, 0, [0x65, 0x88, 1]), 0);
  assert.deepEqual(types(0), [7, 8, 5]);
  ingest.push(rtpPacket(2, 3000, [0x41, 1]), 0);
  assert.deepEqual(types(1), [1], "a P-frame is left alone");
});

Deno.test("RtpH264Ingest prefers in-band parameter sets once the publisher sends them", () => {
  const { out, ingest, types } = collector();
  const newSps = new Uint8Array([0x67, 0x42, 0xc0, 0x1f, 0xaa]);
  // STAP-A with a new SPS, the PPS and an IDR.
  const stap = [24, 0, 5, ...newSps, 0, PPS.length, ...PPS, 0, 3, 0x65, 0x88, 2];
  ingest.push(rtpPacket(1, 0, stap), 0);
  assert.deepEqual(types(0), [7, 8, 5]);
  ingest.push(rtpPacket(2, 3000, [0x65, 0x88, 3]), 0);
  assert.deepEqual(types(1), [7, 8, 5]);
  assert.deepEqual([...out[1].nals[0]], [...newSps]);
});

Deno.test("RtpH264Ingest drops and counts non-RTP bytes and other payload types", () => {
  const { out, ingest } = collector();
  assert.equal(ingest.push(new Uint8Array(11), 0), false);
  assert.equal(ingest.push(rtpPacket(1, 0, [0x41, 1], { pt: 97 }), 0), false);
  const v1 = rtpPacket(2, 0, [0x41, 1]);
  v1[0] = 0x40;
  assert.equal(ingest.push(v1, 0), false);
  assert.equal(out.length, 0);
  assert.deepEqual(ingest.stats, {
    packets: 3,
    badPackets: 3,
    accessUnits: 0,
    droppedAccessUnits: 0,
  });
});

Deno.test("RtpH264Ingest flush() sends an access unit whose marker never came", () => {
  const { out, ingest } = collector();
  ingest.push(rtpPacket(1, 0, [0x41, 1], { marker: false }), 0);
  assert.equal(out.length, 0);
  ingest.flush(0);
  assert.equal(out.length, 1);
});
