/**
 * The compound RR + SDES(CNAME) a receiver sends (RFC 3550 §6.1, §6.4.2): for tests, for RECORD
 * ingest (where the server receives) and for a future client.
 *
 * @module
 */

import {
  checkU32,
  encodeText,
  RTCP_RR,
  sdesCnameSize,
  writeCommonHeader,
  writeSdesCname,
} from "./common.ts";
import {
  checkReportBlock,
  type ReceptionReport,
  REPORT_BLOCK_SIZE,
  writeReportBlock,
} from "./report_block.ts";

/** What a receiver report says. */
export interface ReceiverReportInit {
  /** SSRC of the receiver, 0 to 2^32-1. */
  ssrc: number;
  /** Up to 31 report blocks, one per source heard (RFC 3550 §6.4.2: RC is 5 bits). */
  reports: readonly ReceptionReport[];
  /** Canonical name of the receiver, 1 to 255 bytes of UTF-8. */
  cname: string;
}

/**
 * Builds RR + SDES(CNAME). Throws a `RangeError` or `TypeError` naming a field that is out of
 * range, or when there are more than 31 report blocks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildReceiverReport } from "./receiver_report.ts";
 * import { parseRtcpCompound } from "./parse.ts";
 *
 * const report = {
 *   ssrc: 0xcafe, fractionLost: 64, cumulativeLost: -3, highestSequence: 70000,
 *   jitter: 12, lastSr: 0x56789abc, delaySinceLastSr: 65536,
 * };
 * const bytes = buildReceiverReport({ ssrc: 5, reports: [report], cname: "viewer" });
 * const [rr] = parseRtcpCompound(bytes)!;
 * assert.deepEqual(rr, { type: "rr", ssrc: 5, reports: [report] });
 * ```
 */
export function buildReceiverReport(rr: ReceiverReportInit): Uint8Array {
  if (typeof rr !== "object" || rr === null || !Array.isArray(rr.reports)) {
    throw new TypeError("a receiver report needs an object with ssrc, reports and cname");
  }
  const ssrc = checkU32("ssrc", rr.ssrc);
  if (rr.reports.length > 31) {
    throw new RangeError(`an RR holds at most 31 report blocks, got ${rr.reports.length}`);
  }
  for (const report of rr.reports) checkReportBlock(report);
  const cname = encodeText("cname", rr.cname, 1);

  const rrSize = 8 + rr.reports.length * REPORT_BLOCK_SIZE;
  const out = new Uint8Array(rrSize + sdesCnameSize(cname.length));
  const view = new DataView(out.buffer);
  writeCommonHeader(view, 0, rr.reports.length, RTCP_RR, rrSize);
  view.setUint32(4, ssrc);
  rr.reports.forEach((report, i) => writeReportBlock(view, 8 + i * REPORT_BLOCK_SIZE, report));
  writeSdesCname(out, view, rrSize, ssrc, cname);
  return out;
}
