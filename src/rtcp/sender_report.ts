/**
 * RTCP packets a sender emits: the compound SR + SDES(CNAME) of RFC 3550 §6.1 and §6.4.1, and the
 * same followed by a BYE when the stream ends (§6.6).
 *
 * @module
 */

import {
  checkU32,
  encodeText,
  RTCP_BYE,
  RTCP_SR,
  sdesCnameSize,
  writeCommonHeader,
  writeSdesCname,
} from "./common.ts";
import { unixMsToNtp } from "./ntp.ts";

/** What a sender report says (RFC 3550 §6.4.1). */
export interface SenderReportInit {
  /** SSRC of the sender, 0 to 2^32-1. */
  ssrc: number;
  /** Wallclock time of the report as Unix milliseconds, from the caller's clock. */
  ntpMs: number;
  /** RTP timestamp that corresponds to `ntpMs` on the media clock, 0 to 2^32-1. */
  rtpTimestamp: number;
  /** RTP packets sent since the start; any non-negative integer, sent modulo 2^32. */
  packetCount: number;
  /** RTP payload bytes sent since the start; any non-negative integer, sent modulo 2^32. */
  octetCount: number;
  /** Canonical name of the source, 1 to 255 bytes of UTF-8 (e.g. `rtsp-edge@192.0.2.1`). */
  cname: string;
}

const SR_SIZE = 28;
const TWO_32 = 0x100000000;

function counter(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  }
  return value % TWO_32; // RFC 3550 §6.4.1: the counts wrap around
}

/** Writes SR + SDES into a fresh buffer with `extra` bytes left free at the end. */
function buildCompound(sr: SenderReportInit, extra: number): { out: Uint8Array; at: number } {
  if (typeof sr !== "object" || sr === null) {
    throw new TypeError("a sender report needs an object with its fields");
  }
  const ssrc = checkU32("ssrc", sr.ssrc);
  const rtpTimestamp = checkU32("rtpTimestamp", sr.rtpTimestamp);
  const packetCount = counter("packetCount", sr.packetCount);
  const octetCount = counter("octetCount", sr.octetCount);
  const ntp = unixMsToNtp(sr.ntpMs);
  const cname = encodeText("cname", sr.cname, 1);

  const size = SR_SIZE + sdesCnameSize(cname.length);
  const out = new Uint8Array(size + extra);
  const view = new DataView(out.buffer);
  // RFC 3550 §6.4.1: header with RC = 0, then sender info (no report blocks: we receive nothing).
  writeCommonHeader(view, 0, 0, RTCP_SR, SR_SIZE);
  view.setUint32(4, ssrc);
  view.setUint32(8, ntp.seconds);
  view.setUint32(12, ntp.fraction);
  view.setUint32(16, rtpTimestamp);
  view.setUint32(20, packetCount);
  view.setUint32(24, octetCount);
  // RFC 3550 §6.1: every compound packet carries an SDES CNAME.
  writeSdesCname(out, view, SR_SIZE, ssrc, cname);
  return { out, at: size };
}

/**
 * Builds the compound RTCP packet a sender sends every few seconds: an SR without report blocks,
 * then an SDES with the CNAME (RFC 3550 §6.1). Throws a `RangeError` or `TypeError` naming a field
 * that is out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildSenderReport } from "./sender_report.ts";
 * import { parseRtcpCompound } from "./parse.ts";
 *
 * const bytes = buildSenderReport({
 *   ssrc: 0x1234, ntpMs: 0, rtpTimestamp: 90000, packetCount: 10, octetCount: 14000, cname: "cam",
 * });
 * const [sr, sdes] = parseRtcpCompound(bytes)!;
 * assert.equal(sr.type, "sr");
 * assert.equal(sr.type === "sr" && sr.ntp.seconds, 2208988800);
 * assert.deepEqual(sdes, { type: "sdes", chunks: [{ ssrc: 0x1234, items: [{ type: 1, value: "cam" }] }] });
 * ```
 */
export function buildSenderReport(sr: SenderReportInit): Uint8Array {
  return buildCompound(sr, 0).out;
}

/**
 * Builds the last RTCP packet of a stream: SR + SDES(CNAME) + BYE, since a compound must start
 * with a report and a BYE should end it (RFC 3550 §6.1, §6.6). `reason` (at most 255 bytes of
 * UTF-8) is optional.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGoodbye } from "./sender_report.ts";
 * import { parseRtcpCompound } from "./parse.ts";
 *
 * const bytes = buildGoodbye(
 *   { ssrc: 7, ntpMs: 1000, rtpTimestamp: 0, packetCount: 0, octetCount: 0, cname: "cam" },
 *   "teardown",
 * );
 * const packets = parseRtcpCompound(bytes)!;
 * assert.deepEqual(packets.map((p) => p.type), ["sr", "sdes", "bye"]);
 * assert.deepEqual(packets[2], { type: "bye", ssrcs: [7], reason: "teardown" });
 * ```
 */
export function buildGoodbye(sr: SenderReportInit, reason?: string): Uint8Array {
  const text = reason === undefined ? undefined : encodeText("reason", reason, 0);
  // RFC 3550 §6.6: header, SSRC, then an optional length-prefixed reason padded to 32 bits.
  const byeSize = 8 + (text && text.length > 0 ? (1 + text.length + 3) & ~3 : 0);
  const { out, at } = buildCompound(sr, byeSize);
  const view = new DataView(out.buffer);
  writeCommonHeader(view, at, 1, RTCP_BYE, byeSize);
  view.setUint32(at + 4, sr.ssrc);
  if (text && text.length > 0) {
    out[at + 8] = text.length;
    out.set(text, at + 9);
  }
  return out;
}
