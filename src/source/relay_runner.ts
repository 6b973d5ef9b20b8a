/**
 * The relay runners: a camera's `rtsp://` or `http://` stream, pulled once by the client in
 * `src/client/` and served to every reader through a {@link Relay}. H.264 goes through as it is;
 * JPEG is served as RTP/JPEG or decoded and encoded to H.264, the way pushed JPEG is.
 *
 * @module
 */

import { type Logger, throttledLog } from "../base/log.ts";
import { after, type Clock } from "../base/clock.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import { type OpenUpstream, type PictureSink, Relay, type UpstreamMedia } from "./relay.ts";
import { stripCredentials } from "../rtsp/url.ts";
import { EncodingSink } from "../encoder/frame_sinks.ts";

/** How pulled JPEG is served. */
export type JpegMode = "h264" | "rtp-jpeg";

/** A camera's RTSP stream to relay. */
export interface RtspRelaySource {
  /** Discriminant. */
  kind: "rtsp-relay";
  /** `rtsp://` or `rtsps://`, credentials allowed. */
  url: string;
  /** How the stream is pulled. */
  transport: "auto" | "tcp" | "udp";
  /** How JPEG is served. */
  jpeg: JpegMode;
  /** Encoder bitrate for JPEG served as H.264. */
  bitrate: number;
  /** Encoder GOP for JPEG served as H.264. */
  gop: number;
}

/** A camera's HTTP pictures to relay: an MJPEG stream, or a still polled `pollFps` a second. */
export interface HttpRelaySource {
  /** Discriminant. */
  kind: "http-relay";
  /** `http://` or `https://`, credentials allowed. */
  url: string;
  /** Poll a still picture this often; undefined: the URL is a multipart MJPEG stream. */
  pollFps?: number;
  /** How the pictures are served. */
  jpeg: JpegMode;
  /** Encoder bitrate for JPEG served as H.264. */
  bitrate: number;
  /** Encoder GOP for JPEG served as H.264. */
  gop: number;
}

/** What the relay runners need. */
export interface RelayContext {
  /** Where the relay reports. */
  logger: Logger;
  /** Times the backoff. */
  clock: Clock;
  /**
   * Wait for the first connection before resolving (an on-demand path answering its first
   * reader: a failure is then a 503 with the reason); otherwise resolve at once and keep trying.
   * Milliseconds to wait; undefined: do not wait.
   */
  awaitUpstreamMs?: number;
}

/** Starts relaying `source` into `stream`. */
export async function runRelay(
  stream: LiveStream,
  source: RtspRelaySource | HttpRelaySource,
  context: RelayContext,
): Promise<Relay> {
  const { logger, clock } = context;
  const open: OpenUpstream = source.kind === "rtsp-relay"
    ? await rtspOpener(source, logger)
    : await httpOpener(source, logger);
  const { bitrate, gop } = source;
  const relay = new Relay(stream, {
    open,
    label: stripCredentials(source.url),
    logger,
    clock,
    jpegToH264: (media) => jpegEncoder(stream, media, { bitrate, gop, logger, clock }),
  });
  const waitMs = context.awaitUpstreamMs;
  if (waitMs === undefined) return relay;
  let cancel: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    cancel = after(clock, waitMs, () => {
      reject(new Error(`${stripCredentials(source.url)}: no stream within ${waitMs / 1000} s`));
    });
  });
  try {
    await Promise.race([relay.connected, timeout]);
  } catch (error) {
    await relay.stop();
    throw error;
  } finally {
    cancel?.();
  }
  return relay;
}

/** Opens an RTSP camera or server: one video track, H.264 or JPEG, and its audio if carried. */
async function rtspOpener(source: RtspRelaySource, logger: Logger): Promise<OpenUpstream> {
  const { pullRtsp } = await import("../client/pull.ts");
  return async (feed) => {
    const session = await pullRtsp({ url: source.url, transport: source.transport, logger }, feed);
    return { media: session.media, audio: session.audio, close: () => session.close() };
  };
}

/** Opens an HTTP camera: a multipart MJPEG stream, or a still polled `pollFps` a second. */
async function httpOpener(source: HttpRelaySource, logger: Logger): Promise<OpenUpstream> {
  const { pullHttp } = await import("../client/http_pull.ts");
  const poll = source.pollFps === undefined ? undefined : { fps: source.pollFps };
  return async (feed) => {
    const session = await pullHttp({ url: source.url, logger, poll }, feed);
    return {
      media: { codec: "jpeg", ...(poll ? { framerate: poll.fps } : {}) },
      close: () => session.close(),
    };
  };
}

/**
 * Where a JPEG upstream's pictures go on a path served as H.264: decoded and encoded, as pushed
 * JPEG is (`encoder/frame_sinks.ts`). A picture that cannot be encoded is logged (at most every
 * 10 s) and skipped; the relay goes on.
 */
function jpegEncoder(
  stream: LiveStream,
  media: UpstreamMedia,
  settings: { bitrate: number; gop: number; logger: Logger; clock: Clock },
): PictureSink {
  const { logger, clock } = settings;
  const fps = media.framerate ?? 15;
  const sink = new EncodingSink(stream, { bitrate: settings.bitrate, gop: settings.gop, fps }, {
    logger,
    now: () => clock.now(),
  });
  const report = throttledLog(
    logger,
    "warn",
    "a relayed picture was skipped",
    10_000,
    () => clock.now(),
  );
  return {
    frame(jpeg, timestampUs) {
      try {
        sink.frame(jpeg, timestampUs);
      } catch (error) {
        report({ path: stream.path, error: (error as Error).message });
      }
    },
    close: () => sink.close(),
  };
}
