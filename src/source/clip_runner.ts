/**
 * An H.264 Annex B file as a source: read whole, then served as it is (no re-encoding), looped at
 * its frame rate.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import { readWholeFile } from "../runtime/files.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import { playClip, readAnnexBClip } from "./annexb_file.ts";
import { NEVER_ENDS, type RunningSource } from "./running_source.ts";

/** Settings of {@link runClip}. */
export interface ClipSource {
  /** The file. */
  path: string;
  /** Frame rate; default the SPS timing's, else 30. */
  fps?: number;
}

/** Loops the clip at `source.path` into `stream` until stopped. */
export async function runClip(
  stream: LiveStream,
  source: ClipSource,
  clock: Clock,
): Promise<RunningSource> {
  const clip = readAnnexBClip(await readWholeFile(source.path));
  const fps = source.fps ?? clip.framerate ?? 30;
  stream.setFramerate(fps);
  const player = playClip(clip, fps, (nals, o) => stream.sendFrame(nals, o), clock);
  return {
    description: `${source.path} (${clip.accessUnits.length} frames at ${fps} fps, looped)`,
    ended: NEVER_ENDS,
    stop: () => Promise.resolve(player.stop()),
  };
}
