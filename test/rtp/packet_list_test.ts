import assert from "node:assert/strict";
import { INTERLEAVED_HEADER_SIZE, PacketList } from "../../src/rtp/packet_list.ts";

Deno.test("PacketList frames each packet behind $, channel and a 16-bit length", () => {
  const list = new PacketList();
  list.append(1).set([9]);
  list.append(300).fill(7);
  const framed = list.framed(0);
  assert.deepEqual([...framed.subarray(0, 5)], [0x24, 0, 0, 1, 9]);
  assert.deepEqual([...framed.subarray(5, 9)], [0x24, 0, 0x01, 0x2c]);
  assert.equal(framed.length, 2 * INTERLEAVED_HEADER_SIZE + 301);
  assert.equal(list.count, 2);
  assert.equal(list.packetBytes, 301);
});

Deno.test("PacketList.framed() patches the channel into a copy and leaves the list alone", () => {
  const list = new PacketList();
  list.append(2).set([1, 2]);
  list.append(1).set([3]);
  const framed = list.framed(5);
  assert.deepEqual([...framed], [0x24, 5, 0, 2, 1, 2, 0x24, 5, 0, 1, 3]);
  assert.equal(list.framed(0)[1], 0);
  assert.notEqual(framed.buffer, list.framed(0).buffer);
});

Deno.test("PacketList keeps earlier packets intact when it grows", () => {
  const list = new PacketList(64);
  for (let i = 0; i < 50; i++) list.append(100 + i).fill(i);
  const packets = [...list.packets()];
  assert.equal(packets.length, 50);
  packets.forEach((p, i) => {
    assert.equal(p.length, 100 + i);
    assert.ok(p.every((b) => b === i));
  });
});

Deno.test("PacketList counts payload bytes as told", () => {
  const list = new PacketList();
  assert.equal(list.payloadBytes, 0);
  list.addPayloadBytes(1000);
  list.addPayloadBytes(12);
  assert.equal(list.payloadBytes, 1012);
});

Deno.test("PacketList rejects packet sizes outside 1..65535 and channels outside 0..255", () => {
  const list = new PacketList();
  assert.throws(() => list.append(0), RangeError);
  assert.throws(() => list.append(65536), /1 to 65535 bytes, got 65536/);
  assert.throws(() => list.append(1.5), RangeError);
  list.append(1);
  assert.throws(() => list.framed(256), /0 to 255, got 256/);
  assert.throws(() => list.framed(-1), RangeError);
});

Deno.test("PacketList holds a 65535-byte packet", () => {
  const list = new PacketList();
  list.append(65535).fill(1);
  const framed = list.framed(0);
  assert.deepEqual([...framed.subarray(0, 4)], [0x24, 0, 0xff, 0xff]);
  assert.equal([...list.packets()][0].length, 65535);
});
