/**
 * The server's state, without sockets of its own: mount points, connections and sessions, and the
 * one lifecycle point every session's transitions pass (open, play or record, pause, end with its
 * reason), which keeps the tables, writes the log line and calls the program's hooks. Media in is
 * routed by `media_in.ts`, the periodic reaping done by `housekeeping.ts`; `server.ts` gives the
 * core a network and makes its connections, and tests drive it directly.
 *
 * @module
 */

import { ConnectionCounter } from "../base/connection_limits.ts";
import { AccessGate } from "../auth/gate.ts";
import type { Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import { RtspError } from "../rtsp/status.ts";
import type { NetAddress } from "../runtime/net.ts";
import type {
  ClientContext,
  InterleavedVerdict,
  ServedConnection,
  ServerContext,
} from "./context.ts";
import { HookRunner } from "./hook_runner.ts";
import type { SessionEndReason, SessionInfo } from "./hooks.ts";
import { housekeep } from "./housekeeping.ts";
import { interleavedIn, rtcpDatagramIn, rtpDatagramIn } from "./media_in.ts";
import { MountPoints } from "./mount_points.ts";
import type { ResolvedOptions } from "./options.ts";
import type { PublisherRegistry } from "./publishers.ts";
import { addCounters, type SessionCounters } from "./session/role.ts";
import type { Session } from "./session/session.ts";
import { SessionTable } from "./session/session_table.ts";
import { randomUint32 } from "./session/session_id.ts";
import type { Stream, StreamOptions } from "./stream/stream.ts";
import { StreamTap, type TapSink } from "./tap.ts";
import type { UdpPair } from "./stream/transport.ts";

/** Server-wide counters. */
export interface ServerStats {
  /** Open RTSP connections. */
  connections: number;
  /** Live sessions. */
  sessions: number;
  /** Connections refused at a cap. */
  refusedConnections: number;
  /** Sessions ended by timeout. */
  timedOutSessions: number;
  /** Connections closed for not reading their data. */
  stalledConnections: number;
  /** Connections closed for sending a request too slowly. */
  slowRequests: number;
  /** Malformed RTCP packets received. */
  badRtcp: number;
  /** Frames not sent to a reader that had fallen behind, over all sessions so far. */
  framesDropped: number;
  /** Requests denied by access control (401 with wrong or no credentials after a challenge, 403). */
  authFailures: number;
  /** Publishers' RTP packets dropped as malformed or of another payload type (HARDENING item 16). */
  badRtp: number;
  /** Publishers' access units dropped: lost packets, bad H.264 payload, over the size cap. */
  droppedAccessUnits: number;
  /** UDP datagrams on the RTP port from no publisher's address and port: dropped. */
  strayDatagrams: number;
}

/** The counters the core keeps itself (the rest are summed over sessions). */
export type CoreCounters = Omit<ServerStats, "connections" | "sessions" | keyof SessionCounters>;

/** Mount points, connections and sessions of one server. */
export class ServerCore implements ServerContext {
  /** The `serve()` options, defaults filled in. */
  readonly options: ResolvedOptions;
  /** Monotonic and wall clocks. */
  readonly clock: Clock;
  /** Where log lines go. */
  logger: Logger;
  /** The streams, by path, and who publishes them. */
  readonly mountPoints: MountPoints;
  /** Every live session. */
  readonly sessions: SessionTable;
  /** Shared UDP RTP/RTCP sockets, once bound. */
  udp: UdpPair | undefined;
  /** The RTCP CNAME of this server (RFC 3550 §6.5.1). */
  readonly cname: string;
  /** Access control, when `access` was given; undefined: everything open. */
  readonly access: AccessGate | undefined;
  /** The program's lifecycle hooks. */
  readonly hooks: HookRunner;
  /** Counters kept by the core, media in and housekeeping. */
  readonly counters: CoreCounters = {
    refusedConnections: 0,
    timedOutSessions: 0,
    stalledConnections: 0,
    slowRequests: 0,
    badRtcp: 0,
    strayDatagrams: 0,
    authFailures: 0,
  };
  readonly #connections = new Map<number, ServedConnection>();
  readonly #taps = new Set<StreamTap>();
  readonly #limits: ConnectionCounter;
  // Connections on which a session has played or recorded: their late interleaved data is no
  // protocol violation (HARDENING item 15 is about data before any PLAY or RECORD).
  readonly #hadMedia = new WeakSet<ClientContext>();
  #nextConnectionId = 1;
  #nextTapId = 1;
  // What ended sessions counted, so the totals do not drop when a session goes.
  readonly #ended: SessionCounters = { framesDropped: 0, badRtp: 0, droppedAccessUnits: 0 };

  /** A core with these settings. */
  constructor(options: ResolvedOptions, clock: Clock, logger: Logger) {
    this.options = options;
    this.clock = clock;
    this.logger = logger;
    this.sessions = new SessionTable(options);
    this.#limits = new ConnectionCounter(options); // one policy with the ingest port's
    this.cname = `rtsp-edge-${randomUint32().toString(16)}`;
    this.access = options.access && new AccessGate(options.access, () => clock.now());
    this.hooks = new HookRunner(options.hooks, () => this.logger);
    const currentLogger = () => this.logger;
    const streams = {
      clock,
      get logger() {
        return currentLogger(); // the logger of the moment, as for the core's own lines
      },
      maxPayloadSize: options.maxPayloadSize,
    };
    this.mountPoints = new MountPoints(streams, (stream) => {
      for (const session of [...this.sessions.values()]) {
        if (session.stream === stream) this.endSession(session, "stream removed");
      }
      for (const tap of [...this.#taps]) {
        if (tap.stream === stream) tap.end("stream removed");
      }
    });
  }

  /** Streams by normalized path. */
  get mounts(): Map<string, Stream> {
    return this.mountPoints.streams;
  }

  /** Who publishes which path (ingest devices, RTSP RECORD clients). */
  get publishers(): PublisherRegistry {
    return this.mountPoints.publishers;
  }

  /** Counters: the core's own, and the sessions' (live ones and ended ones) summed. */
  get stats(): ServerStats {
    const sessions = { ...this.#ended };
    for (const session of this.sessions.values()) addCounters(sessions, session.role.counters);
    return {
      ...this.counters,
      ...sessions,
      connections: this.#connections.size,
      sessions: this.sessions.size,
    };
  }

  /** Every open connection. */
  connections(): IterableIterator<ServedConnection> {
    return this.#connections.values();
  }

  /**
   * Takes a new connection from `remote`, made by `make` with its id; or refuses it at the caps
   * (then undefined: the caller closes the socket).
   */
  accept<C extends ServedConnection>(remote: NetAddress, make: (id: number) => C): C | undefined {
    const ip = remote.hostname;
    const refusal = this.#limits.admit(ip);
    if (refusal) {
      this.counters.refusedConnections++;
      this.logger.log("warn", "connection refused: limit reached", { peer: ip, reason: refusal });
      return undefined;
    }
    const conn = make(this.#nextConnectionId++);
    this.#connections.set(conn.id, conn);
    this.hooks.notify("onConnectionOpen", connectionInfo(conn));
    return conn;
  }

  /** Forgets a connection and ends the sessions bound to it. */
  connectionClosed(client: ClientContext): void {
    if (!this.#connections.delete(client.id)) return;
    this.#limits.release(client.remote.hostname);
    for (const session of [...client.sessions]) {
      // Interleaved media dies with its connection, and so does a publisher (ffmpeg and GStreamer
      // keep the connection open while they publish; a path must not stay claimed by one that is
      // gone). UDP readers live on until TEARDOWN or their timeout (RFC 2326 §3).
      if (session.role.boundToConnection) this.endSession(session, "connection closed");
    }
    this.hooks.notify("onConnectionClose", connectionInfo(client));
  }

  /** Adds a stream at `path`; throws `RangeError` when the path is malformed or taken. */
  addStream(path: string, options: StreamOptions): Stream {
    return this.mountPoints.add(path, options);
  }

  /**
   * Opens a tap on the stream at the normalized `path` (see `tap.ts`); throws when none is served
   * there.
   */
  tap(path: string, sink: TapSink): StreamTap {
    const stream = this.mounts.get(path);
    if (!stream) throw new Error(`no stream is served at ${path}`);
    const currentLogger = () => this.logger;
    const tap = new StreamTap(stream, sink, {
      clock: this.clock,
      get logger() {
        return currentLogger();
      },
      limits: { maxBytes: this.options.maxQueueBytes, maxFrames: this.options.maxQueueFrames },
      id: `tap-${this.#nextTapId++}`,
      forget: (tap) => {
        if (this.#taps.delete(tap)) this.logger.log("info", "tap closed", { path });
      },
    });
    if (!tap.closed) {
      this.#taps.add(tap);
      this.logger.log("info", "tap opened", { path });
    }
    return tap;
  }

  /** Every open tap. */
  taps(): IterableIterator<StreamTap> {
    return this.#taps.values();
  }

  /**
   * Ends the session or tap with this id, as if it had timed out: a session bound to its
   * connection takes the connection along, so the client sees it end instead of waiting on a
   * silent socket. Returns whether there was one.
   */
  kick(id: string): boolean {
    const session = this.sessions.get(id);
    if (session) {
      this.endSession(session, "kicked");
      if (session.role.boundToConnection) this.#connections.get(session.connectionId)?.close();
      return true;
    }
    for (const tap of this.#taps) {
      if (tap.id !== id) continue;
      tap.end("kicked");
      return true;
    }
    return false;
  }

  /** Ends every open tap, telling each sink `reason`. */
  endTaps(reason: string): void {
    for (const tap of [...this.#taps]) tap.end(reason);
  }

  /** Removes the stream at `path`, ending its sessions. Returns whether there was one. */
  removeStream(path: string): boolean {
    return this.mountPoints.remove(path);
  }

  sdpSessionId(stream: Stream): string {
    return this.mountPoints.sdpSessionId(stream);
  }

  /**
   * Same IP; and for a session bound to its connection (interleaved, or a publisher), the same
   * connection (HARDENING item 13).
   */
  mayUse(client: ClientContext, session: Session): boolean {
    if (session.peer.hostname !== client.remote.hostname) return false;
    return !session.role.boundToConnection || session.connectionId === client.id;
  }

  async describe(client: ClientContext, path: string): Promise<Stream> {
    const outcome = await this.hooks.describe(
      { connection: client.id, path, peer: client.peerLabel },
      this.options.describeTimeout * 1000,
    );
    if (outcome.kind === "timed-out") {
      throw new RtspError(503, "Service Unavailable (the stream did not come up in time)");
    }
    if (outcome.kind === "refused") throw new RtspError(outcome.status);
    const stream = this.mounts.get(path);
    if (outcome.answer !== undefined && outcome.answer !== stream) {
      this.logger.log("warn", "onDescribe returned a stream that is not served at the path", {
        path,
      });
    }
    if (!stream) throw new RtspError(404);
    return stream;
  }

  openSession(session: Session): void {
    session.createdAt = this.clock.wallMs();
    this.sessions.add(session);
    this.#connections.get(session.connectionId)?.sessions.add(session);
    this.logger.log("info", "session set up", {
      connection: session.connectionId,
      peer: session.peerLabel,
      session: session.id,
      role: session.role.name,
      path: session.path,
      transport: session.role.transport,
    });
    this.hooks.notify("onSessionOpen", sessionInfo(session));
  }

  startSession(session: Session): void {
    if (session.active || !this.sessions.has(session)) return;
    session.start();
    const conn = this.#connections.get(session.connectionId);
    if (conn) this.#hadMedia.add(conn);
    session.role.report(this.clock.now(), this.clock.wallMs(), this.cname); // the first one
    this.hooks.notify(session.role.name === "reader" ? "onPlay" : "onRecord", sessionInfo(session));
  }

  pauseSession(session: Session): void {
    if (!session.active || !this.sessions.has(session)) return;
    session.pause();
    this.hooks.notify("onPause", sessionInfo(session));
  }

  endSession(session: Session, reason: SessionEndReason): void {
    if (!this.sessions.delete(session)) return;
    const conn = this.#connections.get(session.connectionId);
    if (conn) {
      conn.sessions.delete(session);
      conn.releaseChannels(session.role.interleavedChannels);
    }
    session.close(this.clock.now());
    addCounters(this.#ended, session.role.counters);
    this.logger.log("info", "session ended", {
      session: session.id,
      role: session.role.name,
      path: session.path,
      reason,
      ...session.role.summary(),
    });
    this.hooks.notify("onSessionClose", { ...sessionInfo(session), reason });
  }

  interleavedData(client: ClientContext, channel: number, payload: Uint8Array): InterleavedVerdict {
    if (interleavedIn(this, client.sessions, channel, payload)) return "taken";
    return this.#hadMedia.has(client) ? "late" : "unexpected";
  }

  /** A datagram on the shared RTCP port. */
  rtcpDatagram(data: Uint8Array, from: NetAddress): void {
    rtcpDatagramIn(this, data, from);
  }

  /** A datagram on the shared RTP port. */
  rtpDatagram(data: Uint8Array, from: NetAddress): void {
    rtpDatagramIn(this, data, from);
  }

  /** Housekeeping, once a second (see `housekeeping.ts`). */
  tick(): void {
    housekeep(this);
  }

  /** Ends every session and connection. */
  closeAll(): void {
    for (const session of [...this.sessions.values()]) this.endSession(session, "server closing");
    for (const conn of [...this.#connections.values()]) conn.close();
  }
}

function connectionInfo(client: ClientContext) {
  return { id: client.id, peer: client.peerLabel, secure: client.secure };
}

function sessionInfo(session: Session): SessionInfo {
  return {
    id: session.id,
    connection: session.connectionId,
    path: session.path,
    peer: session.peerLabel,
    transport: session.role.transport,
    role: session.role.name,
  };
}
