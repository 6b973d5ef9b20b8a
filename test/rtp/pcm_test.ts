// G.711 and L16 over RTP (RFC 3551): what devices send (ESP32-RTSPServer's marker on every packet
// and 1446-byte payloads, odd trailing bytes), static payload types, and the packetizer's limits.
import assert from "node:assert/strict";
import { STATIC_AUDIO_PAYLOAD_TYPES } from "../../src/codec/audio_format.ts";
import { parseRtpPacket } from "../../src/rtp/header.ts";
import { PcmDepacketizer } from "../../src/rtp/pcm_depacketizer.ts";
import { PcmPacketizer } from "../../src/rtp/pcm_packetizer.ts";
import { rtp, sineL16 } from "./audio_cases.ts";

const L16_16K = { codec: "l16", clockRate: 16000, channels: 1 } as const;

Deno.test("PcmDepacketizer takes ESP32-RTSPServer's L16: marker on every packet, 1446 bytes", () => {
  const samples = sineL16(16000, 1, 0.2);
  const d = new PcmDepacketizer({ format: L16_16K });
  const units = [];
  for (let at = 0, seq = 0; at < samples.length; at += 1446, seq++) {
    const payload = samples.subarray(at, at + 1446);
    units.push(...d.push(parseRtpPacket(rtp(seq, at / 2, true, payload))!));
  }
  assert.equal(d.dropped, 0);
  assert.deepEqual(units.slice(0, 2).map((u) => [u.rtpTimestamp, u.samples]), [[0, 723], [
    723,
    723,
  ]]);
  assert.deepEqual(new Uint8Array(units.flatMap((u) => [...u.data])), samples);
});

Deno.test("PcmDepacketizer trims partial sample frames and counts the bytes", () => {
  const stereo = new PcmDepacketizer({ format: { codec: "l16", clockRate: 48000, channels: 2 } });
  const [u] = stereo.push(parseRtpPacket(rtp(1, 0, false, new Uint8Array(4 * 10 + 3)))!);
  assert.equal(u.samples, 10);
  assert.equal(u.data.length, 40);
  assert.equal(stereo.trimmedBytes, 3);
  assert.deepEqual(stereo.push(parseRtpPacket(rtp(2, 0, false, new Uint8Array(3)))!), []);
  assert.deepEqual(stereo.push(parseRtpPacket(rtp(2, 0, false, new Uint8Array(8)))!), []);
  assert.equal(stereo.dropped, 2);
  assert.equal(stereo.trimmedBytes, 6);
  // G.711 stereo: one byte per channel.
  const pcma = new PcmDepacketizer({ format: { codec: "pcma", clockRate: 8000, channels: 2 } });
  assert.equal(pcma.push(parseRtpPacket(rtp(1, 0, false, new Uint8Array(321)))!)[0].samples, 160);
  // Output is a copy: the caller may reuse its packet buffer.
  const bytes = rtp(9, 0, false, Uint8Array.of(1, 2));
  const [own] = new PcmDepacketizer({ format: L16_16K }).push(parseRtpPacket(bytes)!);
  bytes[12] = 99;
  assert.deepEqual([...own.data], [1, 2]);
});

Deno.test("PcmPacketizer and PcmDepacketizer agree on the static payload types (RFC 3551)", () => {
  for (const [pt, format] of STATIC_AUDIO_PAYLOAD_TYPES) {
    const p = new PcmPacketizer({ payloadType: pt, ssrc: 1, initialSequence: 0, format });
    const frameBytes = (format.codec === "l16" ? 2 : 1) * format.channels;
    const packets = [
      ...p.packetize(new Uint8Array(frameBytes * format.clockRate / 10), 0).packets(),
    ]
      .map((b) => parseRtpPacket(b)!);
    assert.ok(packets.every((x) => x.payloadType === pt && x.payload.length <= 1400));
    const d = new PcmDepacketizer({ format });
    const total = packets.flatMap((x) => d.push(x)).reduce((n, u) => n + u.samples, 0);
    assert.equal(total, format.clockRate / 10, `PT ${pt}: 100 ms of samples`);
  }
});

Deno.test("PcmPacketizer refuses split sample frames and non-PCM formats; marker on the first only", () => {
  const p = new PcmPacketizer({
    payloadType: 96,
    ssrc: 1,
    initialSequence: 0,
    format: { codec: "l16", clockRate: 8000, channels: 2 },
  });
  assert.throws(() => p.packetize(new Uint8Array(6), 0), RangeError);
  const marks = [...p.packetize(new Uint8Array(4 * 400), 0, true).packets()]
    .map((b) => parseRtpPacket(b)!.marker);
  assert.deepEqual(marks, [true, false, false]);
  assert.equal(p.framesPerPacket, 160);
  for (
    const opts of [
      { format: { codec: "opus", clockRate: 48000, channels: 2 } },
      { format: { codec: "pcmu", clockRate: 0, channels: 1 } },
      { format: { codec: "pcmu", clockRate: 8000, channels: 0 } },
      { format: { codec: "pcmu", clockRate: 8000, channels: 1 }, ptime: 0 },
      { format: { codec: "l16", clockRate: 8000, channels: 255 }, maxPayloadSize: 100 },
    ] as const
  ) {
    assert.throws(
      () => new PcmPacketizer({ payloadType: 96, ssrc: 1, initialSequence: 0, ...opts }),
      RangeError,
      JSON.stringify(opts),
    );
  }
  assert.throws(
    () => new PcmDepacketizer({ format: { codec: "aac", clockRate: 48000, channels: 2 } }),
    RangeError,
  );
});
