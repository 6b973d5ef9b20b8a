/**
 * Parses compound RTCP packets (RFC 3550 §6.1) with the validity checks of Appendix A.2.
 *
 * @module
 */

import { RTCP_APP, RTCP_BYE, RTCP_RR, RTCP_SDES, RTCP_SR } from "./common.ts";
import type { NtpTimestamp } from "./ntp.ts";
import { readReportBlock, type ReceptionReport, REPORT_BLOCK_SIZE } from "./report_block.ts";

export type { ReceptionReport } from "./report_block.ts";

/** A sender report (RFC 3550 §6.4.1). */
export interface RtcpSenderReport {
  /** Discriminant. */
  type: "sr";
  /** SSRC of the sender. */
  ssrc: number;
  /** Wallclock time of the report. */
  ntp: NtpTimestamp;
  /** RTP timestamp matching `ntp`. */
  rtpTimestamp: number;
  /** Sender's packet count, modulo 2^32. */
  packetCount: number;
  /** Sender's payload octet count, modulo 2^32. */
  octetCount: number;
  /** Report blocks about sources the sender hears. */
  reports: ReceptionReport[];
}

/** A receiver report (RFC 3550 §6.4.2). */
export interface RtcpReceiverReport {
  /** Discriminant. */
  type: "rr";
  /** SSRC of the receiver. */
  ssrc: number;
  /** Report blocks, one per source heard. */
  reports: ReceptionReport[];
}

/** One SDES item; `value` is decoded as UTF-8 (bad sequences become U+FFFD). */
export interface SdesItem {
  /** Item type: 1 CNAME, 2 NAME, ... 8 PRIV (RFC 3550 §6.5). */
  type: number;
  /** The item's text. */
  value: string;
}

/** A source description (RFC 3550 §6.5). */
export interface RtcpSourceDescription {
  /** Discriminant. */
  type: "sdes";
  /** One chunk per source. */
  chunks: { ssrc: number; items: SdesItem[] }[];
}

/** A goodbye (RFC 3550 §6.6). */
export interface RtcpBye {
  /** Discriminant. */
  type: "bye";
  /** Sources leaving. */
  ssrcs: number[];
  /** Reason for leaving, when the packet gives a non-empty one. */
  reason?: string;
}

/** An APP packet (204) or a type this parser does not read (feedback, XR, ...). */
export interface RtcpOtherPacket {
  /** Discriminant. */
  type: "app" | "other";
  /** The packet type byte. */
  packetType: number;
}

/** One packet of a compound RTCP packet. */
export type RtcpPacket =
  | RtcpSenderReport
  | RtcpReceiverReport
  | RtcpSourceDescription
  | RtcpBye
  | RtcpOtherPacket;

const decoder = new TextDecoder(); // UTF-8, replacing bad sequences: never throws

/**
 * Parses a compound RTCP packet. Returns `undefined` unless it passes the checks of RFC 3550 A.2:
 * version 2 on every packet, the first packet an SR or RR, padding only on the last packet, and
 * packet lengths that add up exactly to the datagram; and unless every SR, RR, SDES and BYE inside
 * is well formed (report blocks, items and reason within their packet). Never throws, never
 * mutates the input.
 *
 * Reduced-size RTCP (RFC 5506), which may start with another type, is rejected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRtcpCompound } from "./parse.ts";
 *
 * // RR with no report blocks, then a BYE.
 * const bytes = new Uint8Array([0x80, 201, 0, 1, 0, 0, 0, 9, 0x81, 203, 0, 1, 0, 0, 0, 9]);
 * assert.deepEqual(parseRtcpCompound(bytes), [
 *   { type: "rr", ssrc: 9, reports: [] },
 *   { type: "bye", ssrcs: [9] },
 * ]);
 * assert.equal(parseRtcpCompound(bytes.subarray(0, 12)), undefined);
 * ```
 */
export function parseRtcpCompound(bytes: Uint8Array): RtcpPacket[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: RtcpPacket[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) return undefined;
    const b0 = bytes[at];
    const packetType = bytes[at + 1];
    if (b0 >> 6 !== 2) return undefined;
    // RFC 3550 A.2: the first packet must be an SR or RR.
    if (at === 0 && packetType !== RTCP_SR && packetType !== RTCP_RR) return undefined;
    const size = (view.getUint16(at + 2) + 1) * 4;
    const end = at + size;
    if (end > bytes.length) return undefined;
    let bodyEnd = end;
    if (b0 & 0x20) {
      // RFC 3550 §6.4.1: padding only on the last packet; its last octet counts it, itself included.
      if (end !== bytes.length) return undefined;
      const padding = bytes[end - 1];
      if (padding === 0 || padding > size - 4) return undefined;
      bodyEnd = end - padding;
    }
    const packet = parseOne(bytes, view, at, bodyEnd, b0 & 0x1f, packetType);
    if (!packet) return undefined;
    packets.push(packet);
    at = end;
  }
  // RFC 3550 A.2: the lengths must add up to the datagram; an empty one holds nothing valid.
  return packets.length > 0 ? packets : undefined;
}

function parseOne(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  end: number,
  count: number,
  packetType: number,
): RtcpPacket | undefined {
  switch (packetType) {
    case RTCP_SR: {
      if (at + 28 + count * REPORT_BLOCK_SIZE > end) return undefined;
      return {
        type: "sr",
        ssrc: view.getUint32(at + 4),
        ntp: { seconds: view.getUint32(at + 8), fraction: view.getUint32(at + 12) },
        rtpTimestamp: view.getUint32(at + 16),
        packetCount: view.getUint32(at + 20),
        octetCount: view.getUint32(at + 24),
        reports: readReports(view, at + 28, count),
      };
    }
    case RTCP_RR: {
      if (at + 8 + count * REPORT_BLOCK_SIZE > end) return undefined;
      return {
        type: "rr",
        ssrc: view.getUint32(at + 4),
        reports: readReports(view, at + 8, count),
      };
    }
    case RTCP_SDES:
      return parseSdes(bytes, view, at + 4, end, count);
    case RTCP_BYE: {
      let p = at + 4;
      if (p + count * 4 > end) return undefined;
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++, p += 4) ssrcs.push(view.getUint32(p));
      const bye: RtcpBye = { type: "bye", ssrcs };
      if (p < end) {
        // RFC 3550 §6.6: an 8-bit length, then the reason text.
        const length = bytes[p];
        if (p + 1 + length > end) return undefined;
        if (length > 0) bye.reason = decoder.decode(bytes.subarray(p + 1, p + 1 + length));
      }
      return bye;
    }
    case RTCP_APP:
      return { type: "app", packetType };
    default:
      return { type: "other", packetType };
  }
}

function readReports(view: DataView, at: number, count: number): ReceptionReport[] {
  const reports: ReceptionReport[] = [];
  for (let i = 0; i < count; i++) reports.push(readReportBlock(view, at + i * REPORT_BLOCK_SIZE));
  return reports;
}

/** RFC 3550 §6.5: SC chunks, each an SSRC and items ended by null octets up to a 32-bit boundary. */
function parseSdes(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  end: number,
  count: number,
): RtcpSourceDescription | undefined {
  const chunks: RtcpSourceDescription["chunks"] = [];
  let p = at;
  for (let c = 0; c < count; c++) {
    if (p + 4 > end) return undefined;
    const chunk = { ssrc: view.getUint32(p), items: [] as SdesItem[] };
    p += 4;
    for (;;) {
      // Tolerated: a last chunk whose items fill the packet exactly, without the END octet.
      if (p >= end) break;
      const type = bytes[p];
      if (type === 0) {
        p = (p + 4) & ~3; // the END octet and the padding after it, up to the 32-bit boundary
        break;
      }
      if (p + 2 > end) return undefined;
      const length = bytes[p + 1];
      if (p + 2 + length > end) return undefined;
      chunk.items.push({ type, value: decoder.decode(bytes.subarray(p + 2, p + 2 + length)) });
      p += 2 + length;
    }
    chunks.push(chunk);
  }
  return { type: "sdes", chunks };
}
