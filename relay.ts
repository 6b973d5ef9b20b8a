/**
 * rtsp-edge as a client of other servers: relay a camera's `rtsp://` or `http://` stream at a
 * path of your server (one upstream connection, shared by every reader, reconnected with backoff),
 * and keep a path pushed to a central server (mediamtx, go2rtc, Frigate). Also the clients
 * themselves, for programs that want the pictures: `pullRtsp`, `pullHttp`, `pushRtsp`.
 *
 * @example Relay an ESP32-CAM's MJPEG as H.264, and push it to a central mediamtx
 * ```ts
 * import { serve } from "@x/rtsp";
 * import { startPush, startRelay } from "@x/rtsp/relay";
 *
 * const server = await serve({ port: 0, hostname: "127.0.0.1" });
 * const relay = await startRelay(server, "/garden", { url: "http://127.0.0.1:1/stream" });
 * const push = await startPush(server, "/garden", { url: "rtsp://127.0.0.1:1/garden" });
 * console.log(relay.state.state, push.state.state);
 * await push.stop();
 * await relay.stop();
 * await server.close();
 * ```
 *
 * @module
 */

export {
  type PushHandle,
  type PushSettings,
  type RelayHandle,
  type RelayHost,
  type RelaySettings,
  startPush,
  startRelay,
} from "./src/source/relay_api.ts";
export type { RelayState } from "./src/source/relay.ts";
export type { PushState } from "./src/source/pusher.ts";
export {
  type PulledMedia,
  PullError,
  type PullOptions,
  pullRtsp,
  type PullSession,
  type PullSink,
  type PullStats,
  type RtspTransportChoice,
} from "./src/client/pull.ts";
export type { ReceiverStats } from "./src/client/media.ts";
export type { AudioCodec, AudioFormat } from "./src/codec/audio_format.ts";
export {
  HttpPullError,
  type HttpPullOptions,
  type HttpPullSession,
  type HttpPullSink,
  pullHttp,
} from "./src/client/http_pull.ts";
export {
  PushError,
  type PushFrame,
  type PushOptions,
  pushRtsp,
  type PushSession,
  type PushSink,
  type PushSource,
  type PushStats,
  type PushTap,
} from "./src/client/push.ts";
