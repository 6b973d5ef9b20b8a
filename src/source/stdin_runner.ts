/**
 * Standard input without a stated format: Y4M is encoded, H.264 Annex B is served as it is (paced
 * at the given rate), anything else is refused. The two are told apart by their first bytes.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import { AccessUnitSplitter } from "../codec/access_unit.ts";
import { readChunks } from "../runtime/files.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import { playPaced } from "./pacer.ts";
import { runRawFile } from "./raw_file_runner.ts";
import type { RunningSource } from "./running_source.ts";
import { sniffStream } from "./sniff.ts";

/** Settings of {@link runStdin}. */
export interface StdinSource {
  /** Frame rate; for Y4M the header's unless given, for H.264 default 30. */
  fps?: number;
  /** Target bitrate for Y4M, bits per second. */
  bitrate: number;
  /** Frames from one keyframe to the next, for Y4M. */
  gop: number;
}

/** Serves standard input into `stream` until it closes or the source is stopped. */
export async function runStdin(
  stream: LiveStream,
  source: StdinSource,
  context: { logger: Logger; clock: Clock },
): Promise<RunningSource> {
  const { kind, chunks } = await sniffStream(readChunks("-"));
  if (kind === "y4m") {
    return await runRawFile(stream, { ...source, path: "-", container: "y4m", chunks }, context);
  }
  if (kind !== "h264") {
    throw new RangeError(
      "standard input is neither Y4M nor H.264 Annex B; for raw frames give --format and --size",
    );
  }
  const fps = source.fps ?? 30;
  const splitter = new AccessUnitSplitter();
  async function* accessUnits() {
    for await (const chunk of chunks) yield* splitter.push(chunk);
    yield* splitter.flush();
  }
  const abort = new AbortController();
  const ended = playPaced(
    accessUnits(),
    fps,
    (au, timestamp) => stream.sendFrame(au.nalUnits, { timestamp }),
    abort.signal,
    context.clock,
  );
  return {
    description: `standard input (h264, ${fps} fps)`,
    ended,
    stop: () => Promise.resolve(abort.abort()),
  };
}
