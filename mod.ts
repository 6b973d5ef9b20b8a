/**
 * rtsp-edge: an RTSP 1.0 server for live H.264 that ffmpeg, GStreamer, VLC, Frigate and Home
 * Assistant read over TCP or UDP.
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
 * @module
 */

export { RtspServer, serve } from "./src/server/server.ts";
export type { ServeOptions } from "./src/server/options.ts";
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
export type { Clock } from "./src/server/clock.ts";
export type { LogFields, Logger, LogLevel } from "./src/server/log.ts";
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
