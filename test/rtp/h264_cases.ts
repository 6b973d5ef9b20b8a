/**
 * The one table of H.264 cases: it drives the packetizer and depacketizer tests, the round trip,
 * and seeds the depacketizer property test.
 *
 * @module
 */

/** One access unit and what packetizing it must give. */
export interface H264Case {
  /** What the case is about. */
  name: string;
  /** NAL units of the access unit, without start codes. */
  nalUnits: Uint8Array[];
  /** maxPayloadSize for the packetizer. */
  maxPayloadSize: number;
  /** Number of RTP packets expected. */
  packets: number;
  /** Whether the access unit holds an IDR slice. */
  keyframe: boolean;
}

/** A NAL unit of `size` bytes with header byte `header` and a position-dependent body. */
export function nal(header: number, size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  out[0] = header;
  for (let i = 1; i < size; i++) out[i] = (i * 31 + seed * 17) & 0xff;
  return out;
}

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** A real-looking Baseline SPS (320x240). */
export const SPS: Uint8Array = fromHex("6742c00dda0507ec0440000003004000000f03c50aa8");
/** A PPS. */
export const PPS: Uint8Array = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);

const M = 1400;
// With the FU indicator and header taking 2 bytes and the NAL header not sent, one FU-A carries
// M - 2 bytes of the NAL body (the NAL minus its first byte).
const fus = (size: number) => Math.ceil((size - 1) / (M - 2));

/** The table. */
export const H264_CASES: readonly H264Case[] = [
  {
    name: "a single small NAL",
    nalUnits: [nal(0x41, 50)],
    maxPayloadSize: M,
    packets: 1,
    keyframe: false,
  },
  {
    name: "a NAL of exactly maxPayloadSize",
    nalUnits: [nal(0x41, M)],
    maxPayloadSize: M,
    packets: 1,
    keyframe: false,
  },
  {
    name: "a NAL of maxPayloadSize + 1",
    nalUnits: [nal(0x41, M + 1)],
    maxPayloadSize: M,
    packets: fus(M + 1),
    keyframe: false,
  },
  {
    name: "a NAL of 2 × maxPayloadSize",
    nalUnits: [nal(0x65, 2 * M)],
    maxPayloadSize: M,
    packets: fus(2 * M),
    keyframe: true,
  },
  {
    name: "a NAL of 10 × maxPayloadSize",
    nalUnits: [nal(0x65, 10 * M)],
    maxPayloadSize: M,
    packets: fus(10 * M),
    keyframe: true,
  },
  {
    name: "several NALs in one access unit",
    nalUnits: [nal(0x09, 2), nal(0x41, 500, 2), nal(0x01, 1500, 3), nal(0x01, 300, 4)],
    maxPayloadSize: M,
    packets: 1 + 1 + fus(1500) + 1,
    keyframe: false,
  },
  {
    name: "SPS, PPS and an IDR",
    nalUnits: [SPS, PPS, nal(0x65, 5000)],
    maxPayloadSize: M,
    packets: 2 + fus(5000),
    keyframe: true,
  },
  {
    name: "a 1-byte NAL",
    nalUnits: [new Uint8Array([0x0a])],
    maxPayloadSize: M,
    packets: 1,
    keyframe: false,
  },
  {
    name: "the smallest maxPayloadSize, with a NAL of it + 1",
    nalUnits: [nal(0x25, 100), nal(0x25, 101, 5)],
    maxPayloadSize: 100,
    packets: 1 + 2,
    keyframe: true,
  },
  {
    name: "a NAL whose body splits into equal fragments",
    nalUnits: [nal(0x61, 3 * (M - 2) + 1)],
    maxPayloadSize: M,
    packets: 3,
    keyframe: false,
  },
];
