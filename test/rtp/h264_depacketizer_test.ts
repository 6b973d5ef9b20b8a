import assert from "node:assert/strict";
import { H264Depacketizer } from "../../src/rtp/h264_depacketizer.ts";
import { H264Packetizer } from "../../src/rtp/h264_packetizer.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { H264_CASES, nal, PPS, SPS } from "./h264_cases.ts";

function rtp(
  sequenceNumber: number,
  timestamp: number,
  marker: boolean,
  payload: number[] | Uint8Array,
): RtpPacket {
  return {
    marker,
    payloadType: 96,
    sequenceNumber,
    timestamp,
    ssrc: 1,
    csrc: [],
    payload: payload instanceof Uint8Array ? payload : new Uint8Array(payload),
    paddingBytes: 0,
  };
}

/** Packets of one access unit as the packetizer makes them. */
function packetsOf(
  nalUnits: Uint8Array[],
  timestamp: number,
  initialSequence: number,
  maxPayloadSize = 1400,
): RtpPacket[] {
  const list = new H264Packetizer({ payloadType: 96, ssrc: 1, initialSequence, maxPayloadSize })
    .packetize(nalUnits, timestamp);
  return [...list.packets()].map((b) => parseRtpPacket(b)!);
}

/** Pushes packets; collects what comes out. */
function pushAll(d: H264Depacketizer, packets: RtpPacket[]) {
  return packets.map((p) => d.push(p)).filter((au) => au !== undefined);
}

for (const c of H264_CASES) {
  Deno.test(`H264Depacketizer round-trips ${c.name}`, () => {
    const d = new H264Depacketizer();
    const packets = packetsOf(c.nalUnits, 9000, 65530, c.maxPayloadSize);
    const outs = packets.map((p) => d.push(p));
    assert.ok(outs.slice(0, -1).every((o) => o === undefined), "nothing before the marker");
    const au = outs[outs.length - 1]!;
    assert.deepEqual(au.nalUnits, c.nalUnits);
    assert.equal(au.timestamp, 9000);
    assert.equal(au.keyframe, c.keyframe);
    assert.equal(d.dropped, 0);
  });
}

Deno.test("H264Depacketizer round-trips every table case as one stream", () => {
  const d = new H264Depacketizer();
  const packetizer = new H264Packetizer({ payloadType: 96, ssrc: 1, initialSequence: 65000 });
  const outs = H264_CASES.flatMap((c, i) =>
    pushAll(
      d,
      [...packetizer.packetize(c.nalUnits, i * 3000).packets()].map((b) => parseRtpPacket(b)!),
    )
  );
  assert.deepEqual(outs.map((au) => au.nalUnits), H264_CASES.map((c) => c.nalUnits));
  assert.deepEqual(outs.map((au) => au.timestamp), H264_CASES.map((_, i) => i * 3000));
});

Deno.test("H264Depacketizer reads STAP-A aggregates", () => {
  const d = new H264Depacketizer();
  const stap = [0x78, 0, SPS.length, ...SPS, 0, PPS.length, ...PPS];
  assert.equal(d.push(rtp(1, 0, false, stap)), undefined);
  const au = d.push(rtp(2, 0, true, nal(0x65, 20)))!;
  assert.deepEqual(au.nalUnits, [SPS, PPS, nal(0x65, 20)]);
  assert.equal(au.keyframe, true);
});

Deno.test("H264Depacketizer returns owned copies that later packet buffer reuse cannot change", () => {
  const d = new H264Depacketizer();
  const buffer = new Uint8Array([0x7c, 0x85, 1, 2, 3]);
  d.push(rtp(1, 0, false, buffer));
  buffer.set([0x7c, 0x45, 4, 5, 6]); // the socket reader reuses its buffer
  const single = new Uint8Array([0x41, 9]);
  assert.equal(d.push(rtp(2, 0, false, buffer)), undefined);
  const out = d.push(rtp(3, 0, true, single))!;
  buffer.fill(0);
  single.fill(0);
  assert.deepEqual(out.nalUnits.map((n) => [...n]), [[0x65, 1, 2, 3, 4, 5, 6], [0x41, 9]]);
  assert.ok(out.nalUnits.every((n) => n.buffer !== buffer.buffer && n.buffer !== single.buffer));
});

Deno.test("H264Depacketizer drops an access unit whose FU-A has no start", () => {
  const d = new H264Depacketizer();
  const packets = packetsOf([nal(0x65, 5000)], 0, 10);
  assert.equal(pushAll(d, packets.slice(1)).length, 0);
  assert.equal(d.dropped, packets.length - 1);
  assert.equal(d.droppedAccessUnits, 1);
  // The stream goes on with the next access unit.
  const next = pushAll(d, packetsOf([nal(0x41, 50)], 3000, 10 + packets.length));
  assert.equal(next.length, 1);
});

Deno.test("H264Depacketizer drops an access unit with a sequence gap inside a fragmented NAL", () => {
  const d = new H264Depacketizer();
  const packets = packetsOf([SPS, PPS, nal(0x65, 5000)], 0, 65534);
  packets.splice(3, 1); // lose the fragment with sequence number 1
  assert.equal(pushAll(d, packets).length, 0);
  assert.equal(d.dropped, packets.length);
  assert.equal(d.droppedAccessUnits, 1);
});

Deno.test("H264Depacketizer drops an access unit whose FU-A changes type midway", () => {
  const d = new H264Depacketizer();
  assert.equal(d.push(rtp(1, 0, false, [0x7c, 0x85, 1])), undefined);
  assert.equal(d.push(rtp(2, 0, true, [0x7c, 0x41, 2])), undefined);
  assert.deepEqual([d.dropped, d.droppedAccessUnits], [2, 1]);
});

Deno.test("H264Depacketizer drops an access unit whose FU-A never ends", () => {
  const d = new H264Depacketizer();
  d.push(rtp(1, 0, false, [0x7c, 0x85, 1]));
  assert.equal(d.push(rtp(2, 0, true, [0x7c, 0x05, 2])), undefined); // marker, no E bit
  assert.deepEqual([d.dropped, d.droppedAccessUnits], [2, 1]);
  d.push(rtp(3, 10, false, [0x7c, 0x85, 1]));
  assert.equal(d.push(rtp(4, 10, true, [0x41, 2])), undefined); // a single NAL cuts the FU short
  assert.deepEqual([d.dropped, d.droppedAccessUnits], [4, 2]);
});

Deno.test("H264Depacketizer drops an access unit with a STAP-A whose lengths run past the end", () => {
  for (
    const stap of [
      [0x78, 0, 5, 0x67, 1],
      [0x78, 0, 2, 0x67, 1, 0],
      [0x78, 0, 0],
      [0x78],
      [0x78, 0, 1, 0x09, 0xff, 0xff],
    ]
  ) {
    const d = new H264Depacketizer();
    d.push(rtp(1, 0, false, [0x41, 1]));
    d.push(rtp(2, 0, false, stap));
    assert.equal(d.push(rtp(3, 0, true, [0x41, 2])), undefined, JSON.stringify(stap));
    assert.deepEqual([d.dropped, d.droppedAccessUnits], [3, 1]);
  }
});

Deno.test("H264Depacketizer drops an access unit above maxAccessUnitSize and keeps going", () => {
  const d = new H264Depacketizer({ maxAccessUnitSize: 4000 });
  const big = packetsOf([nal(0x65, 4001)], 0, 0);
  assert.equal(pushAll(d, big).length, 0);
  assert.deepEqual([d.dropped, d.droppedAccessUnits], [big.length, 1]);
  const exact = pushAll(d, packetsOf([nal(0x41, 2000), nal(0x41, 2000)], 3000, big.length));
  assert.equal(exact.length, 1, "an access unit of exactly the cap passes");
});

Deno.test("H264Depacketizer drops an access unit with more NAL units than maxNalUnits", () => {
  const d = new H264Depacketizer({ maxNalUnits: 3 });
  const stap = [0x78, 0, 1, 0x06, 0, 1, 0x06, 0, 1, 0x06]; // three 1-byte SEI NAL units
  assert.equal(d.push(rtp(1, 0, true, stap))?.nalUnits.length, 3, "exactly the cap passes");
  d.push(rtp(2, 10, false, stap));
  assert.equal(d.push(rtp(3, 10, true, [0x41, 1])), undefined);
  d.push(rtp(4, 20, false, stap));
  assert.equal(d.push(rtp(5, 20, true, [0x7c, 0xc1, 1])), undefined, "an FU-A counts too");
  assert.deepEqual([d.dropped, d.droppedAccessUnits], [4, 2]);
  assert.throws(() => new H264Depacketizer({ maxNalUnits: 0 }), {
    name: "RangeError",
    message: "maxNalUnits must be an integer from 1 to 1048576, got 0",
  });
});

Deno.test("H264Depacketizer ignores and counts STAP-B, MTAP and FU-B but keeps the access unit", () => {
  const d = new H264Depacketizer();
  for (const [i, type] of [25, 26, 27, 29, 0, 30, 31].entries()) {
    d.push(rtp(i, 0, false, [0x60 | type, 0, 0, 0]));
  }
  const au = d.push(rtp(7, 0, true, [0x41, 1]))!;
  assert.deepEqual(au.nalUnits, [new Uint8Array([0x41, 1])]);
  assert.deepEqual([d.dropped, d.droppedAccessUnits], [7, 0]);
});

Deno.test("H264Depacketizer drops an access unit holding an empty or 1-byte FU-A payload", () => {
  for (const payload of [[], [0x7c]]) {
    const d = new H264Depacketizer();
    d.push(rtp(1, 0, false, payload));
    assert.equal(d.push(rtp(2, 0, true, [0x41, 1])), undefined);
    assert.deepEqual([d.dropped, d.droppedAccessUnits], [2, 1]);
  }
});

Deno.test("H264Depacketizer emits the previous access unit when the timestamp changes without a marker", () => {
  const d = new H264Depacketizer();
  assert.equal(d.push(rtp(1, 0, false, [0x41, 1])), undefined);
  const first = d.push(rtp(2, 3000, false, [0x41, 2]))!;
  assert.deepEqual(first, { nalUnits: [new Uint8Array([0x41, 1])], timestamp: 0, keyframe: false });
  const second = d.push(rtp(3, 6000, false, [0x65, 3]))!;
  assert.equal(second.timestamp, 3000);
  assert.deepEqual(d.flush(), [{
    nalUnits: [new Uint8Array([0x65, 3])],
    timestamp: 6000,
    keyframe: true,
  }]);
});

Deno.test("H264Depacketizer returns both access units when a timestamp change and a marker coincide", () => {
  const d = new H264Depacketizer();
  d.push(rtp(1, 0, false, [0x41, 1]));
  assert.equal(d.push(rtp(2, 3000, true, [0x41, 2]))?.timestamp, 0);
  assert.equal(d.push(rtp(3, 6000, false, [0x41, 3]))?.timestamp, 3000);
  assert.equal(d.push(rtp(4, 6000, true, [0x41, 4]))?.timestamp, 6000);
  d.push(rtp(5, 9000, false, [0x41, 5]));
  d.push(rtp(6, 12000, true, [0x41, 6]));
  assert.deepEqual(d.flush().map((au) => au.timestamp), [12000]);
  assert.deepEqual(d.flush(), []);
});

Deno.test("H264Depacketizer drops duplicate and late packets without disturbing the stream", () => {
  const d = new H264Depacketizer();
  const packets = packetsOf([nal(0x65, 3000)], 0, 100);
  d.push(packets[0]);
  assert.equal(d.push(packets[0]), undefined);
  d.push(packets[1]);
  assert.equal(d.push(packets[0]), undefined);
  assert.ok(d.push(packets[2]));
  assert.deepEqual([d.dropped, d.droppedAccessUnits], [2, 0]);
});

Deno.test("H264Depacketizer drops the access unit after a gap between access units", () => {
  // The missing packet may have been this access unit's SPS: it cannot be trusted.
  const d = new H264Depacketizer();
  assert.ok(d.push(rtp(1, 0, true, [0x41, 1])));
  assert.equal(d.push(rtp(3, 3000, true, [0x41, 2])), undefined);
  assert.ok(d.push(rtp(4, 6000, true, [0x41, 3])));
  assert.deepEqual([d.dropped, d.droppedAccessUnits], [1, 1]);
});

Deno.test("H264Depacketizer follows a publisher that restarts with a far-away sequence number", () => {
  const d = new H264Depacketizer();
  assert.ok(d.push(rtp(5000, 0, true, [0x41, 1])));
  assert.equal(d.push(rtp(100, 3000, true, [0x41, 2])), undefined); // restart: that one is suspect
  assert.ok(d.push(rtp(101, 6000, true, [0x41, 3])));
});

Deno.test("H264Depacketizer.flush() drops an open access unit whose FU-A is unfinished", () => {
  const d = new H264Depacketizer();
  d.push(rtp(1, 0, false, [0x7c, 0x85, 1]));
  assert.deepEqual(d.flush(), []);
  assert.deepEqual([d.dropped, d.droppedAccessUnits], [1, 1]);
});

Deno.test("H264Depacketizer tolerates an FU-A with both start and end bits", () => {
  const d = new H264Depacketizer();
  const au = d.push(rtp(1, 0, true, [0x7c, 0xc5, 1, 2]))!;
  assert.deepEqual(au.nalUnits, [new Uint8Array([0x65, 1, 2])]);
});

Deno.test("H264Depacketizer rejects a bad maxAccessUnitSize with a RangeError", () => {
  assert.throws(() => new H264Depacketizer({ maxAccessUnitSize: 0 }), {
    name: "RangeError",
    message: "maxAccessUnitSize must be an integer from 1 to 1073741824 bytes, got 0",
  });
  assert.throws(() => new H264Depacketizer({ maxAccessUnitSize: 2 ** 31 }), RangeError);
});
