/**
 * Lifecycle hooks: what a program using the server can learn and decide as clients come and go,
 * after gortsplib's `ServerHandler` and gst-rtsp-server's client and session signals. Every
 * session's life (open, play or record, pause, close with its reason) passes one point in the
 * server, which calls these.
 *
 * A hook that throws, rejects or never returns is logged and changes nothing for the session or
 * the server; only {@link ServerHooks.onDescribe} is awaited (up to a time limit), since its answer
 * decides the DESCRIBE reply.
 *
 * @example
 * ```ts
 * import { type RtspServer, serve } from "../../mod.ts";
 *
 * const server: RtspServer = await serve({
 *   port: 0,
 *   hostname: "127.0.0.1",
 *   hooks: {
 *     // An on-demand path: the stream is made when the first reader asks for it.
 *     onDescribe({ path }) {
 *       if (path === "/private") return { status: 403 };
 *       if (path === "/lazy" && !server.getStream(path)) {
 *         return server.addStream(path, { codec: "h264" });
 *       }
 *     },
 *     onSessionClose({ id, role, reason }) {
 *       console.log(`${role} session ${id} ended: ${reason}`);
 *     },
 *   },
 * });
 * await server.close();
 * ```
 *
 * @module
 */

import type { LiveStream } from "./stream/live_stream.ts";

/** What a session does: reads a stream (DESCRIBE, SETUP, PLAY) or publishes one (ANNOUNCE, RECORD). */
export type SessionRole = "reader" | "publisher";

/** Why a session ended. */
export type SessionEndReason =
  /** The client sent TEARDOWN. */
  | "teardown"
  /** No sign of life (request, RTCP, a publisher's RTP) for the session timeout (RFC 2326 §12.37). */
  | "timeout"
  /** The connection it was bound to closed (interleaved media, every publisher). */
  | "connection closed"
  /** Another publisher took the path. */
  | "replaced"
  /** The program removed the stream it read or fed. */
  | "stream removed"
  /** The server is shutting down. */
  | "server closing"
  /** The program ended it (`server.kick()`, the HTTP API's kick). */
  | "kicked";

/** One RTSP connection, as the connection hooks see it. */
export interface ConnectionInfo {
  /** Number of the connection, unique within the server. */
  id: number;
  /** The client's `address:port` (IPv6 in brackets). */
  peer: string;
  /** Whether the connection is RTSPS (inside TLS). */
  secure: boolean;
}

/** A DESCRIBE, as {@link ServerHooks.onDescribe} sees it. */
export interface DescribeInfo {
  /** Number of the connection it came on (as in {@link ConnectionInfo.id}). */
  connection: number;
  /** The normalized path asked for, e.g. `/cam`. */
  path: string;
  /** The client's `address:port`. */
  peer: string;
}

/** One session, as the session hooks see it. */
export interface SessionInfo {
  /** The session id (the `Session:` header value). */
  id: string;
  /** Number of the connection it was made on. */
  connection: number;
  /** The normalized path it reads or publishes. */
  path: string;
  /** The client's `address:port` on the connection that made it. */
  peer: string;
  /** How its media goes: interleaved in the RTSP connection, or UDP; undefined before a SETUP. */
  transport: "tcp" | "udp" | undefined;
  /** Whether it reads or publishes. */
  role: SessionRole;
}

/** A session that ended, and why. */
export interface SessionCloseInfo extends SessionInfo {
  /** Why it ended. */
  reason: SessionEndReason;
}

/**
 * What {@link ServerHooks.onDescribe} may answer: nothing (go on as usual), a refusal with an RTSP
 * status from 400 to 599 (e.g. `{ status: 403 }`), or the stream it made for the path through
 * `server.addStream()` (an on-demand source).
 */
export type DescribeAnswer = void | undefined | { status: number } | LiveStream;

/** Callbacks for {@link ServeOptions.hooks}; every one is optional. */
export interface ServerHooks {
  /** A client connected (before any request). */
  onConnectionOpen?(info: ConnectionInfo): void | Promise<void>;
  /** A client's connection closed, after the sessions that ended with it. */
  onConnectionClose?(info: ConnectionInfo): void | Promise<void>;
  /**
   * A client asks for a path's description, after access control and before the server looks the
   * path up. Return `{ status }` (or throw) to refuse; for a path with no stream yet, make one with
   * `server.addStream()` and return it. Awaited up to `describeTimeout` seconds, after which the
   * client gets 503. A thrown error answers its `status` when that is an RTSP error status, else 500.
   */
  onDescribe?(info: DescribeInfo): DescribeAnswer | Promise<DescribeAnswer>;
  /** A session was made: by SETUP for a reader, by ANNOUNCE for a publisher. */
  onSessionOpen?(info: SessionInfo): void | Promise<void>;
  /** A reader's media started (right after the PLAY reply). */
  onPlay?(info: SessionInfo): void | Promise<void>;
  /** A session's media stopped by PAUSE; the session stays. */
  onPause?(info: SessionInfo): void | Promise<void>;
  /** A publisher's media is taken from now on (RECORD). */
  onRecord?(info: SessionInfo): void | Promise<void>;
  /** A session ended, with the reason. */
  onSessionClose?(info: SessionCloseInfo): void | Promise<void>;
}
