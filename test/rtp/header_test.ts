import assert from "node:assert/strict";
import { parseRtpPacket, RTP_HEADER_SIZE, writeRtpHeader } from "../../src/rtp/header.ts";

/** Builds packet bytes by hand: fixed header fields, then whatever follows. */
function packet(b0: number, rest: number[] = [], b1 = 96): Uint8Array {
  return new Uint8Array([b0, b1, 0x01, 0x02, 0, 0, 0x0b, 0xb8, 0xde, 0xad, 0xbe, 0xef, ...rest]);
}

Deno.test("writeRtpHeader() and parseRtpPacket() round-trip boundary field values", () => {
  for (
    const h of [
      { marker: false, payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0 },
      {
        marker: true,
        payloadType: 127,
        sequenceNumber: 65535,
        timestamp: 0xffffffff,
        ssrc: 0xffffffff,
      },
      {
        marker: true,
        payloadType: 96,
        sequenceNumber: 0x8000,
        timestamp: 0x80000000,
        ssrc: 0x80000000,
      },
    ]
  ) {
    const out = new Uint8Array(RTP_HEADER_SIZE + 3);
    assert.equal(writeRtpHeader(out, h), RTP_HEADER_SIZE);
    out.set([1, 2, 3], RTP_HEADER_SIZE);
    assert.deepEqual(parseRtpPacket(out), {
      ...h,
      csrc: [],
      payload: new Uint8Array([1, 2, 3]),
      paddingBytes: 0,
    });
  }
});

Deno.test("writeRtpHeader() writes version 2 with no padding, extension or CSRC", () => {
  const out = new Uint8Array(12).fill(0xff);
  writeRtpHeader(out, {
    marker: true,
    payloadType: 96,
    sequenceNumber: 0x1234,
    timestamp: 0x01020304,
    ssrc: 0x0a0b0c0d,
  });
  assert.deepEqual([...out], [0x80, 0xe0, 0x12, 0x34, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d]);
});

Deno.test("writeRtpHeader() throws a RangeError for a short buffer or an out-of-range field", () => {
  const h = { marker: false, payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 1 };
  assert.throws(() => writeRtpHeader(new Uint8Array(11), h), /12 bytes of room, got 11/);
  assert.throws(() => writeRtpHeader(new Uint8Array(12), { ...h, payloadType: 128 }), RangeError);
  assert.throws(
    () => writeRtpHeader(new Uint8Array(12), { ...h, sequenceNumber: 65536 }),
    RangeError,
  );
  assert.throws(
    () => writeRtpHeader(new Uint8Array(12), { ...h, sequenceNumber: 1.5 }),
    RangeError,
  );
  assert.throws(() => writeRtpHeader(new Uint8Array(12), { ...h, timestamp: -1 }), RangeError);
  assert.throws(
    () => writeRtpHeader(new Uint8Array(12), { ...h, ssrc: 2 ** 32 }),
    { name: "RangeError", message: "ssrc must be an integer from 0 to 4294967295, got 4294967296" },
  );
});

Deno.test("parseRtpPacket() reads CSRCs, a header extension and padding", () => {
  // V=2 P=1 X=1 CC=2
  const bytes = packet(
    0xb2,
    [
      [0, 0, 0, 1], // CSRC 1
      [0xff, 0xff, 0xff, 0xff], // CSRC 0xffffffff
      [0xbe, 0xde, 0, 1], // extension: profile 0xbede, one word
      [0x10, 0x20, 0x30, 0x40], // extension data
      [0x65, 0x66], // payload
      [0, 0, 3], // padding of 3, count included
    ].flat(),
  );
  const p = parseRtpPacket(bytes)!;
  assert.deepEqual(p.csrc, [1, 0xffffffff]);
  assert.equal(p.extension?.profile, 0xbede);
  assert.deepEqual([...p.extension!.data], [0x10, 0x20, 0x30, 0x40]);
  assert.deepEqual([...p.payload], [0x65, 0x66]);
  assert.equal(p.paddingBytes, 3);
  assert.equal(p.sequenceNumber, 0x0102);
  assert.equal(p.timestamp, 3000);
  assert.equal(p.ssrc, 0xdeadbeef);
});

Deno.test("parseRtpPacket() returns views of its input and never mutates it", () => {
  const outer = new Uint8Array(40);
  const bytes = outer.subarray(4, 4 + 24);
  bytes.set(packet(0x90, [0, 0, 0, 1, 9, 9, 9, 9, 7, 7, 7, 7]));
  const before = outer.slice();
  const p = parseRtpPacket(bytes)!;
  assert.equal(p.payload.buffer, outer.buffer);
  assert.equal(p.payload.byteOffset, 4 + 20);
  assert.deepEqual([...p.payload], [7, 7, 7, 7]);
  assert.equal(p.extension!.data.byteOffset, 4 + 16);
  assert.deepEqual(outer, before);
});

Deno.test("parseRtpPacket() accepts an empty payload and padding that fills the rest", () => {
  assert.equal(parseRtpPacket(packet(0x80))?.payload.length, 0);
  const p = parseRtpPacket(packet(0xa0, [0, 0, 0, 4]))!;
  assert.equal(p.payload.length, 0);
  assert.equal(p.paddingBytes, 4);
});

Deno.test("parseRtpPacket() rejects every malformed packet of HARDENING item 16", () => {
  const cases: [string, Uint8Array][] = [
    ["no bytes", new Uint8Array(0)],
    ["11 bytes", packet(0x80).subarray(0, 11)],
    ["version 0", packet(0x00, [1])],
    ["version 1", packet(0x40, [1])],
    ["version 3", packet(0xc0, [1])],
    ["a CSRC count past the end", packet(0x82, [0, 0, 0, 1, 0, 0, 0])],
    ["15 CSRCs in a 12-byte packet", packet(0x8f)],
    ["an extension header past the end", packet(0x90, [0xbe, 0xde, 0])],
    ["extension data past the end", packet(0x90, [0xbe, 0xde, 0, 2, 1, 2, 3, 4])],
    ["an extension length of 0xffff", packet(0x90, [0xbe, 0xde, 0xff, 0xff])],
    ["padding past the end", packet(0xa0, [1, 2, 9])],
    ["padding that eats the CSRCs", packet(0xa1, [0, 0, 0, 5])],
    ["padding that eats the extension", packet(0xb0, [0, 0, 0, 1, 1, 2, 3, 5])],
    ["the P bit with a padding count of 0", packet(0xa0, [1, 2, 0])],
    ["the P bit on a bare 12-byte header ending in 0", packet(0xa0, [], 96)],
  ];
  for (const [what, bytes] of cases) {
    assert.equal(parseRtpPacket(bytes), undefined, what);
  }
});
