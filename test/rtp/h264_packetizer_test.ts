import assert from "node:assert/strict";
import { H264Packetizer } from "../../src/rtp/h264_packetizer.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { H264_CASES, nal, PPS, SPS } from "./h264_cases.ts";

const base = { payloadType: 96, ssrc: 0x11223344, initialSequence: 1000 };

function parsed(list: { packets(): IterableIterator<Uint8Array> }): RtpPacket[] {
  return [...list.packets()].map((bytes) => {
    const p = parseRtpPacket(bytes);
    assert.ok(p, "every packet parses");
    return p;
  });
}

/** Rebuilds the NAL units from single NAL and FU-A payloads by the rules of RFC 6184. */
function reassemble(packets: RtpPacket[]): Uint8Array[] {
  const out: number[][] = [];
  for (const { payload } of packets) {
    const type = payload[0] & 0x1f;
    if (type !== 28) {
      out.push([...payload]);
      continue;
    }
    if (payload[1] & 0x80) out.push([(payload[0] & 0xe0) | (payload[1] & 0x1f)]);
    out[out.length - 1].push(...payload.subarray(2));
  }
  return out.map((n) => new Uint8Array(n));
}

for (const c of H264_CASES) {
  Deno.test(`H264Packetizer packetizes ${c.name} by RFC 6184`, () => {
    const packetizer = new H264Packetizer({ ...base, maxPayloadSize: c.maxPayloadSize });
    const list = packetizer.packetize(c.nalUnits, 123456);
    const packets = parsed(list);
    assert.equal(packets.length, c.packets);
    assert.equal(list.count, c.packets);
    packets.forEach((p, i) => {
      assert.ok(p.payload.length <= c.maxPayloadSize, "payload within maxPayloadSize");
      assert.equal(p.marker, i === packets.length - 1, "marker only on the last packet");
      assert.equal(p.timestamp, 123456);
      assert.equal(p.ssrc, 0x11223344);
      assert.equal(p.payloadType, 96);
      assert.equal(p.sequenceNumber, 1000 + i);
      assert.equal(p.paddingBytes, 0);
      if ((p.payload[0] & 0x1f) === 28) {
        // Fragments must not be empty, and an FU never carries a whole NAL (§5.8).
        assert.ok(p.payload.length > 2);
        assert.notEqual(p.payload[1] & 0xc0, 0xc0);
      }
    });
    assert.deepEqual(reassemble(packets), c.nalUnits);
    assert.equal(packetizer.nextSequence, 1000 + c.packets);
    assert.equal(list.payloadBytes, packets.reduce((n, p) => n + p.payload.length, 0));
    assert.equal(list.packetBytes, list.payloadBytes + 12 * c.packets);
    // Sized up front: the buffer is exactly the framed bytes (it would be larger after growing).
    const framed = list.framed(0);
    if (framed.length >= 64) assert.equal(framed.buffer.byteLength, framed.length);
  });
}

Deno.test("H264Packetizer fills FU-A fragments to maxPayloadSize and keeps F and NRI", () => {
  const packetizer = new H264Packetizer({ ...base, maxPayloadSize: 100 });
  const idr = nal(0xe5, 300); // F=1, NRI=3, type 5
  const packets = parsed(packetizer.packetize([idr], 0));
  assert.deepEqual(packets.map((p) => p.payload.length), [100, 100, 100, 7]);
  assert.deepEqual(packets.map((p) => p.payload[0]), [0xfc, 0xfc, 0xfc, 0xfc]);
  assert.deepEqual(packets.map((p) => p.payload[1]), [0x85, 0x05, 0x05, 0x45]);
  // The first fragment starts with the byte after the NAL header.
  assert.deepEqual([...packets[0].payload.subarray(2, 5)], [...idr.subarray(1, 4)]);
});

Deno.test("H264Packetizer wraps the sequence number from 65535 to 0 inside an FU-A", () => {
  const packetizer = new H264Packetizer({ ...base, initialSequence: 65533 });
  const nalUnits = [SPS, PPS, nal(0x65, 5000)];
  const packets = parsed(packetizer.packetize(nalUnits, 0));
  assert.deepEqual(packets.map((p) => p.sequenceNumber), [65533, 65534, 65535, 0, 1, 2]);
  assert.equal(packets[2].payload[1], 0x85); // the FU-A starts just before the wrap
  assert.deepEqual(reassemble(packets), nalUnits);
  assert.equal(packetizer.nextSequence, 3);
});

Deno.test("H264Packetizer continues the sequence across access units", () => {
  const packetizer = new H264Packetizer(base);
  const first = parsed(packetizer.packetize([nal(0x65, 3000)], 0));
  const second = parsed(packetizer.packetize([nal(0x41, 10)], 3000));
  assert.equal(second[0].sequenceNumber, first[first.length - 1].sequenceNumber + 1);
  assert.equal(second[0].timestamp, 3000);
});

Deno.test("H264Packetizer ignores empty NAL units and gives an empty list for an empty access unit", () => {
  const packetizer = new H264Packetizer(base);
  assert.equal(packetizer.packetize([], 0).count, 0);
  assert.equal(packetizer.packetize([new Uint8Array(0)], 0).count, 0);
  assert.equal(packetizer.nextSequence, 1000);
  const packets = parsed(packetizer.packetize([nal(0x41, 5), new Uint8Array(0)], 0));
  assert.equal(packets.length, 1);
  assert.equal(packets[0].marker, true, "the marker moves to the last NAL actually sent");
  assert.equal(packetizer.skipped, 0);
});

Deno.test("H264Packetizer skips and counts NAL units of type 0 and 24 to 31", () => {
  const packetizer = new H264Packetizer(base);
  const annexB = new Uint8Array([0, 0, 0, 1, 0x65, 1]); // a start code left in by mistake
  const packets = parsed(
    packetizer.packetize([nal(0x41, 5), annexB, nal(0x18, 5), nal(0x1c, 3000), nal(0x1f, 5)], 0),
  );
  assert.equal(packets.length, 1);
  assert.equal(packets[0].marker, true);
  assert.equal(packetizer.skipped, 4);
});

Deno.test("H264Packetizer handles the largest maxPayloadSize", () => {
  const packetizer = new H264Packetizer({ ...base, maxPayloadSize: 65000 });
  const packets = parsed(packetizer.packetize([nal(0x65, 65000), nal(0x65, 65001)], 0));
  assert.deepEqual(packets.map((p) => p.payload.length), [65000, 65000, 4]);
});

Deno.test("H264Packetizer rejects bad options and timestamps with a RangeError that names them", () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ maxPayloadSize: 5 }, "maxPayloadSize must be an integer from 100 to 65000, got 5"],
    [{ maxPayloadSize: 65001 }, "maxPayloadSize must be an integer from 100 to 65000, got 65001"],
    [{ maxPayloadSize: 1400.5 }, "maxPayloadSize must be an integer from 100 to 65000, got 1400.5"],
    [{ payloadType: 128 }, "payloadType must be an integer from 0 to 127, got 128"],
    [{ ssrc: -1 }, "ssrc must be an integer from 0 to 4294967295, got -1"],
    [{ initialSequence: 65536 }, "initialSequence must be an integer from 0 to 65535, got 65536"],
    [{ initialSequence: "1" }, "initialSequence must be an integer from 0 to 65535, got 1"],
  ];
  for (const [patch, message] of bad) {
    assert.throws(
      () => new H264Packetizer({ ...base, ...patch } as typeof base),
      { name: "RangeError", message },
    );
  }
  const packetizer = new H264Packetizer(base);
  assert.throws(() => packetizer.packetize([nal(0x41, 5)], 2 ** 32), {
    name: "RangeError",
    message: "timestamp must be an integer from 0 to 4294967295, got 4294967296",
  });
  assert.equal(packetizer.maxPayloadSize, 1400);
});
