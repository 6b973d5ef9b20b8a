/**
 * Raw video as a source: a Y4M file (size and rate from its header) or headerless frames of a given
 * format and size, from a file (looped) or standard input, encoded at the source's rate.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import { encodeInto } from "./encode_to_stream.ts";
import { openRawSource, playRawFrames, type RawSourceOptions } from "./raw_source.ts";
import type { RunningSource } from "./running_source.ts";

/** Settings of {@link runRawFile}: where the frames are, and how to encode them. */
export interface RawFileSource extends RawSourceOptions {
  /** Target bitrate, bits per second. */
  bitrate: number;
  /** Frames from one keyframe to the next. */
  gop: number;
}

/** Encodes the frames of `source` into `stream`, paced at their rate, until they end or stopped. */
export async function runRawFile(
  stream: LiveStream,
  source: RawFileSource,
  context: { logger: Logger; clock: Clock },
): Promise<RunningSource> {
  const { bitrate, gop, ...where } = source;
  const { info, frames } = await openRawSource(where);
  const kind = source.container === "y4m" ? "y4m" : "raw";
  const name = source.path === "-" ? "standard input" : source.path;
  const { width, height, fps } = info;
  const encoded = await encodeInto(stream, {
    width,
    height,
    fps,
    bitrate,
    gop,
    logger: context.logger,
    clock: context.clock,
  });
  const abort = new AbortController();
  const ended = playRawFrames(frames(), info, encoded.push, abort.signal, context.clock);
  return {
    description: `${name} (${kind}), ${width}x${height} at ${fps} fps`,
    ended,
    encoder: encoded.stats,
    stop: async () => {
      abort.abort();
      await encoded.close();
    },
  };
}
