/**
 * Relays and pushes for programs that hold their own server: serve a camera's `rtsp://` or
 * `http://` stream at a path (one upstream connection, every reader shares it), or keep a path
 * pushed to another server. What `--input rtsp://…` and `push:` do on the command line.
 *
 * @module
 */

import { type Clock, systemClock } from "../base/clock.ts";
import { type Logger, silentLogger } from "../base/log.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import type { PushSource } from "../client/push.ts";
import type { RelayState } from "./relay.ts";
import type { PushState } from "./pusher.ts";
import { stripCredentials } from "../rtsp/url.ts";

/** What to relay, and how. */
export interface RelaySettings {
  /** `rtsp://`, `rtsps://`, `http://` or `https://`, credentials allowed (never logged). */
  url: string;
  /** How an rtsp:// stream is pulled. Default `auto` (UDP, then TCP). */
  transport?: "auto" | "tcp" | "udp";
  /** JPEG served as `h264` (encoded, the default) or as `rtp-jpeg` (RFC 2435). */
  jpeg?: "h264" | "rtp-jpeg";
  /** An http:// still picture polled this many times a second; unset: an MJPEG stream. */
  pollFps?: number;
  /** Encoder bitrate for JPEG served as H.264, bits per second. Default 2 000 000. */
  bitrate?: number;
  /** Encoder GOP for JPEG served as H.264. Default 30. */
  gop?: number;
  /** Where the relay reports. Default: silent. */
  logger?: Logger;
  /** Times the backoff. Default: the system clock. */
  clock?: Clock;
}

/** A running relay. */
export interface RelayHandle {
  /** The stream it feeds. */
  readonly stream: LiveStream;
  /** Connecting, streaming, waiting until a time after an error, or stopped. */
  readonly state: RelayState;
  /** Disconnects from the upstream and removes the path. */
  stop(): Promise<void>;
}

/** The server a relay adds its path to. */
export interface RelayHost {
  /** Adds a stream at `path`. */
  addStream(path: string, options: { codec: "h264" | "jpeg" }): LiveStream;
  /** Removes the stream at `path`. */
  removeStream(path: string): boolean;
}

/**
 * Serves the camera at `settings.url` at `path` of `server`: the path exists at once; readers who
 * come before the first picture wait for it; when the upstream is lost readers stay and the relay
 * reconnects (1 s doubling to 30 s, with jitter).
 *
 * @example
 * ```ts
 * import { serve } from "@x/rtsp";
 * import { startRelay } from "@x/rtsp/relay";
 *
 * const server = await serve({ port: 0, hostname: "127.0.0.1" });
 * const relay = await startRelay(server, "/door", { url: "rtsp://127.0.0.1:1/none" });
 * console.log(relay.state.state); // "connecting", then "waiting" (nothing listens there)
 * await relay.stop();
 * await server.close();
 * ```
 */
export async function startRelay(
  server: RelayHost,
  path: string,
  settings: RelaySettings,
): Promise<RelayHandle> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(settings.url)?.[1]?.toLowerCase();
  const kind = scheme === "rtsp" || scheme === "rtsps"
    ? "rtsp-relay"
    : scheme === "http" || scheme === "https"
    ? "http-relay"
    : undefined;
  if (kind === undefined) {
    throw new TypeError(
      `a relay's url must be rtsp://, rtsps://, http:// or https://, got ${
        stripCredentials(settings.url)
      }`,
    );
  }
  const jpeg = settings.jpeg ?? "h264";
  const encoding = { jpeg, bitrate: settings.bitrate ?? 2_000_000, gop: settings.gop ?? 30 };
  const stream = server.addStream(path, { codec: jpeg === "rtp-jpeg" ? "jpeg" : "h264" });
  const { runRelay } = await import("./relay_runner.ts");
  const context = { logger: settings.logger ?? silentLogger, clock: settings.clock ?? systemClock };
  const relay = kind === "rtsp-relay"
    ? await runRelay(stream, {
      kind,
      url: settings.url,
      transport: settings.transport ?? "auto",
      ...encoding,
    }, context)
    : await runRelay(stream, {
      kind,
      url: settings.url,
      ...(settings.pollFps === undefined ? {} : { pollFps: settings.pollFps }),
      ...encoding,
    }, context);
  return {
    stream,
    get state() {
      return relay.state;
    },
    async stop() {
      await relay.stop();
      server.removeStream(stream.path);
    },
  };
}

/** Where to push, and how. */
export interface PushSettings {
  /** `rtsp://` or `rtsps://` of the receiving server, credentials allowed (never logged). */
  url: string;
  /** Interleaved TCP (the default) or UDP. */
  transport?: "tcp" | "udp";
  /** Check the server's certificate (rtsps://). Default true: the push sends credentials. */
  tlsVerify?: boolean;
  /** Where the pusher reports. Default: silent. */
  logger?: Logger;
  /** Times the backoff. Default: the system clock. */
  clock?: Clock;
}

/** A path kept pushed to one server. */
export interface PushHandle {
  /** The target without credentials. */
  readonly target: string;
  /** Connecting, pushing, waiting until a time after an error, or stopped. */
  readonly state: PushState;
  /** Stops pushing (TEARDOWN). */
  stop(): Promise<void>;
}

/**
 * Keeps `path` of `server` pushed to `settings.url` (ANNOUNCE, SETUP, RECORD), starting at a
 * keyframe with SPS and PPS, and again with backoff whenever the target refuses or is lost. The
 * push counts as a reader of the path, so an on-demand source runs while it pushes.
 */
export async function startPush(
  server: PushSource & { getStream?(path: string): unknown },
  path: string,
  settings: PushSettings,
): Promise<PushHandle> {
  const [{ pushRtsp }, { Pusher }] = await Promise.all([
    import("../client/push.ts"),
    import("./pusher.ts"),
  ]);
  const logger = settings.logger ?? silentLogger;
  const { url } = settings;
  const options = {
    url,
    transport: settings.transport ?? "tcp",
    logger,
    ...(settings.tlsVerify === undefined ? {} : { tlsVerify: settings.tlsVerify }),
  };
  return new Pusher({
    path,
    url,
    start: () => pushRtsp(server, path, options),
    ...(server.getStream ? { ready: () => server.getStream!(path) !== undefined } : {}),
    logger,
    clock: settings.clock ?? systemClock,
  });
}
