/**
 * The sources rtsp-edge runs itself, one runner per kind, all feeding an H.264 stream that the
 * caller added beforehand: an H.264 file served as it is, the test pattern, Y4M or raw frames
 * encoded, standard input (Y4M or H.264, told apart by its first bytes) and a V4L2 camera.
 *
 * @module
 */

import { type Clock, systemClock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { LibC } from "../camera/libc.ts";
import type { PixelFormat } from "../codec/raw_frame.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import type { RunningSource } from "./running_source.ts";
import type { HttpRelaySource, RtspRelaySource } from "./relay_runner.ts";
import { stripCredentials } from "../rtsp/url.ts";

/** Encoder settings of the sources that are encoded. */
export interface EncodeSettings {
  /** Target bitrate, bits per second. */
  bitrate: number;
  /** Frames from one keyframe to the next. */
  gop: number;
}

/** What a path is made from, with everything its runner needs. */
export type LocalSource =
  | { kind: "test-pattern"; width: number; height: number; fps: number } & EncodeSettings
  | { kind: "h264-file"; path: string; fps?: number }
  | { kind: "y4m-file"; path: string; fps?: number } & EncodeSettings
  | {
    kind: "raw-file";
    path: string;
    format: PixelFormat;
    width: number;
    height: number;
    fps?: number;
  } & EncodeSettings
  | { kind: "stdin"; fps?: number } & EncodeSettings
  | RtspRelaySource
  | HttpRelaySource
  | {
    kind: "camera";
    device: string;
    /** V4L2 fourcc to insist on; undefined: the cheapest that reaches the size and rate. */
    pixelFormat?: number;
    width: number;
    height: number;
    fps: number;
  } & EncodeSettings;

/** What runners share: where to log, the clock that paces them, and the camera's C library. */
export interface SourceContext {
  /** Where problems and recoveries are reported. */
  logger: Logger;
  /** Paces frames and times retries. Default: the system clock. */
  clock?: Clock;
  /** The C library for cameras (tests pass a scripted one). Default: this runtime's. */
  libc?: LibC;
  /**
   * Relays: wait this many milliseconds for the first connection, and fail the start when it does
   * not come (an on-demand path answering its first reader). Undefined: start at once and keep
   * trying.
   */
  awaitUpstreamMs?: number;
}

/**
 * The frame rate a source will have, when it is known before anything is opened (for the stream's
 * SDP `a=framerate`); undefined when only the file or the camera can tell.
 */
export function knownFramerate(source: LocalSource): number | undefined {
  switch (source.kind) {
    case "raw-file":
      return source.fps ?? 30;
    case "camera":
      return undefined; // the camera may agree to another rate than the one asked for
    case "rtsp-relay":
      return undefined; // the upstream's SDP may say
    case "http-relay":
      return source.pollFps;
    default:
      return source.fps;
  }
}

/** A few words on what `source` is, before it is opened (the banner of an on-demand path). */
export function sourceLabel(source: LocalSource): string {
  switch (source.kind) {
    case "test-pattern":
      return `test pattern ${source.width}x${source.height} at ${source.fps} fps`;
    case "h264-file":
    case "y4m-file":
    case "raw-file":
      return source.path;
    case "stdin":
      return "standard input";
    case "camera":
      return `camera ${source.device}`;
    case "rtsp-relay":
    case "http-relay":
      return `relayed from ${stripCredentials(source.url)}`;
  }
}

/**
 * Starts `source` feeding `stream` (an H.264 stream of the caller's, added before this call so
 * that readers who come early find the path). Throws when the source cannot start: a missing
 * file, a camera that is absent or busy, settings the encoder refuses.
 *
 * Each runner, with what it needs (the encoder's binding, the camera's), is loaded when its first
 * source starts: a server whose paths are all pushed, published or on demand holds none of them
 * while idle.
 */
export async function runLocalSource(
  stream: LiveStream,
  source: LocalSource,
  context: SourceContext,
): Promise<RunningSource> {
  const clock = context.clock ?? systemClock;
  switch (source.kind) {
    case "test-pattern": {
      const { runTestPattern } = await import("./test_pattern_runner.ts");
      return await runTestPattern(stream, source, { ...context, clock });
    }
    case "h264-file": {
      const { runClip } = await import("./clip_runner.ts");
      return await runClip(stream, source, clock);
    }
    case "y4m-file": {
      const { runRawFile } = await import("./raw_file_runner.ts");
      return await runRawFile(stream, { ...source, container: "y4m" }, { ...context, clock });
    }
    case "raw-file": {
      const { runRawFile } = await import("./raw_file_runner.ts");
      const { format, width, height } = source;
      const container = { format, width, height };
      return await runRawFile(stream, { ...source, container }, { ...context, clock });
    }
    case "stdin": {
      const { runStdin } = await import("./stdin_runner.ts");
      return await runStdin(stream, source, { ...context, clock });
    }
    case "camera": {
      const { runCamera } = await import("./camera_runner.ts");
      return await runCamera(stream, source, { ...context, clock });
    }
    case "rtsp-relay":
    case "http-relay": {
      const { runRelay } = await import("./relay_runner.ts");
      return await runRelay(stream, source, { ...context, clock });
    }
  }
}
