/**
 * rtsp-edge: an RTSP 1.0 server for live H.264 and JPEG that ffmpeg, GStreamer, VLC, Frigate and
 * Home Assistant read over TCP or UDP, with lifecycle hooks and on-demand streams.
 *
 * This entry point is the server. The others: `@x/rtsp/encoder` (OpenH264 in WebAssembly, raw
 * frames and the test pattern), `@x/rtsp/camera` (V4L2 capture), `@x/rtsp/ingest` (frames pushed
 * by devices over HTTP and WebSocket), `@x/rtsp/codec` (Annex B, access units, Y4M) and
 * `@x/rtsp/testing` (a manual clock and the network seam), `@x/rtsp/relay` (pull from cameras, push to
 * servers).
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
 * @example Learn who comes and goes, and make a path when it is first asked for
 * ```ts
 * import { serve } from "@x/rtsp";
 *
 * const server = await serve({
 *   port: 0,
 *   hostname: "127.0.0.1",
 *   hooks: {
 *     onDescribe({ path }) {
 *       if (path === "/door" && !server.getStream(path)) {
 *         return server.addStream(path, { codec: "h264" }); // then feed it
 *       }
 *     },
 *     onSessionClose({ id, path, reason }) {
 *       console.log(`session ${id} on ${path} ended: ${reason}`);
 *     },
 *   },
 * });
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
  LiveStream,
  SourceState,
  StreamStats,
} from "./src/server/stream/live_stream.ts";
export type { StreamOptions } from "./src/server/stream/stream.ts";
export type { AudioCodec, AudioFormat } from "./src/codec/audio_format.ts";
export type { Tap, TapFrame, TapSink } from "./src/server/tap.ts";
export type { ReaderStats } from "./src/server/stream/reader.ts";
export type { SdpMediaDescription } from "./src/sdp/build.ts";
export type { ServerStats } from "./src/server/core.ts";
export type {
  PathSnapshot,
  PublisherSnapshot,
  SessionSnapshot,
} from "./src/server/introspection.ts";
export { PathBusyError } from "./src/server/publishers.ts";
export type { Publication, PublishOptions } from "./src/server/publishers.ts";
export type { Clock } from "./src/base/clock.ts";
export type { LogFields, Logger, LogLevel } from "./src/base/log.ts";
export type { RtspLimits } from "./src/rtsp/parser.ts";
export type { AccessRules, AuthMethod, PathAccess, Users } from "./src/auth/rights.ts";
export type { UserCredential } from "./src/auth/credentials.ts";
export { hashPassword } from "./src/auth/credentials.ts";
export { VERSION } from "./src/version.ts";
