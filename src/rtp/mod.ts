/**
 * RTP: header parsing and writing (RFC 3550), sequence and timestamp arithmetic, the H.264
 * (RFC 6184) and JPEG (RFC 2435) payload formats, and the audio ones: AAC (RFC 3640, and RFC 6416
 * LATM on input), Opus (RFC 7587), G.711 and L16 (RFC 3551). Pure: bytes in, typed values out.
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
export { AudioPayloadError } from "./audio_unit.ts";
export type { AudioDepacketizer, AudioUnit } from "./audio_unit.ts";
export { AudioPacketWriter } from "./audio_packet_writer.ts";
export type { AudioPacketizerOptions } from "./audio_packet_writer.ts";
export { AAC_HBR_LAYOUT, readAuHeaderSection, writeAacHbrHeaders } from "./aac_au_headers.ts";
export type { AuHeader, AuHeaderLayout, AuHeaderSection } from "./aac_au_headers.ts";
export { formatAacFmtp, parseAacFmtp } from "./aac_fmtp.ts";
export type { AacFmtp } from "./aac_fmtp.ts";
export { AAC_HBR_MAX_ACCESS_UNIT, AacPacketizer } from "./aac_packetizer.ts";
export type { AacPacketizerOptions } from "./aac_packetizer.ts";
export { AacDepacketizer } from "./aac_depacketizer.ts";
export type { AacDepacketizerOptions } from "./aac_depacketizer.ts";
export { parseLatmFmtp, parseStreamMuxConfig } from "./latm_config.ts";
export type { LatmConfig } from "./latm_config.ts";
export { LatmDepacketizer } from "./latm_depacketizer.ts";
export type { LatmDepacketizerOptions } from "./latm_depacketizer.ts";
export { OpusPacketizer } from "./opus_packetizer.ts";
export { OpusDepacketizer } from "./opus_depacketizer.ts";
export { PcmPacketizer } from "./pcm_packetizer.ts";
export type { PcmPacketizerOptions } from "./pcm_packetizer.ts";
export { PcmDepacketizer } from "./pcm_depacketizer.ts";
export type { PcmDepacketizerOptions } from "./pcm_depacketizer.ts";
