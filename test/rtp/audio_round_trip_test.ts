// Every case of the audio table, packetized and depacketized again: same frames, same timestamps,
// same durations, packets within the limits. LATM has no packetizer in src/ (input only), so its
// cases go through the test's own, written from RFC 6416 §6.1.
import assert from "node:assert/strict";
import { parseAudioSpecificConfig } from "../../src/codec/aac_config.ts";
import { AacDepacketizer } from "../../src/rtp/aac_depacketizer.ts";
import { formatAacFmtp, parseAacFmtp } from "../../src/rtp/aac_fmtp.ts";
import { AacPacketizer } from "../../src/rtp/aac_packetizer.ts";
import type { AudioDepacketizer, AudioUnit } from "../../src/rtp/audio_unit.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { parseStreamMuxConfig } from "../../src/rtp/latm_config.ts";
import { LatmDepacketizer } from "../../src/rtp/latm_depacketizer.ts";
import { OpusDepacketizer } from "../../src/rtp/opus_depacketizer.ts";
import { OpusPacketizer } from "../../src/rtp/opus_packetizer.ts";
import { PcmDepacketizer } from "../../src/rtp/pcm_depacketizer.ts";
import { PcmPacketizer } from "../../src/rtp/pcm_packetizer.ts";
import {
  type AacCase,
  aacConfig,
  AUDIO_CASES,
  latmPackets,
  type OpusCase,
  type PcmCase,
  streamMuxConfig,
} from "./audio_cases.ts";

const base = { payloadType: 97, ssrc: 0xcafe, initialSequence: 65534 };
const START = 0xffffff00; // close to the wrap, so timestamps cross it

function parsed(list: { packets(): IterableIterator<Uint8Array> }): RtpPacket[] {
  return [...list.packets()].map((bytes) => {
    const p = parseRtpPacket(bytes.slice());
    assert.ok(p, "every packet parses");
    return p;
  });
}

function depacketize(d: AudioDepacketizer, packets: RtpPacket[]): AudioUnit[] {
  const out = packets.flatMap((p) => d.push(p));
  out.push(...d.flush());
  assert.equal(d.dropped, 0, "no packet dropped");
  return out;
}

function sequential(packets: RtpPacket[]): void {
  packets.forEach((p, i) => assert.equal(p.sequenceNumber, (base.initialSequence + i) & 0xffff));
}

function roundTripAac(c: AacCase): void {
  const packetizer = new AacPacketizer({
    ...base,
    maxPayloadSize: c.maxPayloadSize,
    frameSamples: c.frameLength,
    maxAggregateDuration: c.maxAggregateDuration,
  });
  const packets = parsed(packetizer.packetize(c.units, START));
  assert.equal(packets.length, c.packets);
  sequential(packets);
  for (const p of packets) assert.ok(p.payload.length <= c.maxPayloadSize);
  const fmtp = parseAacFmtp(formatAacFmtp(aacConfig(c)));
  if (fmtp instanceof Error) throw fmtp;
  assert.equal(fmtp.audioSpecificConfig.sampleRate, c.clockRate);
  assert.equal(fmtp.audioSpecificConfig.channels, c.channels);
  const d = new AacDepacketizer({ fmtp, clockRate: c.clockRate });
  assert.equal(d.frameSamples, c.frameLength);
  const out = depacketize(d, packets);
  assert.deepEqual(out.map((u) => u.data), c.units);
  assert.deepEqual(
    out.map((u) => [u.rtpTimestamp, u.samples]),
    c.units.map((_, i) => [(START + i * c.frameLength) >>> 0, c.frameLength]),
  );
}

function roundTripOpus(c: OpusCase): void {
  const packetizer = new OpusPacketizer(base);
  const packets = parsed(packetizer.packetize(c.packet, START));
  assert.equal(packets.length, 1);
  const out = depacketize(new OpusDepacketizer(), packets);
  assert.deepEqual(out, [{ data: c.packet, rtpTimestamp: START, samples: c.samples }]);
}

function roundTripPcm(c: PcmCase): void {
  const packetizer = new PcmPacketizer({
    ...base,
    format: c.format,
    ptime: c.ptime,
    maxPayloadSize: c.maxPayloadSize,
  });
  const packets = parsed(packetizer.packetize(c.bytes, START));
  assert.equal(packets.length, c.packets);
  sequential(packets);
  const frameBytes = (c.format.codec === "l16" ? 2 : 1) * c.format.channels;
  const maxFrames = Math.floor(c.format.clockRate * (c.ptime ?? 20) / 1000);
  for (const p of packets) {
    assert.ok(p.payload.length <= (c.maxPayloadSize ?? 1400));
    assert.equal(p.payload.length % frameBytes, 0, "whole sample frames");
    assert.ok(p.payload.length / frameBytes <= maxFrames, "no longer than ptime");
  }
  const out = depacketize(new PcmDepacketizer({ format: c.format }), packets);
  let frames = 0;
  for (const u of out) {
    assert.equal(u.rtpTimestamp, (START + frames) >>> 0, "timestamps advance by sample frames");
    assert.equal(u.samples, u.data.length / frameBytes);
    frames += u.samples;
  }
  assert.deepEqual(
    new Uint8Array(out.flatMap((u) => [...u.data])),
    c.bytes,
    "the same samples come out",
  );
}

for (const c of AUDIO_CASES) {
  Deno.test(`audio round trip: ${c.name}`, () => {
    switch (c.kind) {
      case "aac":
        return roundTripAac(c);
      case "opus":
        return roundTripOpus(c);
      case "pcm":
        return roundTripPcm(c);
      case "latm": {
        const config = parseStreamMuxConfig(streamMuxConfig(c.clockRate, c.channels));
        if (config instanceof Error) throw config;
        const asc = parseAudioSpecificConfig(config.config);
        assert.equal(asc.sampleRate, c.clockRate);
        assert.equal(asc.channels, c.channels);
        const packets = latmPackets(c, 100, START).map((b) => parseRtpPacket(b)!);
        const out = depacketize(new LatmDepacketizer({ config, clockRate: c.clockRate }), packets);
        assert.deepEqual(out.map((u) => u.data), c.units);
        assert.deepEqual(
          out.map((u) => u.rtpTimestamp),
          c.units.map((_, i) => (START + i * 1024) >>> 0),
        );
      }
    }
  });
}
