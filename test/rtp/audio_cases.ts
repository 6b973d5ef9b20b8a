/**
 * The one table of audio payload cases: it drives the packetize → depacketize round trips of
 * every format, and seeds the depacketizer fuzzing. Also the real packets ffmpeg sent, and a LATM
 * packetizer for the tests (this server never sends LATM, so src/ has none).
 *
 * @module
 */

import type { AudioFormat } from "../../src/codec/audio_format.ts";
import { writeAudioSpecificConfig } from "../../src/codec/aac_config.ts";
import { seededRandom } from "../support/bytes.ts";

/** AAC access units (mpeg4-generic), and what packetizing them must give. */
export interface AacCase {
  kind: "aac";
  name: string;
  clockRate: number;
  channels: number;
  /** Samples per frame in the AudioSpecificConfig. */
  frameLength: 1024 | 960;
  units: Uint8Array[];
  maxPayloadSize: number;
  maxAggregateDuration?: number;
  /** RTP packets expected. */
  packets: number;
}

/** AAC access units carried as MP4A-LATM (RFC 6416), one AudioMuxElement each. */
export interface LatmCase {
  kind: "latm";
  name: string;
  clockRate: number;
  channels: number;
  units: Uint8Array[];
  /** AudioMuxElements per RTP packet, or 0 to fragment each element into `fragment`-byte pieces. */
  perPacket: number;
  fragment?: number;
}

/** One Opus packet and its duration at 48 kHz. */
export interface OpusCase {
  kind: "opus";
  name: string;
  packet: Uint8Array;
  samples: number;
}

/** G.711 or L16 sample bytes, and how many packets they make. */
export interface PcmCase {
  kind: "pcm";
  name: string;
  format: AudioFormat;
  bytes: Uint8Array;
  ptime?: number;
  maxPayloadSize?: number;
  packets: number;
}

/** Any case of the table. */
export type AudioCase = AacCase | LatmCase | OpusCase | PcmCase;

/** `size` bytes that depend on position and seed. */
export function bytes(size: number, seed = 1): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
}

/** `n` access units of varied sizes around `size`. */
function units(n: number, size: number, seed = 1): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => bytes(size + ((i * 37) % 50), seed + i));
}

/** The AudioSpecificConfig of an AAC case. */
export function aacConfig(c: AacCase): Uint8Array {
  return writeAudioSpecificConfig({
    sampleRate: c.clockRate,
    channels: c.channels,
    frameLength: c.frameLength,
  });
}

/** A StreamMuxConfig (ISO/IEC 14496-3 §1.7.3), version 0, one layer, for an AAC-LC config. */
export function streamMuxConfig(clockRate: number, channels: number): Uint8Array {
  const asc = writeAudioSpecificConfig({ sampleRate: clockRate, channels });
  // audioMuxVersion 0, allStreamsSameTimeFraming 1, numSubFrames 0, numProgram 0, numLayer 0:
  // 15 bits; then the ASC; frameLengthType 0, latmBufferFullness 0xff, no other data, no CRC.
  const bits: number[] = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const ascBits = asc.length === 2 ? 16 : 40;
  for (let i = 0; i < ascBits; i++) bits.push((asc[i >> 3] >> (7 - (i & 7))) & 1);
  bits.push(0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0);
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => out[i >> 3] |= b << (7 - (i & 7)));
  return out;
}

/** An AudioMuxElement with muxConfigPresent 0: PayloadLengthInfo, then the access unit. */
export function audioMuxElement(unit: Uint8Array): Uint8Array {
  const length = [...Array(Math.floor(unit.length / 255)).fill(255), unit.length % 255];
  const out = new Uint8Array(length.length + unit.length);
  out.set(length);
  out.set(unit, length.length);
  return out;
}

/** RTP packet bytes: V=2, the given fields, the payload. */
export function rtp(
  sequence: number,
  timestamp: number,
  marker: boolean,
  payload: Uint8Array,
  payloadType = 97,
): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const view = new DataView(out.buffer);
  out[0] = 0x80;
  out[1] = (marker ? 0x80 : 0) | payloadType;
  view.setUint16(2, sequence & 0xffff);
  view.setUint32(4, timestamp >>> 0);
  view.setUint32(8, 0x1234);
  out.set(payload, 12);
  return out;
}

/**
 * The LATM packets of a case, as a sender following RFC 6416 §6.1 makes them: whole elements
 * (several per packet) with the marker bit, or one element in fragments, marker on the last.
 */
export function latmPackets(c: LatmCase, firstSequence: number, timestamp: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let sequence = firstSequence;
  if (c.perPacket === 0) {
    c.units.forEach((unit, i) => {
      const element = audioMuxElement(unit);
      const size = c.fragment ?? 100;
      for (let from = 0; from < element.length; from += size) {
        const to = Math.min(element.length, from + size);
        out.push(
          rtp(sequence++, timestamp + i * 1024, to === element.length, element.slice(from, to)),
        );
      }
    });
    return out;
  }
  for (let i = 0; i < c.units.length; i += c.perPacket) {
    const elements = c.units.slice(i, i + c.perPacket).map(audioMuxElement);
    const payload = new Uint8Array(elements.reduce((n, e) => n + e.length, 0));
    let at = 0;
    for (const e of elements) {
      payload.set(e, at);
      at += e.length;
    }
    out.push(rtp(sequence++, timestamp + i * 1024, true, payload));
  }
  return out;
}

/** `seconds` of a sine as big-endian 16-bit PCM: `frequency` Hz on channel 0, 1.5 times that on 1, … */
export function sineL16(
  rate: number,
  channels: number,
  seconds: number,
  frequency = 440,
  amplitude = 10000,
): Uint8Array {
  const frames = Math.round(rate * seconds);
  const out = new Uint8Array(frames * channels * 2);
  const view = new DataView(out.buffer);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) {
      const phase = 2 * Math.PI * frequency * (1 + c / 2) * f / rate;
      view.setInt16(2 * (f * channels + c), Math.round(amplitude * Math.sin(phase)));
    }
  }
  return out;
}

const M = 1400;

function pcm(
  codec: "pcmu" | "pcma" | "l16",
  clockRate: number,
  channels: number,
  ms: number,
  packets: number,
  extra: Partial<PcmCase> = {},
): PcmCase {
  const format = { codec, clockRate, channels };
  const frames = Math.round(clockRate * ms / 1000);
  const data = codec === "l16"
    ? sineL16(clockRate, channels, frames / clockRate)
    : bytes(frames * channels, clockRate + channels);
  return {
    kind: "pcm",
    name: `${codec.toUpperCase()} ${clockRate} Hz ${channels === 1 ? "mono" : "stereo"}, ${ms} ms`,
    format,
    bytes: data,
    packets,
    ...extra,
  };
}

/** Opus TOC byte: config (0 to 31), stereo flag, code (0 to 3), RFC 6716 §3.1. */
function toc(config: number, code: number): number {
  return (config << 3) | code;
}

/** The table. */
export const AUDIO_CASES: readonly AudioCase[] = [
  {
    kind: "aac",
    name: "one AAC access unit",
    clockRate: 48000,
    channels: 2,
    frameLength: 1024,
    units: [bytes(371)],
    maxPayloadSize: M,
    packets: 1,
  },
  {
    kind: "aac",
    name: "five small AUs aggregated into one packet",
    clockRate: 44100,
    channels: 1,
    frameLength: 1024,
    units: units(5, 150),
    maxPayloadSize: M,
    packets: 1,
  },
  {
    kind: "aac",
    name: "AUs that fill packets two by two",
    clockRate: 48000,
    channels: 2,
    frameLength: 1024,
    units: units(6, 600, 3),
    maxPayloadSize: M,
    packets: 3,
  },
  {
    kind: "aac",
    name: "aggregation bounded by duration",
    clockRate: 16000,
    channels: 1,
    frameLength: 1024,
    units: units(6, 40, 4),
    maxPayloadSize: M,
    maxAggregateDuration: 2048,
    packets: 3,
  },
  {
    kind: "aac",
    name: "an AU of exactly the payload limit less its headers",
    clockRate: 48000,
    channels: 2,
    frameLength: 1024,
    units: [bytes(M - 4, 5)],
    maxPayloadSize: M,
    packets: 1,
  },
  {
    kind: "aac",
    name: "an AU one byte too large: fragmented in two",
    clockRate: 48000,
    channels: 2,
    frameLength: 1024,
    units: [bytes(M - 3, 6)],
    maxPayloadSize: M,
    packets: 2,
  },
  {
    kind: "aac",
    name: "a 6000-byte AU between small ones",
    clockRate: 96000,
    channels: 6,
    frameLength: 1024,
    units: [bytes(100, 7), bytes(6000, 8), bytes(100, 9)],
    maxPayloadSize: M,
    packets: 1 + Math.ceil(6000 / (M - 4)) + 1,
  },
  {
    kind: "aac",
    name: "960-sample frames, small payload limit",
    clockRate: 48000,
    channels: 2,
    frameLength: 960,
    units: units(4, 120, 10),
    maxPayloadSize: 300,
    packets: 2,
  },
  {
    kind: "aac",
    name: "AAC at 8 kHz with the smallest payload limit",
    clockRate: 8000,
    channels: 1,
    frameLength: 1024,
    units: units(3, 20, 11),
    maxPayloadSize: 100,
    packets: 2,
  },
  {
    kind: "aac",
    name: "AAC at a rate outside the table (explicit sample rate in the ASC)",
    clockRate: 12345,
    channels: 1,
    frameLength: 1024,
    units: units(2, 60, 12),
    maxPayloadSize: M,
    packets: 1,
  },
  {
    kind: "latm",
    name: "LATM, one element per packet",
    clockRate: 44100,
    channels: 1,
    units: units(4, 200, 20),
    perPacket: 1,
  },
  {
    kind: "latm",
    name: "LATM, three elements per packet, one over 255 bytes",
    clockRate: 48000,
    channels: 2,
    units: [bytes(10, 21), bytes(300, 22), bytes(255, 23), bytes(510, 24), bytes(1, 25)],
    perPacket: 3,
  },
  {
    kind: "latm",
    name: "LATM, each element fragmented",
    clockRate: 32000,
    channels: 2,
    units: units(3, 700, 26),
    perPacket: 0,
    fragment: 256,
  },
  {
    kind: "opus",
    name: "Opus CELT FB 20 ms, code 0",
    packet: bytes(120, 30).fill(toc(31, 0), 0, 1),
    samples: 960,
  },
  {
    kind: "opus",
    name: "Opus CELT NB 2.5 ms, code 0",
    packet: Uint8Array.of(toc(16, 0), 1, 2),
    samples: 120,
  },
  {
    kind: "opus",
    name: "Opus SILK WB 60 ms, code 0",
    packet: Uint8Array.of(toc(11, 0), 9),
    samples: 2880,
  },
  {
    kind: "opus",
    name: "Opus hybrid FB 10 ms × 2, code 1",
    packet: Uint8Array.of(toc(14, 1), 1, 2),
    samples: 960,
  },
  {
    kind: "opus",
    name: "Opus SILK NB 40 ms × 2, code 2",
    packet: Uint8Array.of(toc(2, 2), 1, 7),
    samples: 3840,
  },
  {
    kind: "opus",
    name: "Opus CELT 5 ms × 24, code 3",
    packet: Uint8Array.of(toc(29, 3), 24, 1, 2, 3),
    samples: 5760,
  },
  {
    kind: "opus",
    name: "Opus stereo CELT 20 ms × 3, code 3 VBR",
    packet: Uint8Array.of(toc(31, 3) | 4, 0x83, 1, 1, 5, 6, 7),
    samples: 2880,
  },
  pcm("pcmu", 8000, 1, 100, 5),
  pcm("pcma", 8000, 1, 30, 2),
  pcm("pcmu", 16000, 2, 20, 1),
  pcm("pcma", 48000, 1, 20, 1),
  pcm("pcma", 48000, 2, 20, 2),
  pcm("pcma", 16000, 1, 40, 2),
  pcm("pcmu", 44100, 2, 20, 2),
  pcm("pcma", 44100, 1, 20, 1),
  pcm("pcmu", 48000, 2, 30, 3),
  pcm("l16", 8000, 1, 45, 3),
  pcm("l16", 8000, 2, 20, 1),
  pcm("l16", 16000, 1, 60, 3),
  pcm("l16", 16000, 2, 20, 1),
  pcm("l16", 44100, 1, 20, 2),
  pcm("l16", 44100, 2, 40, 6),
  pcm("l16", 48000, 1, 20, 2),
  pcm("l16", 48000, 2, 10, 2),
  pcm("l16", 16000, 1, 100, 10, { ptime: 10, name: "L16 16000 Hz mono, ptime 10" }),
  pcm("pcmu", 8000, 1, 40, 4, {
    maxPayloadSize: 100,
    name: "PCMU 8000 Hz mono, payload limit under ptime",
  }),
];

/** ffmpeg 6's AAC-LC (48 kHz stereo) as mpeg4-generic: 4 packets of 5 AUs each, and its SDP. */
export const FFMPEG_AAC = {
  fmtp: "profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; " +
    "config=119056E500",
  clockRate: 48000,
  packets: "ffmpeg_aac.hex",
};

/** ffmpeg's AAC-LC (44.1 kHz mono) with `-rtpflags latm`: 4 packets, one element each. */
export const FFMPEG_LATM = {
  fmtp: "profile-level-id=41;cpresent=0;config=400024103fc0",
  clockRate: 44100,
  packets: "ffmpeg_latm.hex",
};

/** ffmpeg's libopus at 32 kb/s, 20 ms frames: 4 packets. */
export const FFMPEG_OPUS = { packets: "ffmpeg_opus.hex" };

/** The packets of a capture in test/testdata/rtp/, one hex line each. */
export function capture(file: string): Uint8Array[] {
  const text = Deno.readTextFileSync(new URL(`../testdata/rtp/${file}`, import.meta.url));
  return text.trim().split("\n").map((line) =>
    Uint8Array.from(line.match(/../g)!, (h) => parseInt(h, 16))
  );
}
