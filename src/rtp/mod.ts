/**
 * RTP: header parsing and writing (RFC 3550), sequence and timestamp arithmetic, and the H.264
 * (RFC 6184) and JPEG (RFC 2435) payload formats. Pure: bytes in, typed values out.
 *
 * @module
 */

export { parseRtpPacket, RTP_HEADER_SIZE, writeRtpHeader } from "./header.ts";
export type { RtpHeaderFields, RtpPacket } from "./header.ts";
export {
  PacketOrder,
  seqAdd,
  seqDiff,
  seqLess,
  SequenceTracker,
  tsAdd,
  tsDiff,
} from "./sequence.ts";
export type { LossReport, SequenceTrackerOptions } from "./sequence.ts";
export { INTERLEAVED_HEADER_SIZE, PacketList } from "./packet_list.ts";
export { H264Packetizer } from "./h264_packetizer.ts";
export type { H264PacketizerOptions } from "./h264_packetizer.ts";
export { H264Depacketizer } from "./h264_depacketizer.ts";
export type { H264AccessUnitOut, H264DepacketizerOptions } from "./h264_depacketizer.ts";
export {
  JPEG_PAYLOAD_TYPE,
  JpegPacketizer,
  JpegRtpError,
  MAX_RTP_JPEG_SIDE,
  MIN_JPEG_PAYLOAD_SIZE,
  prepareRtpJpeg,
} from "./jpeg_packetizer.ts";
export type { JpegPacketizerOptions, RtpJpeg } from "./jpeg_packetizer.ts";
export { JpegDepacketizer } from "./jpeg_depacketizer.ts";
export type { JpegDepacketizerOptions, JpegFrameOut } from "./jpeg_depacketizer.ts";
export {
  isStandardHuffmanTable,
  qualityQuantTables,
  STANDARD_HUFFMAN_TABLES,
  standardHuffmanTable,
} from "./jpeg_tables.ts";
export type { HuffmanTable } from "./jpeg_tables.ts";
