import assert from "node:assert/strict";
import { H264Receiver } from "../../src/rtp/h264_receiver.ts";
import { rtpPacket } from "../server/conversation.ts";

function collector() {
  const out: { nals: Uint8Array[]; us: number }[] = [];
  const ingest = new H264Receiver((nals, us) => out.push({ nals, us }), {
    payloadType: 96,
    clockRate: 90000,
    maxAccessUnitSize: 10_000,
  });
  return { out, ingest, types: (i: number) => out[i].nals.map((n) => n[0] & 0x1f) };
}

Deno.test("H264Receiver maps RTP time to the first arrival's clock, across a 2^32 wrap", () => {
  const { out, ingest } = collector();
  ingest.push(rtpPacket(1, 0xffff_fc18, [0x41, 1]), 7_000_000); // 1000 ticks before the wrap
  ingest.push(rtpPacket(2, 0x0000_0bb8, [0x41, 2]), 9_999_999); // 4000 ticks later
  assert.deepEqual(out.map((o) => o.us), [7_000_000, 7_044_444]);
});

Deno.test("H264Receiver gives a B-frame's earlier RTP time an earlier microsecond time", () => {
  const { out, ingest } = collector();
  ingest.push(rtpPacket(1, 9000, [0x41, 1]), 0);
  ingest.push(rtpPacket(2, 6000, [0x41, 2]), 0);
  assert.deepEqual(out.map((o) => o.us), [0, -33_333]);
});

Deno.test("H264Receiver hands an IDR on as it came, parameter sets and all", () => {
  const { ingest, types } = collector();
  ingest.push(rtpPacket(1, 0, [0x65, 0x88, 1]), 0);
  assert.deepEqual(types(0), [5], "the stream, not the receiver, adds SPS and PPS");
  const stap = [24, 0, 5, 0x67, 0x42, 0xc0, 0x1f, 0xaa, 0, 2, 0x68, 0xcb, 0, 3, 0x65, 0x88, 2];
  ingest.push(rtpPacket(2, 3000, stap), 0);
  assert.deepEqual(types(1), [7, 8, 5]);
});

Deno.test("H264Receiver drops and counts non-RTP bytes and other payload types", () => {
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

Deno.test("H264Receiver flush() sends an access unit whose marker never came", () => {
  const { out, ingest } = collector();
  ingest.push(rtpPacket(1, 0, [0x41, 1], { marker: false }), 0);
  assert.equal(out.length, 0);
  ingest.flush(0);
  assert.equal(out.length, 1);
});
