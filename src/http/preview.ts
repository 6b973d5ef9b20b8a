/**
 * `/preview/<path>`: the live preview's WebSocket, one {@link PreviewSession} per viewer. An H.264
 * path is read through a tap of its own per viewer; a JPEG path through one shared
 * {@link JpegPreviewTranscoder} per path, which runs only while the path has viewers.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { EncodeSettings } from "../encoder/frame_sinks.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import { openTapFeed, type TapHost } from "./preview_tap_feed.ts";
import { PreviewSession } from "./preview_session.ts";
import { JpegPreviewTranscoder } from "./preview_transcoder.ts";
import type { WebRoutes } from "./routes.ts";

/** What the preview needs of the server: `RtspServer` fits. */
export interface PreviewHost extends TapHost {
  /** The stream at `path`, if any. */
  getStream(path: string): LiveStream | undefined;
}

/** What {@link previewRoute} is made with. */
export interface PreviewRouteOptions {
  /** The RTSP server whose paths are previewed. */
  server: PreviewHost;
  /** Where sessions and failures are told. */
  logger: Logger;
  /**
   * Unsent bytes of one viewer's socket above which its frames are dropped to the next keyframe.
   * Default 2 MiB: a second or two of a camera's stream.
   */
  maxBufferedBytes?: number;
  /**
   * How a JPEG path is encoded for its preview. Default 2 Mbit/s, a keyframe every 50 frames
   * (joining viewers ask for one anyway), rate control for 15 fps.
   */
  transcode?: EncodeSettings;
  /** Spaces repeated warnings. Default: the system clock. */
  clock?: Clock;
}

/** The function the router calls for `/preview/<path>`. */
export type PreviewRoute = NonNullable<WebRoutes["preview"]>;

const DEFAULT_MAX_BUFFERED = 2 << 20;
const DEFAULT_TRANSCODE: EncodeSettings = { bitrate: 2_000_000, gop: 50, fps: 15 };

/**
 * Makes the `/preview/<path>` route: a WebSocket session per viewer sending fragmented MP4, or a
 * 404 answer when no stream is served at `path` (the normalized path, `/cam`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serve } from "../server/server.ts";
 * import { silentLogger } from "../base/log.ts";
 * import { previewRoute } from "./preview.ts";
 *
 * const server = await serve({ port: 0, hostname: "127.0.0.1" });
 * const preview = previewRoute({ server, logger: silentLogger });
 * const answer = await preview("/nothing", new URL("http://x/preview/nothing"), {
 *   peer: "127.0.0.1",
 *   secure: false,
 * });
 * assert.ok(answer instanceof Response && answer.status === 404);
 * await server.close();
 * ```
 */
export function previewRoute(options: PreviewRouteOptions): PreviewRoute {
  const { server, logger } = options;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
  const transcoders = new Map<string, JpegPreviewTranscoder>();
  const transcoderOf = (path: string): JpegPreviewTranscoder => {
    let t = transcoders.get(path);
    if (!t) {
      const made = new JpegPreviewTranscoder(server, path, {
        settings: options.transcode ?? DEFAULT_TRANSCODE,
        logger,
        ...(options.clock ? { clock: options.clock } : {}),
        done: () => {
          if (transcoders.get(path) === made) transcoders.delete(path);
        },
      });
      transcoders.set(path, t = made);
    }
    return t;
  };
  return (path, _url, info) => {
    const stream = server.getStream(path);
    if (!stream) {
      return new Response(`no stream at ${path}\n`, {
        status: 404,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      });
    }
    logger.log("info", "preview started", { path, peer: info.peer });
    return new PreviewSession(
      stream.codec === "jpeg"
        ? (handlers) => transcoderOf(path).subscribe(handlers)
        : (handlers) => openTapFeed(server, path, handlers),
      { path, peer: info.peer, maxBufferedBytes, logger },
    );
  };
}
