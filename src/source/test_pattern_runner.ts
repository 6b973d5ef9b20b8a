/**
 * The test pattern as a source: colour bars with a frame counter and the wall clock, drawn and
 * encoded at a steady rate.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import { encodeInto } from "./encode_to_stream.ts";
import { pace } from "./pacer.ts";
import { NEVER_ENDS, type RunningSource } from "./running_source.ts";
import { TestPattern } from "./test_pattern.ts";

/** Settings of {@link runTestPattern}. */
export interface TestPatternSource {
  /** Picture width. */
  width: number;
  /** Picture height. */
  height: number;
  /** Frames per second. */
  fps: number;
  /** Target bitrate, bits per second. */
  bitrate: number;
  /** Frames from one keyframe to the next. */
  gop: number;
}

/** Draws and encodes the test pattern into `stream` until stopped. */
export async function runTestPattern(
  stream: LiveStream,
  source: TestPatternSource,
  context: { logger: Logger; clock: Clock },
): Promise<RunningSource> {
  const { width, height, fps, bitrate, gop } = source;
  const { clock } = context;
  const pattern = new TestPattern({ width, height });
  const encoded = await encodeInto(stream, {
    width,
    height,
    fps,
    bitrate,
    gop,
    logger: context.logger,
    clock: context.clock,
  });
  const startWall = clock.wallMs();
  const player = pace(fps, (i) => {
    const offsetMs = (i * 1000) / fps;
    encoded.push(pattern.draw(i, startWall + offsetMs, offsetMs * 1000));
  }, clock);
  return {
    description: `test pattern ${width}x${height} at ${fps} fps, ${bitrate / 1e6} Mbit/s`,
    ended: NEVER_ENDS,
    encoder: encoded.stats,
    stop: async () => {
      player.stop();
      await encoded.close();
    },
  };
}
