// Opus over RTP (RFC 7587): ffmpeg's libopus packets, and what the packetizer refuses.
import assert from "node:assert/strict";
import { parseRtpPacket } from "../../src/rtp/header.ts";
import { OpusDepacketizer } from "../../src/rtp/opus_depacketizer.ts";
import { OpusPacketizer } from "../../src/rtp/opus_packetizer.ts";
import { capture, FFMPEG_OPUS, rtp } from "./audio_cases.ts";

Deno.test("OpusDepacketizer reads ffmpeg's packets: 20 ms each, 960 ticks apart", () => {
  const packets = capture(FFMPEG_OPUS.packets).map((b) => parseRtpPacket(b)!);
  const d = new OpusDepacketizer();
  const units = packets.flatMap((p) => d.push(p));
  assert.equal(units.length, 4);
  units.forEach((u, i) => {
    assert.equal(u.data[0], 0x78, "TOC: hybrid fullband, 20 ms, mono, one frame");
    assert.equal(u.samples, 960);
    assert.equal(u.rtpTimestamp, packets[i].timestamp);
    if (i > 0) assert.equal(u.rtpTimestamp - units[i - 1].rtpTimestamp, u.samples);
  });
  // The packetizer makes the same packets from the frames. ffmpeg sets the marker bit on every
  // packet (RFC 7587 §4.2 only asks for it after DTX); the receiver does not care either way.
  assert.ok(packets.every((x) => x.marker));
  const p = new OpusPacketizer({
    payloadType: packets[0].payloadType,
    ssrc: packets[0].ssrc,
    initialSequence: packets[0].sequenceNumber,
  });
  const again = units.flatMap((u) => [...p.packetize(u.data, u.rtpTimestamp, true).packets()]);
  assert.deepEqual(again, capture(FFMPEG_OPUS.packets));
});

Deno.test("OpusDepacketizer drops malformed, late and duplicate packets", () => {
  const d = new OpusDepacketizer();
  assert.deepEqual(d.push(parseRtpPacket(rtp(1, 0, false, new Uint8Array(0)))!), []);
  assert.deepEqual(d.push(parseRtpPacket(rtp(2, 0, false, Uint8Array.of(0xff, 0)))!), []);
  assert.equal(d.push(parseRtpPacket(rtp(3, 0, true, Uint8Array.of(0xfc)))!).length, 1);
  assert.deepEqual(d.push(parseRtpPacket(rtp(3, 0, true, Uint8Array.of(0xfc)))!), []);
  assert.equal(d.dropped, 3);
  assert.deepEqual(d.flush(), []);
});

Deno.test("OpusPacketizer refuses malformed and oversized packets, and sets the marker on request", () => {
  const p = new OpusPacketizer({
    payloadType: 111,
    ssrc: 1,
    initialSequence: 7,
    maxPayloadSize: 100,
  });
  assert.equal(p.packetize(new Uint8Array(0), 0).count, 0);
  assert.equal(p.packetize(Uint8Array.of(0xff, 0x00), 0).count, 0);
  assert.equal(p.packetize(new Uint8Array(101).fill(0xfc, 0, 1), 0).count, 0);
  assert.equal(p.skipped, 3);
  const [packet] = [...p.packetize(Uint8Array.of(0xfc), 480, true).packets()];
  assert.equal(parseRtpPacket(packet)!.marker, true);
  assert.equal(p.nextSequence, 8);
  assert.throws(() => p.packetize(Uint8Array.of(0xfc), 2 ** 32), RangeError);
});
