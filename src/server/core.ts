/**
 * The server's state and housekeeping, without sockets of its own: mount points, sessions,
 * connections, RTCP in and out, publishers' RTP in, and the periodic tick that reaps timed-out
 * sessions, stalled readers and slow request senders. `server.ts` gives it a network; tests drive
 * it directly.
 *
 * @module
 */

import { AccessGate } from "../auth/gate.ts";
import { parseRtcpCompound } from "../rtcp/parse.ts";
import type { NetAddress, TcpConnection } from "../runtime/net.ts";
import type { Clock } from "../base/clock.ts";
import { RtspConnection } from "./client/connection.ts";
import { type LogFields, type Logger, throttledLog } from "../base/log.ts";
import type { ResolvedOptions } from "./options.ts";
import type { RecordSession, RecordTrack } from "./session/record_session.ts";
import type { AnySession, Session } from "./session/session.ts";
import { randomUint32 } from "./session_id.ts";
import { SessionTable } from "./session/session_table.ts";
import { Stream, type StreamOptions } from "./stream.ts";
import { normalizePath } from "./mounts.ts";
import { PublisherRegistry } from "./publishers.ts";
import type { UdpPair } from "./transport.ts";

/** Milliseconds between RTCP sender reports to a reader (RFC 3550 §6.2 minimum interval). */
export const SENDER_REPORT_INTERVAL_MS = 5000;

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
  /** Publishers' RTP packets dropped as malformed or of another payload type (HARDENING item 16). */
  badRtp: number;
  /** Publishers' access units dropped: lost packets, bad H.264 payload, over the size cap. */
  droppedAccessUnits: number;
  /** UDP datagrams on the RTP port from no publisher's address and port: dropped. */
  strayDatagrams: number;
}

/** Mount points, sessions and connections of one server. */
export class ServerCore {
  /** Settings. */
  readonly options: ResolvedOptions;
  /** Clocks. */
  readonly clock: Clock;
  /** Log sink. */
  readonly logger: Logger;
  /** Streams by normalized path. */
  readonly mounts: Map<string, Stream> = new Map();
  /** Sessions. */
  readonly sessions: SessionTable;
  /** Shared UDP RTP/RTCP sockets, once bound. */
  udp: UdpPair | undefined;
  /** The RTCP CNAME of this server (RFC 3550 §6.5.1). */
  readonly cname: string;
  /** Access control, when `access` was given; undefined: everything open. */
  readonly access: AccessGate | undefined;
  #connections = new Map<number, RtspConnection>();
  #connectionsPerIp = new Map<string, number>();
  #nextConnectionId = 1;
  #sdpSessionIds = new WeakMap<Stream, string>();
  #stats = {
    refusedConnections: 0,
    timedOutSessions: 0,
    stalledConnections: 0,
    slowRequests: 0,
    badRtcp: 0,
    droppedByEndedSessions: 0,
    badRtpOfEndedSessions: 0,
    droppedAccessUnitsOfEndedSessions: 0,
    strayDatagrams: 0,
  };

  /** A core with these settings. */
  constructor(options: ResolvedOptions, clock: Clock, logger: Logger) {
    this.options = options;
    this.clock = clock;
    this.logger = logger;
    this.sessions = new SessionTable(options);
    this.cname = `rtsp-edge-${randomUint32().toString(16)}`;
    this.access = options.access && new AccessGate(options.access, () => clock.now());
  }

  /** Counters. */
  get stats(): ServerStats {
    const {
      droppedByEndedSessions,
      badRtpOfEndedSessions,
      droppedAccessUnitsOfEndedSessions,
      ...counters
    } = this.#stats;
    let framesDropped = droppedByEndedSessions;
    let badRtp = badRtpOfEndedSessions;
    let droppedAccessUnits = droppedAccessUnitsOfEndedSessions;
    for (const session of this.sessions.values()) {
      if (session.kind === "play") {
        framesDropped += session.reader.stats.framesDropped;
      } else {
        badRtp += session.ingestStats.badPackets;
        droppedAccessUnits += session.ingestStats.droppedAccessUnits;
      }
    }
    return {
      ...counters,
      framesDropped,
      badRtp,
      droppedAccessUnits,
      connections: this.#connections.size,
      sessions: this.sessions.size,
    };
  }

  /** Takes a new TCP connection, or refuses it at the caps (then it is closed at once). */
  accept(tcp: TcpConnection): RtspConnection | undefined {
    const ip = tcp.remote.hostname;
    const fromIp = this.#connectionsPerIp.get(ip) ?? 0;
    if (
      this.#connections.size >= this.options.maxConnections ||
      fromIp >= this.options.maxConnectionsPerIp
    ) {
      this.#stats.refusedConnections++;
      this.logger.log("warn", "connection refused: limit reached", { peer: ip });
      return undefined;
    }
    const conn = new RtspConnection(this, tcp, this.#nextConnectionId++);
    this.#connections.set(conn.id, conn);
    this.#connectionsPerIp.set(ip, fromIp + 1);
    return conn;
  }

  /** Forgets a connection and ends the sessions that cannot outlive it. */
  connectionClosed(conn: RtspConnection): void {
    if (!this.#connections.delete(conn.id)) return;
    const ip = conn.tcp.remote.hostname;
    const left = (this.#connectionsPerIp.get(ip) ?? 1) - 1;
    if (left > 0) this.#connectionsPerIp.set(ip, left);
    else this.#connectionsPerIp.delete(ip);
    for (const session of [...conn.sessions]) {
      // Interleaved media dies with its connection. UDP readers live on until TEARDOWN or their
      // timeout (RFC 2326 §3: a session is not tied to a connection). A publisher gives its path
      // up with its connection whatever the transport: ffmpeg and GStreamer keep it open while
      // they publish, and a path must not stay claimed by a publisher that is gone.
      if (session.interleaved || session.kind === "record") {
        this.endSession(session, "connection closed");
      }
    }
  }

  /** Adds a stream at `path`; throws when the path is malformed or taken. */
  /** Who publishes which path (ingest devices, RTSP RECORD clients). */
  readonly publishers: PublisherRegistry = new PublisherRegistry({
    get: (path) => this.mounts.get(path),
    add: (path, options) => this.addStream(path, options),
    remove: (path) => void this.removeStream(path),
  });

  addStream(path: string, options: StreamOptions): Stream {
    const key = normalizePath(path);
    if (this.mounts.has(key)) throw new RangeError(`a stream is already served at ${key}`);
    const stream = new Stream(key, options, {
      clock: this.clock,
      logger: this.logger,
      maxPayloadSize: this.options.maxPayloadSize,
    });
    this.mounts.set(key, stream);
    return stream;
  }

  /** Removes the stream at `path`, ending its sessions. Returns whether there was one. */
  removeStream(path: string): boolean {
    const key = normalizePath(path);
    const stream = this.mounts.get(key);
    if (!stream) return false;
    this.mounts.delete(key);
    for (const session of [...this.sessions.values()]) {
      if (session.stream === stream) this.endSession(session, "stream removed");
    }
    stream.close();
    return true;
  }

  /** A stable SDP session id for a stream (RFC 4566 §5.2: o= sess-id). */
  sdpSessionId(stream: Stream): string {
    let id = this.#sdpSessionIds.get(stream);
    if (!id) {
      id = String(randomUint32());
      this.#sdpSessionIds.set(stream, id);
    }
    return id;
  }

  /**
   * Whether `conn` may act on `session`: same IP; for interleaved readers and every publisher, the
   * same connection.
   */
  mayUse(conn: RtspConnection, session: AnySession): boolean {
    if (session.peer.hostname !== conn.tcp.remote.hostname) return false;
    const bound = session.interleaved || session.kind === "record";
    return !bound || session.connectionId === conn.id;
  }

  /** Registers a session made on `conn` (by SETUP for a reader, by ANNOUNCE for a publisher). */
  addSession(session: AnySession, conn: RtspConnection): void {
    this.sessions.add(session);
    conn.sessions.add(session);
    this.logger.log("info", session.kind === "play" ? "session set up" : "publisher announced", {
      connection: conn.id,
      peer: conn.peerLabel,
      session: session.id,
      path: session.stream.path,
      transport: session.kind === "play" ? session.reader.transport.kind : undefined,
    });
  }

  /** Starts a session's media right after its PLAY reply, with a first sender report. */
  startPlaying(session: Session): void {
    session.play();
    this.#sendReport(session, this.clock.now());
  }

  /** Ends a session: stops its media (a publisher's path is released) and forgets it. */
  endSession(session: AnySession, reason: string): void {
    if (!this.sessions.delete(session)) return;
    const conn = this.#connections.get(session.connectionId);
    if (conn) {
      conn.sessions.delete(session);
      conn.releaseChannels(session.interleavedChannels);
    }
    if (session.kind === "record") return this.#endPublisher(session, reason);
    session.close();
    const s = session.reader.stats;
    this.#stats.droppedByEndedSessions += s.framesDropped;
    this.logger.log("info", "session ended", {
      session: session.id,
      path: session.stream.path,
      reason,
      framesSent: s.framesSent,
      framesDropped: s.framesDropped,
    });
  }

  /**
   * Interleaved data from a client. RTCP on a session's channel counts as a sign of life; RTP from a
   * reader is dropped; RTP from a recording publisher becomes frames. Returns false when no session
   * on the connection has ever played or recorded (HARDENING item 15: the caller closes). A paused
   * session still hears RTCP: GStreamer keeps sending receiver reports between its PAUSE and its
   * TEARDOWN.
   */
  interleavedData(conn: RtspConnection, channel: number, payload: Uint8Array): boolean {
    let started = false;
    for (const session of conn.sessions) {
      if (!session.started) continue;
      started = true;
      if (session.kind === "record") {
        const hit = session.onChannel(channel);
        if (hit) this.#publisherData(session, hit.track, hit.rtcp, payload);
      } else if (session.interleaved && session.interleavedChannels[1] === channel) {
        this.#rtcpFrom(session, payload);
      }
    }
    return started;
  }

  /** A datagram on the shared RTCP port: receiver reports keep UDP sessions alive (INTEROP.md). */
  rtcpDatagram(data: Uint8Array, from: NetAddress): void {
    const session = this.sessions.byUdpPeer(from.hostname, from.port);
    if (session) this.#rtcpFrom(session, data);
  }

  /**
   * A datagram on the shared RTP port. Only a publisher's RTP, sent from the address and RTP port
   * its SETUP named, is taken; anything else is dropped (HARDENING.md: nobody else can inject media
   * into a path). Readers' NAT punch packets (ffmpeg) land here too and are ignored.
   */
  rtpDatagram(data: Uint8Array, from: NetAddress): void {
    const session = this.sessions.byUdpPeer(from.hostname, from.port);
    if (session?.kind === "play") return;
    const hit = session?.onPort(from.port);
    if (!session || !hit || hit.rtcp) {
      this.#stats.strayDatagrams++;
      return;
    }
    this.#publisherData(session, hit.track, false, data);
  }

  /**
   * Housekeeping, once a second: session timeouts (RFC 2326 §12.37), sender reports, readers that
   * stopped reading (write stall), requests sent too slowly, idle connections.
   */
  tick(): void {
    const now = this.clock.now();
    const timeoutMs = this.options.sessionTimeout * 1000;
    for (const session of [...this.sessions.values()]) {
      const conn = this.#connections.get(session.connectionId);
      if (session.kind === "record") {
        // A publisher that sent nothing (no request, no valid RTP or RTCP) for the session timeout
        // is reaped and its connection closed; its path goes to the next publisher.
        if (now - session.lastSeen > timeoutMs) {
          this.#stats.timedOutSessions++;
          this.endSession(session, "timeout");
          conn?.close();
        }
        continue;
      }
      // An interleaved reader that is playing proves it is alive by draining its socket; the write
      // deadline catches it when it stops.
      const carried = session.interleaved && session.state === "playing" && conn !== undefined;
      if (!carried && now - session.lastSeen > timeoutMs) {
        this.#stats.timedOutSessions++;
        this.endSession(session, "timeout");
      } else if (session.state === "playing" && now >= session.nextReportAt) {
        this.#sendReport(session, now);
      }
    }
    for (const conn of this.#connections.values()) this.#checkConnection(conn, now, timeoutMs);
  }

  /** Ends every session and connection. */
  closeAll(): void {
    for (const session of [...this.sessions.values()]) this.endSession(session, "server closing");
    for (const conn of [...this.#connections.values()]) conn.close();
  }

  #slowLog: ((fields: LogFields) => void) | undefined;
  #reportSlow(fields: LogFields): void {
    this.#slowLog ??= throttledLog(
      this.logger,
      "warn",
      "request too slow or never sent; disconnecting",
      10_000,
      () => this.clock.now(),
    );
    this.#slowLog(fields);
  }

  #checkConnection(conn: RtspConnection, now: number, idleMs: number): void {
    const tcp = conn.tcp;
    if (tcp.pendingWrites === 0) conn.writeProgressAt = now;
    if (now - conn.writeProgressAt > this.options.writeTimeout * 1000) {
      // HARDENING.md: a reader that leaves its data unread for the write deadline is disconnected.
      this.#stats.stalledConnections++;
      this.logger.log("warn", "reader stalled; disconnecting", {
        connection: conn.id,
        peer: conn.peerLabel,
      });
      tcp.destroy();
    } else if (
      conn.partialSince !== undefined && now - conn.partialSince > this.options.headerTimeout * 1000
    ) {
      // An absolute deadline for a whole request, not reset per byte (slowloris). A flood of
      // such connections is told once per interval, with a count.
      this.#stats.slowRequests++;
      this.#reportSlow({ connection: conn.id, peer: conn.peerLabel });
      tcp.destroy();
    } else if (conn.sessions.size === 0 && now - conn.lastRequestAt > idleMs) {
      conn.close(); // idle and holding no session
    }
  }

  #publisherData(
    session: RecordSession,
    track: RecordTrack,
    rtcp: boolean,
    data: Uint8Array,
  ): void {
    if (rtcp) return this.#rtcpFrom(session, data);
    const now = this.clock.now();
    if (session.rtp(track, data, now)) session.lastSeen = now;
  }

  #endPublisher(session: RecordSession, reason: string): void {
    session.close(this.clock.now());
    const s = session.ingestStats;
    this.#stats.badRtpOfEndedSessions += s.badPackets;
    this.#stats.droppedAccessUnitsOfEndedSessions += s.droppedAccessUnits;
    this.logger.log("info", "publisher ended", {
      session: session.id,
      path: session.path,
      reason,
      packets: s.packets,
      accessUnits: s.accessUnits,
      droppedAccessUnits: s.droppedAccessUnits,
      badRtp: s.badPackets,
    });
  }

  #rtcpFrom(session: AnySession, data: Uint8Array): void {
    if (parseRtcpCompound(data) === undefined) {
      this.#stats.badRtcp++;
      return;
    }
    session.lastSeen = this.clock.now();
  }

  #sendReport(session: Session, now: number): void {
    session.nextReportAt = now + SENDER_REPORT_INTERVAL_MS;
    const stream = session.stream;
    session.reader.sendReport(stream.ssrc, this.clock.wallMs(), stream.rtpTimeAt(now), this.cname);
  }
}
