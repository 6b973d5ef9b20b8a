/**
 * The seam between the request handlers (`client/`) and the server's state (`core.ts`), after
 * gortsplib's handler interfaces: handlers see a {@link ServerContext} and the
 * {@link ClientContext} of the connection a request came on, never the classes behind them. So
 * neither side imports the other, and a handler can be read (and driven) on its own.
 *
 * @module
 */

import type { AccessGate } from "../auth/gate.ts";
import type { Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { NetAddress } from "../runtime/net.ts";
import type { SessionEndReason } from "./hooks.ts";
import type { ResolvedOptions } from "./options.ts";
import type { PublisherRegistry } from "./publishers.ts";
import type { Session } from "./session/session.ts";
import type { SessionTable } from "./session/session_table.ts";
import type { Stream } from "./stream/stream.ts";
import type { MediaTransport, UdpPair } from "./stream/transport.ts";

/** What handlers see of the client connection a request came on (gst's RTSPClient). */
export interface ClientContext {
  /** Number unique within the server, for logs and session binding. */
  readonly id: number;
  /** The client's address. */
  readonly remote: NetAddress;
  /** The server's address on this connection (SDP `o=`). */
  readonly local: NetAddress;
  /** Whether the connection is RTSPS (inside TLS). */
  readonly secure: boolean;
  /** `address:port` of the client, for logs. */
  readonly peerLabel: string;
  /** Sessions made on this connection and still alive; kept by the server's lifecycle point. */
  readonly sessions: Set<Session>;
  /**
   * Reserves an interleaved channel pair: the one asked for if free, else the lowest free even
   * pair (HARDENING item 12). Throws `RangeError` when none is left.
   */
  claimChannels(wanted: readonly [number, number] | undefined): [number, number];
  /** Frees channels of an ended session. */
  releaseChannels(channels: readonly number[]): void;
  /** A way out for a reader's media inside this connection, on `channels` (RFC 2326 §10.12). */
  interleavedTransport(channels: readonly [number, number]): MediaTransport;
  /** Closes after what is queued has been written. */
  close(): void;
}

/**
 * What housekeeping reads of a connection besides its {@link ClientContext}: when it last made
 * progress, so stalled readers and slow senders can be dropped.
 */
export interface ServedConnection extends ClientContext {
  /** Monotonic ms of the last request. */
  readonly lastRequestAt: number;
  /** Monotonic ms since which an incomplete message has been waiting, if one is. */
  readonly partialSince: number | undefined;
  /** Monotonic ms when the socket last took queued bytes (or had none queued). */
  writeProgressAt: number;
  /** Writes the socket has not yet taken. */
  readonly pendingWrites: number;
  /** Drops the connection at once, queued bytes and all. */
  destroy(): void;
}

/** What the interleaved data on a connection was. */
export type InterleavedVerdict =
  /** Taken (or dropped quietly as nobody's) by a session that has played or recorded. */
  | "taken"
  /** The connection once had a session, but none has media now (trailing RTCP after TEARDOWN). */
  | "late"
  /** No session of this connection ever played or recorded (HARDENING item 15: close). */
  | "unexpected";

/** What request handlers use of the server (gst's RTSPServer, MountPoints and SessionPool). */
export interface ServerContext {
  /** Settings. */
  readonly options: ResolvedOptions;
  /** Monotonic and wall clocks. */
  readonly clock: Clock;
  /** Where log lines go. */
  readonly logger: Logger;
  /** Access control, when `access` was given; undefined: everything open. */
  readonly access: AccessGate | undefined;
  /** Counters the request handlers add to. */
  readonly counters: { authFailures: number };
  /** Streams by normalized path. */
  readonly mounts: ReadonlyMap<string, Stream>;
  /** Every live session. */
  readonly sessions: SessionTable;
  /** Who publishes which path. */
  readonly publishers: PublisherRegistry;
  /** The shared UDP RTP/RTCP sockets, once bound. */
  readonly udp: UdpPair | undefined;
  /** A stable SDP session id for a stream (RFC 4566 §5.2: o= sess-id). */
  sdpSessionId(stream: Stream): string;
  /** Whether `client` may act on `session` (HARDENING item 13). */
  mayUse(client: ClientContext, session: Session): boolean;
  /**
   * The stream a DESCRIBE of `path` reads, after the `onDescribe` hook had its say (it may refuse,
   * or make the stream). Throws `RtspError` 404 when there is none, or the hook's refusal.
   */
  describe(client: ClientContext, path: string): Promise<Stream>;

  // The lifecycle point: every session's transitions go through these, which keep the tables,
  // write the log line and call the hooks.

  /** Registers a new session (SETUP for a reader, ANNOUNCE for a publisher). */
  openSession(session: Session): void;
  /** Starts a session's media: PLAY for a reader (after its reply), RECORD for a publisher. */
  startSession(session: Session): void;
  /** Stops a session's media and keeps the session (PAUSE, RFC 2326 §10.6). */
  pauseSession(session: Session): void;
  /** Ends a session for `reason`; a second call does nothing. */
  endSession(session: Session, reason: SessionEndReason): void;

  // The connection's own events.

  /** Interleaved data from a client (RTCP, a publisher's RTP). */
  interleavedData(client: ClientContext, channel: number, payload: Uint8Array): InterleavedVerdict;
  /** A connection closed: its bound sessions end. */
  connectionClosed(client: ClientContext): void;
}
