/**
 * The RTP fixed header of RFC 3550 §5.1: parse a whole packet into its fields (with the payload as a
 * view, never a copy) and write the 12-byte header a sender needs.
 *
 * @module
 */

/** Size of the RTP fixed header without CSRCs or extension (RFC 3550 §5.1). */
export const RTP_HEADER_SIZE = 12;

/** A parsed RTP packet (RFC 3550 §5.1). `payload` and `extension.data` are views of the input. */
export interface RtpPacket {
  /** M bit: for video, set on the last packet of an access unit (RFC 6184 §5.1). */
  marker: boolean;
  /** PT, 0 to 127. */
  payloadType: number;
  /** 16-bit sequence number. */
  sequenceNumber: number;
  /** 32-bit media timestamp, unsigned. */
  timestamp: number;
  /** 32-bit synchronization source, unsigned. */
  ssrc: number;
  /** Contributing sources (CC of them, at most 15), unsigned. */
  csrc: number[];
  /** The header extension of RFC 3550 §5.3.1, when the X bit is set. */
  extension?: { profile: number; data: Uint8Array };
  /** The payload without header, extension and padding: a view of the parsed bytes. */
  payload: Uint8Array;
  /** Number of padding bytes at the end (the P bit's count, including the count byte), or 0. */
  paddingBytes: number;
}

/** The fields {@link writeRtpHeader} puts into a fixed header. */
export interface RtpHeaderFields {
  /** M bit. */
  marker: boolean;
  /** PT, an integer from 0 to 127. */
  payloadType: number;
  /** An integer from 0 to 65535. */
  sequenceNumber: number;
  /** An integer from 0 to 2^32-1. */
  timestamp: number;
  /** An integer from 0 to 2^32-1. */
  ssrc: number;
}

const RTP_VERSION = 2;

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/**
 * Parses one RTP packet. Returns `undefined` for anything that is not a valid RTP packet
 * (HARDENING item 16): fewer than 12 bytes, version other than 2, CSRC list, header extension or
 * padding running past the end, or the P bit set with a padding count of 0. Never throws, never
 * mutates or copies the input: `payload` and `extension.data` are `subarray` views of `bytes`.
 *
 * Payload types 72 to 76 are not rejected although RFC 5761 §4 reserves them for RTCP; whoever
 * multiplexes RTP and RTCP on one port has to tell them apart before calling this.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRtpPacket } from "./header.ts";
 *
 * const bytes = new Uint8Array([0x80, 0xe0, 0x12, 0x34, 0, 0, 0, 90, 0, 0, 0, 7, 0x65, 0x88]);
 * const packet = parseRtpPacket(bytes);
 * assert.equal(packet?.marker, true);
 * assert.equal(packet?.payloadType, 96);
 * assert.equal(packet?.sequenceNumber, 0x1234);
 * assert.equal(packet?.timestamp, 90);
 * assert.deepEqual([...packet!.payload], [0x65, 0x88]);
 * assert.equal(parseRtpPacket(bytes.subarray(0, 11)), undefined);
 * ```
 */
export function parseRtpPacket(bytes: Uint8Array): RtpPacket | undefined {
  const length = bytes.length;
  if (length < RTP_HEADER_SIZE) return undefined;
  const b0 = bytes[0];
  if (b0 >> 6 !== RTP_VERSION) return undefined;
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;

  let at = RTP_HEADER_SIZE;
  // RFC 3550 §5.1: CC 32-bit CSRC identifiers follow the fixed header.
  if (at + csrcCount * 4 > length) return undefined;
  const csrc: number[] = [];
  for (let i = 0; i < csrcCount; i++, at += 4) csrc.push(u32(bytes, at));

  let extension: RtpPacket["extension"];
  if (hasExtension) {
    // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the data.
    if (at + 4 > length) return undefined;
    const profile = (bytes[at] << 8) | bytes[at + 1];
    const words = (bytes[at + 2] << 8) | bytes[at + 3];
    const end = at + 4 + words * 4;
    if (end > length) return undefined;
    extension = { profile, data: bytes.subarray(at + 4, end) };
    at = end;
  }

  let paddingBytes = 0;
  if (hasPadding) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included, so 0 is invalid.
    paddingBytes = bytes[length - 1];
    if (paddingBytes === 0 || at + paddingBytes > length) return undefined;
  }

  const packet: RtpPacket = {
    marker: (bytes[1] & 0x80) !== 0,
    payloadType: bytes[1] & 0x7f,
    sequenceNumber: (bytes[2] << 8) | bytes[3],
    timestamp: u32(bytes, 4),
    ssrc: u32(bytes, 8),
    csrc,
    payload: bytes.subarray(at, length - paddingBytes),
    paddingBytes,
  };
  if (extension) packet.extension = extension;
  return packet;
}

/**
 * Writes a 12-byte RTP fixed header (version 2, no padding, no extension, no CSRC) at the start of
 * `out` and returns {@link RTP_HEADER_SIZE}. Throws a `RangeError` when `out` is shorter than 12
 * bytes or a field is out of range, since those are the caller's bugs, not a peer's bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRtpPacket, writeRtpHeader } from "./header.ts";
 *
 * const out = new Uint8Array(13);
 * const n = writeRtpHeader(out, {
 *   marker: true,
 *   payloadType: 96,
 *   sequenceNumber: 65535,
 *   timestamp: 0xfffffff0,
 *   ssrc: 0xdeadbeef,
 * });
 * out[n] = 0x41;
 * const back = parseRtpPacket(out)!;
 * assert.equal(back.sequenceNumber, 65535);
 * assert.equal(back.timestamp, 0xfffffff0);
 * assert.equal(back.ssrc, 0xdeadbeef);
 * ```
 */
export function writeRtpHeader(out: Uint8Array, h: RtpHeaderFields): number {
  if (out.length < RTP_HEADER_SIZE) {
    throw new RangeError(`an RTP header needs 12 bytes of room, got ${out.length}`);
  }
  const { payloadType: pt, sequenceNumber: seq, timestamp: ts, ssrc } = h;
  if (!Number.isInteger(pt) || pt < 0 || pt > 127) {
    throw new RangeError(`payloadType must be an integer from 0 to 127, got ${pt}`);
  }
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff) {
    throw new RangeError(`sequenceNumber must be an integer from 0 to 65535, got ${seq}`);
  }
  if (!Number.isInteger(ts) || ts < 0 || ts > 0xffffffff) {
    throw new RangeError(`timestamp must be an integer from 0 to 4294967295, got ${ts}`);
  }
  if (!Number.isInteger(ssrc) || ssrc < 0 || ssrc > 0xffffffff) {
    throw new RangeError(`ssrc must be an integer from 0 to 4294967295, got ${ssrc}`);
  }
  out[0] = RTP_VERSION << 6;
  out[1] = (h.marker ? 0x80 : 0) | pt;
  out[2] = seq >> 8;
  out[3] = seq & 0xff;
  out[4] = ts >>> 24;
  out[5] = (ts >>> 16) & 0xff;
  out[6] = (ts >>> 8) & 0xff;
  out[7] = ts & 0xff;
  out[8] = ssrc >>> 24;
  out[9] = (ssrc >>> 16) & 0xff;
  out[10] = (ssrc >>> 8) & 0xff;
  out[11] = ssrc & 0xff;
  return RTP_HEADER_SIZE;
}
