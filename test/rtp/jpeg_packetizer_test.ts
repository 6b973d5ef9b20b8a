import assert from "node:assert/strict";
import { probeJpeg } from "../../src/codec/jpeg.ts";
import { JpegDecoder } from "../../src/jpeg/jpeg_decoder.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { JpegDepacketizer } from "../../src/rtp/jpeg_depacketizer.ts";
import {
  JpegPacketizer,
  JpegRtpError,
  MIN_JPEG_PAYLOAD_SIZE,
  prepareRtpJpeg,
  type RtpJpeg,
} from "../../src/rtp/jpeg_packetizer.ts";
import {
  CJPEG_420_DRI,
  CJPEG_422,
  CJPEG_422_DRI,
  editSegment,
  FFMPEG_420,
  FFMPEG_422,
  FFMPEG_OPTIMAL_HUFFMAN,
  scanOf,
  segments,
  withoutSegments,
  withRandomScan,
} from "./jpeg_cases.ts";

const testdata = new URL("../testdata/mjpeg/", import.meta.url);
const file = (name: string) => Deno.readFileSync(new URL(name, testdata));

function packetsOf(jpeg: Uint8Array | RtpJpeg, maxPayloadSize = 1400, seq = 65530): RtpPacket[] {
  const packetizer = new JpegPacketizer({ ssrc: 0x1234, initialSequence: seq, maxPayloadSize });
  const list = packetizer.packetize(jpeg, 90_000);
  return [...list.packets()].map((p) => parseRtpPacket(p)!);
}

function reassemble(packets: RtpPacket[], width?: number, height?: number) {
  const depacketizer = new JpegDepacketizer({ width, height });
  const out = packets.map((p) => depacketizer.push(p)).filter((f) => f !== undefined);
  assert.equal(out.length, 1, "one picture");
  return out[0];
}

interface Case {
  name: string;
  jpeg: Uint8Array;
  type: number;
  blocks: [number, number];
}

const CASES: Case[] = [
  { name: "ffmpeg 4:2:0 64x48", jpeg: FFMPEG_420, type: 1, blocks: [8, 6] },
  { name: "cjpeg 4:2:2 64x48", jpeg: CJPEG_422, type: 0, blocks: [8, 6] },
  { name: "cjpeg 4:2:0 51x29 with DRI", jpeg: CJPEG_420_DRI, type: 65, blocks: [7, 4] },
  { name: "cjpeg 4:2:2 64x48 with DRI", jpeg: CJPEG_422_DRI, type: 64, blocks: [8, 6] },
  { name: "4:2:0 99x75 from testdata", jpeg: file("yuv420_99x75.jpg"), type: 1, blocks: [13, 10] },
  { name: "4:2:0 without DHT", jpeg: withoutSegments(FFMPEG_420, 0xc4), type: 1, blocks: [8, 6] },
];

const decoder = await JpegDecoder.create();

for (const c of CASES) {
  for (const max of [MIN_JPEG_PAYLOAD_SIZE, 333, 1400, 65000]) {
    Deno.test(`JpegPacketizer round-trips ${c.name} at maxPayloadSize ${max} to the same pixels`, () => {
      const before = c.jpeg.slice();
      const packets = packetsOf(c.jpeg, max);
      assert.deepEqual(c.jpeg, before, "input untouched");
      let offset = 0;
      for (const [i, p] of packets.entries()) {
        assert.equal(p.payloadType, 26);
        assert.equal(p.sequenceNumber, (65530 + i) & 0xffff);
        assert.equal(p.timestamp, 90_000);
        assert.equal(p.marker, i === packets.length - 1);
        assert.ok(p.payload.length <= max);
        const h = p.payload;
        assert.equal(h[0], 0);
        assert.equal((h[1] << 16) | (h[2] << 8) | h[3], offset, "fragment offsets follow on");
        assert.deepEqual([h[4], h[5], h[6], h[7]], [c.type, 255, ...c.blocks]);
        let header = 8 + (c.type >= 64 ? 4 : 0) + (i === 0 ? 132 : 0);
        if (c.type >= 64) assert.deepEqual([h[10], h[11]], [0xff, 0xff]); // F = L = 1, count 0x3fff
        if (i === 0) assert.deepEqual([...h.subarray(header - 132, header - 128)], [0, 0, 0, 128]);
        offset += h.length - header;
        header = 0;
      }
      assert.equal(offset, scanOf(c.jpeg).length);
      const info = probeJpeg(c.jpeg);
      const back = reassemble(packets, info.width, info.height);
      assert.equal(back.width, info.width);
      assert.equal(back.height, info.height);
      const rebuilt = probeJpeg(back.jpeg);
      assert.equal(rebuilt.restartInterval, info.restartInterval);
      assert.deepEqual(scanOf(back.jpeg), scanOf(c.jpeg));
      assert.deepEqual(decoder.decode(back.jpeg), decoder.decode(c.jpeg));
    });
  }
}

Deno.test("JpegPacketizer sends the JPEG's own luma and chroma tables in the first packet", () => {
  const packets = packetsOf(CJPEG_422);
  const info = probeJpeg(CJPEG_422);
  const tables = packets[0].payload.subarray(12, 12 + 128);
  assert.deepEqual([...tables.subarray(0, 64)], [...info.quantTables[0].values]);
  assert.deepEqual([...tables.subarray(64)], [...info.quantTables[1].values]);
});

Deno.test("a JPEG whose size is not a multiple of 8 travels rounded up, as ffmpeg and GStreamer do", () => {
  const packets = packetsOf(CJPEG_420_DRI);
  assert.deepEqual([packets[0].payload[6], packets[0].payload[7]], [7, 4]); // 51x29 → 56x32
  const back = reassemble(packets); // a client without a=x-dimensions sees the rounded size
  assert.deepEqual([back.width, back.height], [56, 32]);
  assert.deepEqual([probeJpeg(back.jpeg).width, probeJpeg(back.jpeg).height], [56, 32]);
});

Deno.test("a large picture is cut into full packets with only the last one short", () => {
  const big = withRandomScan(CJPEG_422, 300_000, 7);
  const packets = packetsOf(big, 1400);
  assert.deepEqual(
    packets.slice(0, -1).map((p) => p.payload.length),
    packets.slice(0, -1).map(() => 1400),
  );
  assert.deepEqual(scanOf(reassemble(packets).jpeg), scanOf(big));
});

Deno.test("fragment boundaries fall where the room runs out: first packet smaller by the tables", () => {
  const max = 400;
  const firstRoom = max - 8 - 132, room = max - 8;
  const frame = (scan: number): RtpJpeg => ({
    type: 1,
    width: 64,
    height: 48,
    restartInterval: 0,
    quantTables: new Uint8Array(128).fill(1),
    scan: new Uint8Array(scan).fill(0x42),
  });
  const cases: [number, number[]][] = [
    [1, [1]],
    [firstRoom, [firstRoom]],
    [firstRoom + 1, [firstRoom, 1]],
    [firstRoom + room, [firstRoom, room]],
    [firstRoom + room + 1, [firstRoom, room, 1]],
  ];
  for (const [size, expected] of cases) {
    const packets = packetsOf(frame(size), max);
    const data = packets.map((p, i) => p.payload.length - 8 - (i === 0 ? 132 : 0));
    assert.deepEqual(data, expected, `scan of ${size}`);
  }
});

Deno.test("sequence numbers continue across pictures and wrap at 65535", () => {
  const packetizer = new JpegPacketizer({ ssrc: 1, initialSequence: 65534, maxPayloadSize: 400 });
  const first = [...packetizer.packetize(FFMPEG_420, 0).packets()].map((p) => parseRtpPacket(p)!);
  const second = [...packetizer.packetize(FFMPEG_420, 3000).packets()].map((p) =>
    parseRtpPacket(p)!
  );
  const seqs = [...first, ...second].map((p) => p.sequenceNumber);
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], (seqs[i - 1] + 1) & 0xffff);
  assert.equal(packetizer.nextSequence, (seqs.at(-1)! + 1) & 0xffff);
});

Deno.test("prepareRtpJpeg() leaves out bytes after EOI and keeps a JPEG cut short as it is", () => {
  const padded = new Uint8Array(FFMPEG_420.length + 5);
  padded.set(FFMPEG_420);
  assert.deepEqual(prepareRtpJpeg(padded).scan, scanOf(FFMPEG_420));
  const cut = FFMPEG_420.subarray(0, FFMPEG_420.length - 2);
  assert.deepEqual(prepareRtpJpeg(cut).scan, scanOf(FFMPEG_420));
});

function refused(jpeg: Uint8Array, message: RegExp): void {
  assert.throws(
    () => prepareRtpJpeg(jpeg),
    (e) => e instanceof JpegRtpError && message.test(e.message),
  );
}

Deno.test("prepareRtpJpeg() refuses what RFC 2435 cannot describe, saying why", () => {
  refused(file("gray_160x120.jpg"), /greyscale JPEG: RFC 2435 has no type for one component/);
  refused(file("progressive_422_160x120.jpg"), /progressive JPEG/);
  refused(file("rgb_160x120.jpg"), /an RGB JPEG \(Adobe APP14 transform 0\)/);
  refused(file("yuv411_160x120.jpg"), /sampling factors 4x1, 1x1, 1x1 \(4:1:1\)/);
  refused(FFMPEG_422, /2x2, 1x2, 1x2 \(4:2:2, ffmpeg's 4:2:2 layout\)/);
  refused(file("yuv444_160x120.mjpeg"), /sampling factors 1x2, 1x2, 1x2/);
});

Deno.test("prepareRtpJpeg() refuses optimized Huffman tables and says to use the standard ones", () => {
  refused(
    FFMPEG_OPTIMAL_HUFFMAN,
    /optimized \(non-standard\) Huffman table DC 0.*-huffman default/,
  );
  // The standard tables under the wrong ids are not the standard tables either.
  const swapped = editSegment(CJPEG_422, 0xc4, (body) => {
    body[0] = 0x01; // the DC luma table claims to be DC chroma
  });
  refused(swapped, /Huffman table DC 1/);
});

Deno.test("prepareRtpJpeg() refuses sizes above 2040 pixels, 16-bit tables and split chroma tables", () => {
  const sofAt = (jpeg: Uint8Array) => segments(jpeg).find((s) => s.marker === 0xc0)!.at + 4;
  const wide = FFMPEG_420.slice();
  wide[sofAt(wide) + 3] = 2048 >> 8; // width
  wide[sofAt(wide) + 4] = 2048 & 0xff;
  refused(wide, /2048x48: RFC 2435 carries at most 2040 pixels a side/);
  const tall = FFMPEG_420.slice();
  tall[sofAt(tall) + 1] = 0x08; // height 2096
  tall[sofAt(tall) + 2] = 0x30;
  refused(tall, /64x2096/);
  // Cr on table 0 (luma) while Cb uses table 1: RFC 2435 has one chroma table.
  const split = CJPEG_422.slice();
  split[sofAt(split) + 6 + 3 * 2 + 2] = 0;
  refused(split, /Cb and Cr use different quantization tables/);
  // Cr on its own table with the same values as Cb's is fine (the Logitech C920 case).
  const twin = withTable2LikeTable1(CJPEG_422);
  twin[sofAt(twin) + 6 + 3 * 2 + 2] = 2;
  assert.deepEqual(prepareRtpJpeg(twin).quantTables, prepareRtpJpeg(CJPEG_422).quantTables);
  refused(withoutSegments(FFMPEG_420, 0xdb), /no quantization table 0/);
  refused(sixteenBitTables(FFMPEG_420), /16-bit quantization tables/);
});

Deno.test("prepareRtpJpeg() refuses a scan whose table selectors or components differ", () => {
  refused(
    editSegment(CJPEG_422, 0xda, (body) => {
      body[4] = 0x00; // Cb decoded with the luma tables
    }),
    /Huffman table selectors differ/,
  );
  const twoScans = new Uint8Array(CJPEG_422.length + 4);
  twoScans.set(CJPEG_422.subarray(0, -2));
  twoScans.set([0xff, 0xc4, 0, 2, 0xff, 0xd9], CJPEG_422.length - 2);
  refused(twoScans, /a marker 0xffc4 after the scan: RFC 2435 carries one scan only/);
});

Deno.test("prepareRtpJpeg() refuses bytes that are not a JPEG with its own error", () => {
  refused(new Uint8Array([1, 2, 3]), /not a usable JPEG/);
  refused(new Uint8Array(0), /not a usable JPEG/);
  const headerOnly = FFMPEG_420.subarray(
    0,
    segments(FFMPEG_420).find((s) => s.marker === 0xda)!.at,
  );
  refused(headerOnly, /ends before its scan/);
  const sos = segments(FFMPEG_420).find((s) => s.marker === 0xda)!;
  const empty = new Uint8Array(sos.at + sos.length + 2);
  empty.set(FFMPEG_420.subarray(0, sos.at + sos.length));
  empty.set([0xff, 0xd9], sos.at + sos.length);
  refused(empty, /the JPEG's scan is empty/);
});

Deno.test("JpegPacketizer checks its options and a caller-made frame", () => {
  assert.throws(
    () => new JpegPacketizer({ ssrc: 1, initialSequence: 0, maxPayloadSize: 100 }),
    RangeError,
  );
  assert.throws(() => new JpegPacketizer({ ssrc: -1, initialSequence: 0 }), RangeError);
  const p = new JpegPacketizer({ ssrc: 1, initialSequence: 0 });
  const good: RtpJpeg = {
    type: 1,
    width: 16,
    height: 16,
    restartInterval: 0,
    quantTables: new Uint8Array(128),
    scan: new Uint8Array(10),
  };
  assert.throws(() => p.packetize({ ...good, type: 2 }, 0), JpegRtpError);
  assert.throws(() => p.packetize({ ...good, width: 2041 }, 0), JpegRtpError);
  assert.throws(() => p.packetize({ ...good, type: 65 }, 0), JpegRtpError); // no interval
  assert.throws(() => p.packetize({ ...good, scan: new Uint8Array(0) }, 0), JpegRtpError);
  assert.throws(() => p.packetize(good, -1), RangeError);
  assert.equal(p.nextSequence, 0, "nothing was sent");
});

/** The JPEG with its DQT replaced by 16-bit tables of the same values. */
function sixteenBitTables(jpeg: Uint8Array): Uint8Array {
  const dqt = segments(jpeg).find((s) => s.marker === 0xdb)!;
  const body = jpeg.subarray(dqt.at + 4, dqt.at + dqt.length);
  const wide: number[] = [];
  for (let at = 0; at < body.length; at += 65) {
    wide.push(0x10 | (body[at] & 0x0f));
    for (let i = 1; i <= 64; i++) wide.push(0, body[at + i]);
  }
  const out = new Uint8Array(jpeg.length - dqt.length + 4 + wide.length);
  out.set(jpeg.subarray(0, dqt.at));
  out.set([0xff, 0xdb, (wide.length + 2) >> 8, (wide.length + 2) & 0xff], dqt.at);
  out.set(wide, dqt.at + 4);
  out.set(jpeg.subarray(dqt.at + dqt.length), dqt.at + 4 + wide.length);
  return out;
}

/** The JPEG with a DQT segment defining table 2 as a copy of table 1, right before its SOF. */
function withTable2LikeTable1(jpeg: Uint8Array): Uint8Array {
  const table1 = probeJpeg(jpeg).quantTables.find((t) => t.id === 1)!.values;
  const sof = segments(jpeg).find((s) => s.marker === 0xc0)!;
  const extra = [0xff, 0xdb, 0, 67, 0x02, ...table1];
  const out = new Uint8Array(jpeg.length + extra.length);
  out.set(jpeg.subarray(0, sof.at));
  out.set(extra, sof.at);
  out.set(jpeg.subarray(sof.at), sof.at + extra.length);
  return out;
}
