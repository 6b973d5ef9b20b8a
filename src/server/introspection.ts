/**
 * What the server can say about itself at any moment: every live session and tap, and every path
 * with its traffic counters. Snapshots, made on request from counters the fan-out keeps anyway, so
 * a status page or a metrics scrape costs nothing between requests.
 *
 * @module
 */

import type { ServerCore } from "./core.ts";
import type { SessionRole } from "./hooks.ts";
import type { SourceState } from "./stream/live_stream.ts";

/** One live session, or one tap (an in-process reader) shown as a reader. */
export interface SessionSnapshot {
  /** The session id (the `Session:` header value), or `tap-<n>` for a tap. */
  id: string;
  /** The normalized path read or published, e.g. `/cam`. */
  path: string;
  /** Whether it reads or publishes. */
  role: SessionRole;
  /** The client's `address:port`; for a tap, its sink's label (e.g. `push rtsp://host/cam`). */
  peer: string;
  /** How its media goes: interleaved (`tcp`), `udp`, in process (`tap`); undefined before SETUP. */
  transport: "tcp" | "udp" | "tap" | undefined;
  /** Wall-clock ms it was made. */
  createdAt: number;
  /** RTP bytes sent to it (readers). */
  bytesSent: number;
  /** Frames sent to it (readers). */
  framesSent: number;
  /** Frames not sent to it because it had fallen behind (readers). */
  framesDropped: number;
  /** RTP bytes received from it (publishers). */
  bytesReceived: number;
}

/** Who publishes a path. */
export interface PublisherSnapshot {
  /** The first word of the publisher label: `ingest` (a device) or `rtsp` (a RECORD client). */
  kind: string;
  /** The rest of the label: the publisher's address. */
  peer: string;
  /** Wall-clock ms it claimed the path. */
  since: number;
}

/** One served path. */
export interface PathSnapshot {
  /** The normalized path, e.g. `/cam`. */
  path: string;
  /** The codec of its frames. */
  codec: "h264" | "jpeg";
  /** Picture size and rate, when known. */
  videoInfo: { width?: number; height?: number; framerate?: number };
  /** The audio track, when the source carries one: its codec, rate and channels. */
  audio?: { codec: string; clockRate: number; channels: number; label: string };
  /** Whether a source feeds it. */
  sourceState: SourceState;
  /** Readers attached now (RTSP sessions playing, and taps). */
  readers: number;
  /** Frames accepted from the source. */
  framesIn: number;
  /** RTP payload bytes accepted from the source. */
  bytesIn: number;
  /** Frames sent to readers, over every reader so far. */
  framesOut: number;
  /** RTP bytes sent to readers, over every reader so far. */
  bytesOut: number;
  /** Frames not sent to readers that had fallen behind, over every reader so far. */
  framesDropped: number;
  /** Bytes of the frames kept since the latest keyframe, for readers who join. */
  gopCacheBytes?: number;
  /** Milliseconds since its source's last frame arrived; undefined before the first. */
  msSinceFrame?: number;
  /** Who publishes it, when a device or an RTSP client does now. */
  publisher?: PublisherSnapshot;
}

/** Every live session of `core`, then every open tap. */
export function sessionSnapshots(core: ServerCore): SessionSnapshot[] {
  const out: SessionSnapshot[] = [];
  for (const session of core.sessions.values()) {
    const role = session.role;
    const sent = role.name === "reader" ? role.reader.stats : undefined;
    out.push({
      id: session.id,
      path: session.path,
      role: role.name,
      peer: session.peerLabel,
      transport: role.transport,
      createdAt: session.createdAt,
      bytesSent: sent?.bytesSent ?? 0,
      framesSent: sent?.framesSent ?? 0,
      framesDropped: sent?.framesDropped ?? 0,
      bytesReceived: role.name === "publisher" ? role.bytesReceived : 0,
    });
  }
  for (const tap of core.taps()) {
    const sent = tap.stats;
    out.push({
      id: tap.id,
      path: tap.path,
      role: "reader",
      peer: tap.label,
      transport: "tap",
      createdAt: tap.createdAt,
      bytesSent: sent.bytesSent,
      framesSent: sent.framesSent,
      framesDropped: sent.framesDropped,
      bytesReceived: 0,
    });
  }
  return out;
}

/** Every stream of `core`, in the order they were added. */
export function pathSnapshots(core: ServerCore): PathSnapshot[] {
  const out: PathSnapshot[] = [];
  for (const stream of core.mounts.values()) {
    const stats = stream.stats;
    const holder = core.publishers.holderOf(stream.path);
    const snapshot: PathSnapshot = {
      path: stream.path,
      codec: stream.codec,
      videoInfo: stream.videoInfo,
      sourceState: stream.sourceState,
      readers: stats.readers,
      framesIn: stats.frames,
      bytesIn: stats.bytesIn,
      framesOut: stats.framesOut,
      bytesOut: stats.bytesOut,
      framesDropped: stats.framesDropped,
      gopCacheBytes: stats.gopCacheBytes,
    };
    const quiet = stream.msSinceFrame;
    if (quiet !== undefined) snapshot.msSinceFrame = quiet;
    const audio = stream.audio;
    if (audio) {
      const { codec, clockRate, channels } = audio.format;
      snapshot.audio = { codec, clockRate, channels, label: audio.label };
    }
    if (holder) {
      const space = holder.publisher.indexOf(" ");
      snapshot.publisher = {
        kind: space < 0 ? holder.publisher : holder.publisher.slice(0, space),
        peer: space < 0 ? "" : holder.publisher.slice(space + 1),
        since: holder.since,
      };
    }
    out.push(snapshot);
  }
  return out;
}
