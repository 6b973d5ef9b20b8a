import assert from "node:assert/strict";
import { probeJpeg } from "../../src/codec/jpeg.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { JpegDepacketizer, type JpegFrameOut } from "../../src/rtp/jpeg_depacketizer.ts";
import { JpegPacketizer } from "../../src/rtp/jpeg_packetizer.ts";
import { qualityQuantTables } from "../../src/rtp/jpeg_tables.ts";
import { CJPEG_420_DRI, CJPEG_422, scanOf } from "./jpeg_cases.ts";

function packetsOf(jpeg: Uint8Array, timestamp: number, packetizer: JpegPacketizer): RtpPacket[] {
  return [...packetizer.packetize(jpeg, timestamp).packets()].map((p) => parseRtpPacket(p)!);
}

function pushAll(d: JpegDepacketizer, packets: RtpPacket[]): JpegFrameOut[] {
  const out: JpegFrameOut[] = [];
  for (const p of packets) {
    const frame = d.push(p);
    if (frame) out.push(frame);
  }
  return out;
}

function rtp(
  sequenceNumber: number,
  marker: boolean,
  payload: number[],
  timestamp = 3000,
): RtpPacket {
  return {
    marker,
    payloadType: 26,
    sequenceNumber,
    timestamp,
    ssrc: 1,
    csrc: [],
    payload: Uint8Array.from(payload),
    paddingBytes: 0,
  };
}

Deno.test("a picture missing any one fragment is dropped, and the next picture comes through", () => {
  const packetizer = new JpegPacketizer({ ssrc: 1, initialSequence: 100, maxPayloadSize: 300 });
  const first = packetsOf(CJPEG_422, 0, packetizer);
  const second = packetsOf(CJPEG_422, 3000, packetizer);
  assert.ok(first.length >= 4);
  for (let lost = 0; lost < first.length; lost++) {
    const d = new JpegDepacketizer();
    const out = pushAll(d, [...first.filter((_, i) => i !== lost), ...second]);
    assert.deepEqual(out.map((f) => f.timestamp), [3000], `packet ${lost} lost`);
    assert.equal(d.droppedFrames, 1);
    assert.equal(d.dropped, first.length - 1);
  }
});

Deno.test("late and duplicate packets are dropped without breaking the picture", () => {
  const packetizer = new JpegPacketizer({ ssrc: 1, initialSequence: 0, maxPayloadSize: 300 });
  const packets = packetsOf(CJPEG_422, 0, packetizer);
  const d = new JpegDepacketizer();
  const out = pushAll(d, [packets[0], packets[1], packets[1], packets[0], ...packets.slice(2)]);
  assert.equal(out.length, 1);
  assert.deepEqual(scanOf(out[0].jpeg), scanOf(CJPEG_422));
  assert.equal(d.dropped, 2);
});

Deno.test("a Q factor of 1 to 99 gives the RFC 2435 Appendix A tables", () => {
  const d = new JpegDepacketizer();
  const frame = d.push(rtp(1, true, [0, 0, 0, 0, 0, 75, 4, 2, 0x12, 0x34]))!;
  const info = probeJpeg(frame.jpeg);
  const tables = qualityQuantTables(75);
  assert.deepEqual([...info.quantTables[0].values], [...tables.subarray(0, 64)]);
  assert.deepEqual([...info.quantTables[1].values], [...tables.subarray(64)]);
  assert.equal(info.subsampling, "4:2:2"); // type 0
  assert.deepEqual([info.width, info.height, frame.type], [32, 16, 0]);
  for (const q of [0, 100, 127]) {
    assert.equal(d.push(rtp(1 + q + 1, true, [0, 0, 0, 0, 0, q, 4, 2, 0x12])), undefined);
  }
  assert.equal(d.droppedFrames, 3);
});

Deno.test("qualityQuantTables() scales like the IJG library and clamps to 1..255", () => {
  assert.equal(qualityQuantTables(50)[0], 16);
  assert.equal(qualityQuantTables(1)[0], 255); // 16 * 5000 / 100 = 800 → 255
  assert.equal(qualityQuantTables(99)[0], 1); // (16 * 2 + 50) / 100 = 0 → 1
  assert.throws(() => qualityQuantTables(0), RangeError);
});

Deno.test("tables sent once for a Q of 128 to 254 serve later pictures; Q 255 must send them", () => {
  const d = new JpegDepacketizer();
  const tables = new Array(128).fill(0).map((_, i) => 1 + i);
  const withTables = [0, 0, 0, 0, 1, 200, 2, 2, 0, 0, 0, 128, ...tables, 0xaa];
  const first = d.push(rtp(1, true, withTables, 0))!;
  const second = d.push(rtp(2, true, [0, 0, 0, 0, 1, 200, 2, 2, 0, 0, 0, 0, 0xbb], 3000))!;
  assert.deepEqual(probeJpeg(second.jpeg).quantTables, probeJpeg(first.jpeg).quantTables);
  assert.deepEqual([...probeJpeg(first.jpeg).quantTables[1].values], tables.slice(64));
  assert.equal(d.push(rtp(3, true, [0, 0, 0, 0, 1, 201, 2, 2, 0, 0, 0, 0, 0xcc], 6000)), undefined);
  assert.equal(d.push(rtp(4, true, [0, 0, 0, 0, 1, 255, 2, 2, 0, 0, 0, 0, 0xcc], 9000)), undefined);
  assert.equal(d.droppedFrames, 2);
});

Deno.test("16-bit in-band tables are written as 16-bit DQT tables", () => {
  const d = new JpegDepacketizer();
  const wide = new Array(128).fill(0).flatMap((_, i) => [i >> 6, i & 0x3f]).slice(0, 128);
  const payload = [0, 0, 0, 0, 1, 255, 2, 2, 0, 1, 0, 192, ...wide, ...new Array(64).fill(9), 0xaa];
  const info = probeJpeg(d.push(rtp(1, true, payload))!.jpeg);
  assert.deepEqual(info.quantTables.map((t) => t.precision), [16, 8]);
});

Deno.test("the restart interval comes back as a DRI segment", () => {
  const packetizer = new JpegPacketizer({ ssrc: 1, initialSequence: 0 });
  const d = new JpegDepacketizer({ width: 51, height: 29 });
  const [frame] = pushAll(d, packetsOf(CJPEG_420_DRI, 0, packetizer));
  assert.equal(probeJpeg(frame.jpeg).restartInterval, probeJpeg(CJPEG_420_DRI).restartInterval);
  assert.deepEqual([frame.width, frame.height, frame.type], [51, 29, 65]);
});

Deno.test("an exact size that does not round to the packets' blocks is ignored", () => {
  const d = new JpegDepacketizer({ width: 640, height: 480 });
  const frame = d.push(rtp(1, true, [0, 0, 0, 0, 1, 50, 2, 2, 0xaa]))!;
  assert.deepEqual([frame.width, frame.height], [16, 16]);
});

Deno.test("an EOI already in the payload is not written twice", () => {
  const d = new JpegDepacketizer();
  const frame = d.push(rtp(1, true, [0, 0, 0, 0, 1, 50, 2, 2, 0xaa, 0xff, 0xd9]))!;
  assert.deepEqual([...frame.jpeg.subarray(-3)], [0xaa, 0xff, 0xd9]);
});

Deno.test("a sender that forgets the marker bit is tolerated when nothing is missing", () => {
  const d = new JpegDepacketizer();
  assert.equal(d.push(rtp(1, false, [0, 0, 0, 0, 1, 50, 2, 2, 0xaa], 0)), undefined);
  const frame = d.push(rtp(2, false, [0, 0, 0, 0, 1, 50, 2, 2, 0xbb], 3000));
  assert.equal(frame?.timestamp, 0);
  assert.deepEqual(d.flush().map((f) => f.timestamp), [3000]);
  // ...but not when packets went missing in between: the tail may have been lost.
  d.push(rtp(10, false, [0, 0, 0, 0, 1, 50, 2, 2, 0xaa], 0));
  assert.equal(d.push(rtp(12, true, [0, 0, 0, 0, 1, 50, 2, 2, 0xbb], 3000))?.timestamp, 3000);
  assert.equal(d.droppedFrames, 1);
});

Deno.test("types other than 0, 1, 64 and 65 and packets too short for their headers are dropped", () => {
  const d = new JpegDepacketizer();
  assert.equal(d.push(rtp(1, true, [0, 0, 0, 0, 2, 50, 2, 2, 0xaa])), undefined);
  assert.equal(d.push(rtp(2, true, [0, 0, 0, 0, 128, 50, 2, 2, 0xaa])), undefined);
  assert.equal(d.push(rtp(3, true, [0, 0, 0, 0, 1, 50, 2])), undefined);
  assert.equal(d.push(rtp(4, true, [0, 0, 0, 0, 65, 50, 2, 2, 0])), undefined); // restart header cut
  assert.equal(d.push(rtp(5, true, [0, 0, 0, 0, 1, 255, 2, 2, 0, 0, 0, 128, 1])), undefined);
  assert.equal(d.push(rtp(6, true, [0, 0, 0, 0, 1, 50, 0, 2, 0xaa])), undefined); // width 0
  assert.equal(d.droppedFrames, 6);
});

Deno.test("a picture above maxFrameSize is dropped and memory stays bounded", () => {
  const packetizer = new JpegPacketizer({ ssrc: 1, initialSequence: 0, maxPayloadSize: 300 });
  const d = new JpegDepacketizer({ maxFrameSize: 1024 });
  assert.deepEqual(pushAll(d, packetsOf(CJPEG_422, 0, packetizer)), []);
  assert.equal(d.droppedFrames, 1);
  assert.throws(() => new JpegDepacketizer({ maxFrameSize: 10 }), RangeError);
  assert.throws(() => new JpegDepacketizer({ width: 0 }), RangeError);
});
