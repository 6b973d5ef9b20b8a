/**
 * The 24-byte reception report block that SR and RR packets carry (RFC 3550 §6.4.1).
 *
 * @module
 */

import { checkU32 } from "./common.ts";

/** One reception report block: how a receiver hears one source (RFC 3550 §6.4.1). */
export interface ReceptionReport {
  /** SSRC of the source this block is about. */
  ssrc: number;
  /** Fraction lost since the previous report, in 1/256 (0 to 255). */
  fractionLost: number;
  /** Cumulative packets lost, signed 24-bit (negative when duplicates arrived). */
  cumulativeLost: number;
  /** Extended highest sequence number received (cycles in the top 16 bits). */
  highestSequence: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP time of the last SR received from the source, or 0. */
  lastSr: number;
  /** Delay since that SR in 1/65536 s, or 0. */
  delaySinceLastSr: number;
}

/** Size of a report block in bytes. */
export const REPORT_BLOCK_SIZE = 24;

/** Reads a report block at `at`; the caller has checked that 24 bytes are there. */
export function readReportBlock(view: DataView, at: number): ReceptionReport {
  const lost = view.getUint32(at + 4);
  return {
    ssrc: view.getUint32(at),
    fractionLost: lost >>> 24,
    cumulativeLost: (lost << 8) >> 8, // sign-extend the low 24 bits
    highestSequence: view.getUint32(at + 8),
    jitter: view.getUint32(at + 12),
    lastSr: view.getUint32(at + 16),
    delaySinceLastSr: view.getUint32(at + 20),
  };
}

/** Checks every field of a report block; throws a `RangeError` naming the bad one. */
export function checkReportBlock(r: ReceptionReport): void {
  checkU32("report ssrc", r.ssrc);
  if (!Number.isInteger(r.fractionLost) || r.fractionLost < 0 || r.fractionLost > 255) {
    throw new RangeError(`fractionLost must be an integer from 0 to 255, got ${r.fractionLost}`);
  }
  if (
    !Number.isInteger(r.cumulativeLost) || r.cumulativeLost < -0x800000 ||
    r.cumulativeLost > 0x7fffff
  ) {
    throw new RangeError(
      `cumulativeLost must be an integer from -8388608 to 8388607, got ${r.cumulativeLost}`,
    );
  }
  checkU32("highestSequence", r.highestSequence);
  checkU32("jitter", r.jitter);
  checkU32("lastSr", r.lastSr);
  checkU32("delaySinceLastSr", r.delaySinceLastSr);
}

/** Writes a report block, already checked with {@link checkReportBlock}, at `at`. */
export function writeReportBlock(view: DataView, at: number, r: ReceptionReport): void {
  view.setUint32(at, r.ssrc);
  view.setUint32(at + 4, ((r.fractionLost << 24) | (r.cumulativeLost & 0xffffff)) >>> 0);
  view.setUint32(at + 8, r.highestSequence);
  view.setUint32(at + 12, r.jitter);
  view.setUint32(at + 16, r.lastSr);
  view.setUint32(at + 20, r.delaySinceLastSr);
}
