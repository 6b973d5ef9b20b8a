/**
 * RTCP (RFC 3550 §6): NTP time conversion, sender and receiver report building, and parsing of
 * compound packets. Pure: bytes in, typed values out; the clock is the caller's.
 *
 * @module
 */

export {
  msToNtpShort,
  NTP_UNIX_OFFSET_SECONDS,
  ntpMiddle32,
  ntpShortToMs,
  ntpToUnixMs,
  unixMsToNtp,
} from "./ntp.ts";
export type { NtpTimestamp } from "./ntp.ts";
export { buildGoodbye, buildSenderReport } from "./sender_report.ts";
export type { SenderReportInit } from "./sender_report.ts";
export { buildReceiverReport } from "./receiver_report.ts";
export type { ReceiverReportInit } from "./receiver_report.ts";
export { parseRtcpCompound } from "./parse.ts";
export type {
  RtcpBye,
  RtcpOtherPacket,
  RtcpPacket,
  RtcpReceiverReport,
  RtcpSenderReport,
  RtcpSourceDescription,
  SdesItem,
} from "./parse.ts";
export type { ReceptionReport } from "./report_block.ts";
export { RTCP_APP, RTCP_BYE, RTCP_RR, RTCP_SDES, RTCP_SR } from "./common.ts";
