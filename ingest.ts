/**
 * Frames pushed by devices (ESP32-P4's H.264, ESP32-CAM and OpenMV JPEG, raw frames) over HTTP
 * POST/PUT or WebSocket to `/ingest/<path>`, served to RTSP readers.
 *
 * @example Accept an ESP32-CAM's JPEG pushes at /cam, served as H.264
 * ```ts
 * import { serve } from "@x/rtsp";
 * import { startIngest } from "@x/rtsp/ingest";
 *
 * const rtsp = await serve({ port: 0, hostname: "127.0.0.1" });
 * const ingest = await startIngest({
 *   rtsp,
 *   port: 0,
 *   hostname: "127.0.0.1",
 *   policyFor: (path) =>
 *     path === "/cam"
 *       ? { token: "change-me", jpeg: "h264", replace: false, bitrate: 2_000_000, gop: 30,
 *         maxFrameBytes: 8 << 20 }
 *       : undefined,
 * });
 * await ingest.close();
 * await rtsp.close();
 * ```
 *
 * @module
 */

export { startIngest } from "./src/ingest/ingest_server.ts";
export type { IngestOptions, IngestServer } from "./src/ingest/ingest_server.ts";
export type { IngestPathPolicy } from "./src/ingest/ingest_request.ts";
export type { ServedAudio } from "./src/ingest/audio_push.ts";
export type {
  RequestInfo,
  WebHandler,
  WebSocketPeer,
  WebSocketSession,
} from "./src/http/web_handler.ts";
