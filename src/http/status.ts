/**
 * The status board: every configured or served path with its source's state, picture, measured
 * rates, readers, publisher and pushes, and every session, in the JSON shapes the API and the
 * console use (after mediamtx's `/v3/paths/list`: names without the leading slash, ISO times).
 * It samples the streams' counters once a second for the rates; everything else is read when
 * asked.
 *
 * @module
 */

import { after, type Clock, systemClock } from "../base/clock.ts";
import type { RecentLog } from "../base/recent_log.ts";
import type { PathSnapshot, SessionSnapshot } from "../server/introspection.ts";
import type { ServerStats } from "../server/core.ts";
import type { EncoderCounts, SourceStateName, SourceStatus } from "../base/source_status.ts";
import { pathState } from "./path_state.ts";
import { RateMeter } from "./rates.ts";

/** What feeds a path, as the status page names it. */
export type SourceType =
  | "test-pattern"
  | "camera"
  | "file"
  | "stdin"
  | "ingest"
  | "publisher"
  | "rtsp"
  | "http"
  | "program";

/** One reader of a path: an RTSP session, or a tap (a push, a preview). */
export interface ReaderStatus {
  /** Session id, or `tap-<n>`. */
  id: string;
  /** `address:port`, or the tap's label. */
  peer: string;
  /** How its media goes. */
  transport: "tcp" | "udp" | "tap";
  /** When it came, ISO 8601. */
  since: string;
  /** Frames it missed by falling behind. */
  framesDropped: number;
  /** RTP bytes sent to it. */
  bytesSent: number;
}

/** One push target of a path. */
export interface PushStatus {
  /** The target, without credentials. */
  url: string;
  /** `waiting` (for the path), `connecting`, `streaming`, `backing-off` or `stopped`. */
  state: SourceStateName;
  /** Why the last attempt failed, while backing off. */
  lastError?: string;
}

/** One path, as `GET /api/paths` lists it. */
export interface PathStatus {
  /** The path without its leading slash, e.g. `cam`. */
  name: string;
  /** What feeds it, and a line on it (no password). */
  source: { type: SourceType; detail: string };
  /** What its source is doing. */
  state: SourceStateName;
  /** When that began, ISO 8601, when known. */
  stateSince?: string;
  /** The last failure. */
  lastError?: string;
  /** The next attempt, ISO 8601, while backing off. */
  retryAt?: string;
  /** Attempts after a failure or a loss. */
  reconnects: number;
  /** Whether its source runs only while someone reads. */
  onDemand: boolean;
  /** Whether frames flow (a reader gets pictures now). */
  ready: boolean;
  /** The codec served; null while there is no stream. */
  codec: "h264" | "jpeg" | null;
  /** The audio carried beside the video, e.g. `AAC 48000 Hz stereo`; null without audio. */
  audio: string | null;
  /** Picture width, when known. */
  width: number | null;
  /** Picture height, when known. */
  height: number | null;
  /** Frames in per second over the last ~5 s; null until measured. */
  fps: number | null;
  /** Bits in per second over the last ~5 s; null until measured. */
  bitrate: number | null;
  /** Frames in so far. */
  framesIn: number;
  /** Payload bytes in so far. */
  bytesIn: number;
  /** RTP bytes out to every reader so far. */
  bytesOut: number;
  /** Frames readers missed by falling behind. */
  framesDropped: number;
  /** Who reads it now. */
  readers: ReaderStatus[];
  /** Who publishes it now, for a device or RTSP publisher path. */
  publisher: { type: "ingest" | "rtsp"; peer: string; since: string } | null;
  /** Where it is pushed. */
  pushes: PushStatus[];
}

/** One session, as `GET /api/sessions` lists it. */
export interface SessionStatus {
  /** Session id, or `tap-<n>`. */
  id: string;
  /** The path without its leading slash. */
  path: string;
  /** Whether it reads or publishes. */
  role: "reader" | "publisher";
  /** `address:port`, or the tap's label. */
  peer: string;
  /** How its media goes; null before its first SETUP. */
  transport: "tcp" | "udp" | "tap" | null;
  /** When it was made, ISO 8601. */
  created: string;
  /** RTP bytes sent to it. */
  bytesSent: number;
  /** RTP bytes received from it. */
  bytesReceived: number;
  /** Frames it missed by falling behind. */
  framesDropped: number;
}

/** A configured path, as the board is told of it. */
export interface ConfiguredPath {
  /** The path, e.g. `/cam`. */
  path: string;
  /** What feeds it. */
  type: SourceType;
  /** One line on the source, without passwords. */
  detail: string;
  /** Whether it runs only while read. */
  onDemand?: boolean;
  /** Its running source: its states, and its encoder's counters when it encodes. */
  source?: { readonly status?: SourceStatus; readonly encoder?: EncoderCounts };
}

/** What the board reads of the server: `RtspServer` has it. */
export interface StatusServer {
  /** Every served path. */
  paths(): PathSnapshot[];
  /** Every session and tap. */
  sessions(): SessionSnapshot[];
  /** Ends a session or tap. */
  kick(id: string): boolean;
  /** Server-wide counters. */
  readonly stats: ServerStats;
}

/** What the board reads of a push: `Pusher` has it. */
export interface PushView {
  /** The path pushed. */
  readonly path: string;
  /** The target without credentials. */
  readonly target: string;
  /** What it is doing (a `PushState`). */
  readonly state: { readonly state: string; readonly error?: string };
}

/** Settings of a {@link StatusBoard}. */
export interface StatusBoardOptions {
  /** The RTSP server. */
  server: StatusServer;
  /** The configured paths, in the configuration's order. */
  paths: readonly ConfiguredPath[];
  /**
   * What feeds paths not named in the configuration (the `all_others` rule); default: by their
   * publisher, else `program` (a stream the program added).
   */
  otherPaths?: { type: SourceType; detail: string };
  /** The pushers. */
  pushers?: readonly PushView[];
  /** Times the rate samples. Default: the system clock. */
  clock?: Clock;
  /** The latest log lines, for `GET /api/logs`. */
  log?: RecentLog;
}

const SAMPLE_MS = 1000;

/** The status of every path and session of a running server. */
export class StatusBoard {
  /** The server it reports on (the metrics read its counters). */
  readonly server: StatusServer;
  /** The latest log lines, when it was given them. */
  readonly log: RecentLog | undefined;
  readonly #options: StatusBoardOptions;
  readonly #clock: Clock;
  readonly #meters = new Map<string, RateMeter>();
  // States derived here (not told by a source) and the wall-clock ms they began.
  readonly #seen = new Map<string, { state: string; since: number }>();
  #cancel: (() => void) | undefined;

  /** Starts sampling at once; {@link StatusBoard.close} stops it. */
  constructor(options: StatusBoardOptions) {
    this.server = options.server;
    this.log = options.log;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#tick();
  }

  /** Every configured path, then every other served path by name. */
  paths(): PathStatus[] {
    const served = new Map(this.server.paths().map((p) => [p.path, p]));
    const sessions = this.server.sessions();
    const out: PathStatus[] = [];
    const listed = new Set<string>();
    for (const entry of this.#options.paths) {
      listed.add(entry.path);
      out.push(this.#status(entry, served.get(entry.path), sessions));
    }
    const others = [...served.values()].filter((p) => !listed.has(p.path));
    others.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    for (const snap of others) out.push(this.#status(this.#otherEntry(snap), snap, sessions));
    return out;
  }

  /** One path by name (`cam` or `/cam`), if configured or served. */
  path(name: string): PathStatus | undefined {
    const key = name.startsWith("/") ? name.slice(1) : name;
    return this.paths().find((p) => p.name === key);
  }

  /** Every session and tap. */
  sessions(): SessionStatus[] {
    return this.server.sessions().map((s) => ({
      id: s.id,
      path: nameOf(s.path),
      role: s.role,
      peer: s.peer,
      transport: s.transport ?? null,
      created: iso(s.createdAt),
      bytesSent: s.bytesSent,
      bytesReceived: s.bytesReceived,
      framesDropped: s.framesDropped,
    }));
  }

  /** The encoder counters of the paths whose sources encode, by path name (`cam`). */
  encoders(): { name: string; encoder: EncoderCounts }[] {
    const out: { name: string; encoder: EncoderCounts }[] = [];
    for (const entry of this.#options.paths) {
      const encoder = entry.source?.encoder;
      if (encoder) out.push({ name: nameOf(entry.path), encoder });
    }
    return out;
  }

  /** Ends a session or tap; whether there was one. */
  kick(id: string): boolean {
    return this.server.kick(id);
  }

  /** Stops sampling. */
  close(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #tick(): void {
    const at = this.#clock.now();
    const alive = new Set<string>();
    for (const p of this.server.paths()) {
      alive.add(p.path);
      let meter = this.#meters.get(p.path);
      if (!meter) this.#meters.set(p.path, meter = new RateMeter());
      meter.sample(at, p.framesIn, p.bytesIn);
    }
    for (const path of this.#meters.keys()) if (!alive.has(path)) this.#meters.delete(path);
    this.#cancel = after(this.#clock, SAMPLE_MS, () => this.#tick());
  }

  #otherEntry(snap: PathSnapshot): ConfiguredPath {
    const other = this.#options.otherPaths;
    if (snap.publisher) {
      const ingest = snap.publisher.kind === "ingest";
      return {
        path: snap.path,
        type: ingest ? "ingest" : "publisher",
        detail: other?.detail ?? (ingest ? "pushed by a device" : "published over RTSP"),
      };
    }
    return { path: snap.path, type: other?.type ?? "program", detail: other?.detail ?? "" };
  }

  #status(
    entry: ConfiguredPath,
    snap: PathSnapshot | undefined,
    sessions: readonly SessionSnapshot[],
  ): PathStatus {
    const pushed = entry.type === "ingest" || entry.type === "publisher";
    const rates = snap
      ? this.#meters.get(snap.path)?.rates(this.#clock.now(), snap.framesIn, snap.bytesIn)
      : undefined;
    const state = pathState(entry.source?.status, snap?.sourceState, pushed, {
      msSinceFrame: snap?.msSinceFrame,
      fps: rates?.fps ?? null,
    });
    let since = state.since;
    if (since === undefined) {
      const key = `${state.state} ${state.lastError ?? ""}`;
      const seen = this.#seen.get(entry.path);
      if (seen?.state === key) since = seen.since;
      else this.#seen.set(entry.path, { state: key, since: since = this.#clock.wallMs() });
    }
    const status: PathStatus = {
      name: nameOf(entry.path),
      source: { type: entry.type, detail: entry.detail },
      state: state.state,
      stateSince: iso(since),
      reconnects: state.reconnects,
      onDemand: entry.onDemand ?? false,
      ready: state.state === "streaming",
      codec: snap?.codec ?? null,
      audio: snap?.audio?.label ?? null,
      width: snap?.videoInfo.width ?? null,
      height: snap?.videoInfo.height ?? null,
      fps: rates?.fps ?? null,
      bitrate: rates?.bitrate ?? null,
      framesIn: snap?.framesIn ?? 0,
      bytesIn: snap?.bytesIn ?? 0,
      bytesOut: snap?.bytesOut ?? 0,
      framesDropped: snap?.framesDropped ?? 0,
      readers: readersOf(entry.path, sessions),
      // A device between its posts still publishes; one gone silent no longer does.
      publisher: snap?.publisher && !(state.state === "waiting" && state.lastError)
        ? {
          type: snap.publisher.kind === "ingest" ? "ingest" : "rtsp",
          peer: snap.publisher.peer,
          since: iso(snap.publisher.since),
        }
        : null,
      pushes: (this.#options.pushers ?? []).filter((p) => p.path === entry.path).map(pushStatus),
    };
    if (state.lastError !== undefined) status.lastError = state.lastError;
    if (state.retryAt !== undefined) status.retryAt = iso(state.retryAt);
    return status;
  }
}

function readersOf(path: string, sessions: readonly SessionSnapshot[]): ReaderStatus[] {
  const out: ReaderStatus[] = [];
  for (const s of sessions) {
    if (s.path !== path || s.role !== "reader") continue;
    out.push({
      id: s.id,
      peer: s.peer,
      transport: s.transport ?? "tcp",
      since: iso(s.createdAt),
      framesDropped: s.framesDropped,
      bytesSent: s.bytesSent,
    });
  }
  return out;
}

function pushStatus(pusher: PushView): PushStatus {
  const s = pusher.state;
  switch (s.state) {
    case "waiting for the path":
      return { url: pusher.target, state: "waiting" };
    case "pushing":
      return { url: pusher.target, state: "streaming" };
    case "waiting":
      return { url: pusher.target, state: "backing-off", lastError: s.error };
    case "connecting":
      return { url: pusher.target, state: "connecting" };
    default:
      return { url: pusher.target, state: "stopped" };
  }
}

/** `/cam` → `cam`, as mediamtx names paths. */
function nameOf(path: string): string {
  return path.startsWith("/") ? path.slice(1) : path;
}

function iso(wallMs: number): string {
  return new Date(wallMs).toISOString();
}
