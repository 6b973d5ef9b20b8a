/**
 * rtsp-edge: an RTSP 1.0 server for live H.264 that ffmpeg, GStreamer, VLC, Frigate and Home
 * Assistant read over TCP or UDP, with an H.264 encoder (OpenH264 in WebAssembly) for sources that
 * give raw frames.
 *
 * @example Serve access units you make or receive
 * ```ts
 * import { serve } from "@x/rtsp";
 *
 * const server = await serve({ port: 0, hostname: "127.0.0.1" });
 * const stream = server.addStream("/stream", { codec: "h264" });
 * // For each encoded access unit (Annex B bytes or NAL units) and its time in microseconds:
 * // stream.sendFrame(accessUnit, { timestamp });
 * console.log(server.url("/stream"));
 * await server.close();
 * ```
 *
 * @example Encode raw frames and serve them
 * ```ts
 * import { EncodePipeline, H264Encoder, serve, TestPattern } from "@x/rtsp";
 *
 * const server = await serve({ port: 0, hostname: "127.0.0.1" });
 * const encoder = await H264Encoder.create({ width: 640, height: 360, fps: 30, bitrate: 1_000_000 });
 * const stream = server.addStream("/stream", {
 *   codec: "h264",
 *   framerate: 30,
 *   onKeyframeRequest: () => encoder.requestKeyframe(), // a joining reader gets an IDR at once
 * });
 * const pipeline = new EncodePipeline(encoder, stream, (error) => console.error(error));
 * const pattern = new TestPattern({ width: 640, height: 360 });
 * pipeline.push(pattern.draw(0, Date.now(), 0)); // call once per frame, e.g. from a camera
 * await encoder.close();
 * await server.close();
 * ```
 *
 * @module
 */

export { RtspServer, serve } from "./src/server/server.ts";
export type { ServeOptions } from "./src/server/options.ts";
export type {
  ConnectionInfo,
  DescribeAnswer,
  DescribeInfo,
  ServerHooks,
  SessionCloseInfo,
  SessionEndReason,
  SessionInfo,
  SessionRole,
} from "./src/server/hooks.ts";
export type {
  FrameOptions,
  StartPoint,
  StreamOptions,
  StreamReader,
  StreamStats,
} from "./src/server/stream.ts";
export { Stream } from "./src/server/stream.ts";
export type { Frame } from "./src/server/frame.ts";
export type { ServerStats } from "./src/server/core.ts";
export type { Clock } from "./src/base/clock.ts";
export type { LogFields, Logger, LogLevel } from "./src/base/log.ts";
export { splitAccessUnits } from "./src/codec/access_unit.ts";
export type { AccessUnit } from "./src/codec/access_unit.ts";
export { splitAnnexB } from "./src/codec/annexb.ts";
export { VERSION } from "./src/version.ts";
export type { RtspLimits } from "./src/rtsp/parser.ts";
export type {
  ConnectionHandler,
  DatagramHandler,
  NetAddress,
  Network,
  TcpConnection,
  TcpListener,
  UdpSocket,
} from "./src/runtime/net.ts";
export type { SdpMediaDescription } from "./src/sdp/build.ts";
export { PacketList } from "./src/rtp/packet_list.ts";
export { H264Encoder } from "./src/encoder/h264_encoder.ts";
export type { EncodedAccessUnit, EncoderInput } from "./src/encoder/h264_encoder.ts";
export { parseBitrate } from "./src/encoder/options.ts";
export type { H264EncoderOptions, ResolvedEncoderOptions } from "./src/encoder/options.ts";
export { frameSize, PixelFormat, pixelFormatByName } from "./src/codec/raw_frame.ts";
export type { RawFrame } from "./src/codec/raw_frame.ts";
export { TestPattern } from "./src/source/test_pattern.ts";
export type { TestPatternOptions } from "./src/source/test_pattern.ts";
export { EncodePipeline } from "./src/encoder/encode_pipeline.ts";
export type { PipelineStats } from "./src/encoder/encode_pipeline.ts";
export { Y4mParser } from "./src/codec/y4m.ts";
export type { Y4mHeader } from "./src/codec/y4m.ts";
export { openCamera } from "./src/camera/camera_capture.ts";
export type {
  CameraCapture,
  CameraOptions,
  CapturedFrame,
  CaptureStats,
} from "./src/camera/camera_capture.ts";
export { CameraError } from "./src/camera/v4l2_device.ts";
export { NegotiationError } from "./src/camera/negotiate.ts";
export type { CaptureLayout, CaptureMode, ModeRequest } from "./src/camera/negotiate.ts";
export type { Fraction } from "./src/camera/v4l2_abi.ts";
export type { LibC, Mapping } from "./src/camera/libc.ts";
export { JpegDecoder } from "./src/jpeg/jpeg_decoder.ts";
export type { DecodedJpeg, JpegDecodeOptions } from "./src/jpeg/jpeg_decoder.ts";
export { JpegError } from "./src/codec/jpeg.ts";
export type { JpegErrorCode } from "./src/codec/jpeg.ts";
export type { InputFormat } from "./src/encoder/protocol.ts";
export { PathBusyError } from "./src/server/publishers.ts";
export type { Publication, PublishOptions } from "./src/server/publishers.ts";
export type { AccessRules, AuthMethod, PathAccess, Users } from "./src/auth/rights.ts";
export type { UserCredential } from "./src/auth/credentials.ts";
export { hashPassword } from "./src/auth/credentials.ts";
