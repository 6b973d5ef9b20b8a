/**
 * The ingest port: devices push frames over HTTP or WebSocket to `/ingest/<path>`, and the RTSP
 * server serves them at `/<path>` to any number of readers. Connections are capped in number, given
 * a deadline for each request head and closed when idle, by the policy the RTSP port uses too
 * (base/connection_limits.ts). Time is the injected clock's, so a test can drive the deadlines and
 * the parked sinks' expiry.
 *
 * @module
 */

import { defaultNetwork } from "../runtime/default_network.ts";
import type { Network, TcpListener } from "../runtime/net.ts";
import { describeSystemError } from "../runtime/files.ts";
import { type Logger, silentLogger, throttledLog } from "../base/log.ts";
import { type Clock, systemClock } from "../base/clock.ts";
import { ConnectionCounter, reapReason } from "../base/connection_limits.ts";
import type { RtspServer } from "../server/server.ts";
import { IngestConnection } from "./ingest_connection.ts";
import { SinkCache } from "./sink_cache.ts";
import type { DeviceTimeline } from "./timestamps.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import type { IngestPathPolicy } from "./ingest_request.ts";
import type { WebHandler } from "../http/web_handler.ts";

/** Settings of {@link startIngest}. */
export interface IngestOptions {
  /** The RTSP server whose paths devices publish. */
  rtsp: RtspServer;
  /** TCP port (0 picks one). */
  port: number;
  /** Address to listen on. */
  hostname: string;
  /** The rules of a path, or undefined when it may not be published (404). */
  policyFor: (path: string) => IngestPathPolicy | undefined;
  /** Where refusals and publishers are told. Default: nowhere (the library is silent). */
  logger?: Logger;
  /** Sockets (default: the runtime's own, see runtime/default_network.ts). */
  network?: Network;
  /** Open connections at most (default 64). */
  maxConnections?: number;
  /** Open connections per IP address at most (default 16). */
  maxConnectionsPerIp?: number;
  /** Close a connection that sends nothing for this long (default 30 s). */
  idleTimeoutMs?: number;
  /**
   * Close a connection whose request head has not all come this long after its first byte
   * (default 10 s, HARDENING.md; not reset per byte).
   */
  headerTimeoutMs?: number;
  /** Keep a path's encoder and frame clock this long between its requests (default 10 s). */
  parkedSinkMs?: number;
  /** Time (default: the system clock). */
  clock?: Clock;
  /**
   * What answers the port's other requests (the console, API, metrics, snapshots, preview);
   * absent: everything outside `/ingest/` is answered 404.
   */
  web?: WebHandler;
}

/** A running ingest listener. */
export interface IngestServer {
  /** The port it listens on. */
  readonly port: number;
  /** Open device connections. */
  readonly connections: number;
  /**
   * The housekeeping the server runs every second by itself: closes idle connections and frees
   * parked sinks, by the clock's time. A test that advances a `ManualClock` calls it to see the
   * effect at once.
   */
  sweep(): void;
  /** Stops listening and closes every device connection (their paths' readers stay). */
  close(): Promise<void>;
}

// How often the housekeeping runs; idle and parked times are checked to this precision.
const SWEEP_INTERVAL_MS = 1000;

/** Listens for devices. Throws when the port cannot be had, in one sentence. */
export async function startIngest(options: IngestOptions): Promise<IngestServer> {
  const network = options.network ?? await defaultNetwork();
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const idleMs = options.idleTimeoutMs ?? 30_000;
  const headerMs = options.headerTimeoutMs ?? 10_000;
  const logger = options.logger ?? silentLogger;
  // A flood of trickling heads is told once per interval, with a count.
  const reportSlowHead = throttledLog(
    logger,
    "warn",
    "ingest request head too slow; closed",
    10_000,
    now,
  );
  const counter = new ConnectionCounter({
    maxConnections: options.maxConnections ?? 64,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? 16,
  });
  const open = new Set<IngestConnection>();
  const sinks = new SinkCache(now, options.parkedSinkMs);
  const context = {
    rtsp: options.rtsp,
    policyFor: options.policyFor,
    logger,
    now,
    sinks,
    holders: new Map<string, IngestConnection>(),
    audioHolders: new Map<string, IngestConnection>(),
    timelines: new WeakMap<LiveStream, DeviceTimeline>(),
    ...(options.web ? { web: options.web } : {}),
  };
  let listener: TcpListener;
  try {
    listener = await network.listenTcp(
      { hostname: options.hostname, port: options.port },
      (tcp) => {
        const ip = tcp.remote.hostname;
        const refusal = counter.admit(ip);
        if (refusal) {
          logger.log("warn", "ingest connection refused", { peer: ip, reason: refusal });
          tcp.destroy();
          return { data() {}, written() {}, closed() {} };
        }
        const conn = new IngestConnection(tcp, context);
        open.add(conn);
        return {
          data: (bytes) => conn.data(bytes),
          written: () => conn.written(),
          closed: () => {
            open.delete(conn);
            counter.release(ip);
            conn.closed();
          },
        };
      },
    );
  } catch (error) {
    const why = describeSystemError(error, { listening: true });
    throw new Error(`cannot listen for HTTP on ${options.hostname}:${options.port}: ${why}`, {
      cause: error,
    });
  }
  const sweep = () => {
    const t = now();
    for (const conn of [...open]) {
      // Closed ones stay counted until the socket reports it gone; they are not idle again.
      if (conn.isClosed) continue;
      const reason = reapReason({
        now: t,
        lastActivityAt: conn.lastActivity,
        idleMs,
        partialSince: conn.headSince,
        requestTimeoutMs: headerMs,
      });
      if (reason === "idle") {
        logger.log("info", "ingest connection idle; closed", {
          path: conn.path,
          peer: conn.peer,
          idleMs: Math.round(t - conn.lastActivity),
        });
      } else if (reason === "request too slow") {
        reportSlowHead({ path: conn.path, peer: conn.peer });
      }
      if (reason) conn.close();
    }
    for (const parked of sinks.expire()) {
      // A device that posted frame by frame sent no request for the park time: it has stopped,
      // unless the path has a publisher again (this device in another format, or another one).
      if (parked.stream.stats.frames === parked.streamFrames) {
        parked.stream.sourceGone(`device ${parked.peer} stopped sending frames`);
      }
      if (parked.stopLogged) continue;
      logger.log("info", "device stopped publishing; readers stay", {
        path: parked.path,
        peer: parked.peer,
        frames: parked.frames,
        idleMs: sinks.idleMs,
      });
    }
  };
  const ticker = setInterval(sweep, SWEEP_INTERVAL_MS);
  return {
    get port() {
      return listener.address.port;
    },
    get connections() {
      return open.size;
    },
    sweep,
    async close() {
      clearInterval(ticker);
      for (const conn of open) conn.close();
      sinks.clear();
      await listener.close();
    },
  };
}
