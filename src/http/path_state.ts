/**
 * One path's state for the status page, from what its source says of itself (a relay's backoff, an
 * on-demand source's idleness) or, for sources without states of their own (a file, the test
 * pattern, a device pushing, an RTSP publisher), from whether frames flow to its stream.
 *
 * @module
 */

import type { SourceState } from "../server/stream/live_stream.ts";
import type { SourceStateName, SourceStatus } from "../base/source_status.ts";

/** A path's state before its start time is known. */
export type PathState = Omit<SourceStatus, "since"> & { since?: number };

/**
 * The state of a path whose source says `own` (when it has states) and whose stream is in
 * `stream` (undefined: no stream yet, as for a device or publisher path nobody fed yet).
 * `pushed` says whether the path waits for a device or publisher rather than starts by itself.
 */
export function pathState(
  own: SourceStatus | undefined,
  stream: SourceState | undefined,
  pushed: boolean,
  quiet?: { msSinceFrame: number | undefined; fps: number | null },
): PathState {
  // A source that runs while its frames stopped (a camera unplugged): the stream knows.
  if (own && !(own.state === "streaming" && stream?.state === "gone")) return own;
  const reconnects = own?.reconnects ?? 0;
  if (stream?.state === "gone") return { state: "waiting", lastError: stream.reason, reconnects };
  const silentMs = pushed ? silence(quiet) : undefined;
  if (silentMs !== undefined) {
    // A device that posts frame by frame and stops sends no goodbye; its silence says it.
    const seconds = Math.round(silentMs / 100) / 10;
    return { state: "waiting", lastError: `no frame for ${seconds} s`, reconnects };
  }
  if (stream?.state === "live") return { state: "streaming", reconnects };
  const state: SourceStateName = pushed || !stream ? "waiting" : "connecting";
  return { state, reconnects };
}

/**
 * How long a pushed path has been silent, when that is longer than its frames are apart allows: a
 * second, or three frame intervals of a slow device (an ESP32-CAM at 1 fps).
 */
function silence(quiet: { msSinceFrame: number | undefined; fps: number | null } | undefined) {
  if (quiet?.msSinceFrame === undefined) return undefined;
  const interval = quiet.fps && quiet.fps > 0 ? 1000 / quiet.fps : 1000;
  return quiet.msSinceFrame > Math.max(1000, 3 * interval) ? quiet.msSinceFrame : undefined;
}
