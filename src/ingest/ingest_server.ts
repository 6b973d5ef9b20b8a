/**
 * The ingest port: devices push frames over HTTP or WebSocket to `/ingest/<path>`, and the RTSP
 * server serves them at `/<path>` to any number of readers. Connections are capped in number,
 * given a deadline for their request head, and closed when idle.
 *
 * @module
 */

import { nodeNetwork } from "../runtime/node_net.ts";
import type { Network, TcpListener } from "../runtime/net.ts";
import type { Logger } from "../base/log.ts";
import type { RtspServer } from "../server/server.ts";
import { IngestConnection } from "./ingest_connection.ts";
import { SinkCache } from "./sink_cache.ts";
import type { IngestPathPolicy } from "./ingest_request.ts";

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
  /** Where refusals and publishers are told. */
  logger: Logger;
  /** Sockets (default: node:net). */
  network?: Network;
  /** Open connections at most (default 64). */
  maxConnections?: number;
  /** Open connections per IP address at most (default 16). */
  maxConnectionsPerIp?: number;
  /** Close a connection that sends nothing for this long (default 30 s). */
  idleTimeoutMs?: number;
}

/** A running ingest listener. */
export interface IngestServer {
  /** The port it listens on. */
  readonly port: number;
  /** Open device connections. */
  readonly connections: number;
  /** Stops listening and closes every device connection (their paths' readers stay). */
  close(): Promise<void>;
}

/** Listens for devices. Throws when the port cannot be had, in one sentence. */
export async function startIngest(options: IngestOptions): Promise<IngestServer> {
  const network = options.network ?? nodeNetwork;
  const maxConnections = options.maxConnections ?? 64;
  const maxPerIp = options.maxConnectionsPerIp ?? 16;
  const idleMs = options.idleTimeoutMs ?? 30_000;
  const now = () => performance.now();
  const open = new Set<IngestConnection>();
  const perIp = new Map<string, number>();
  const sinks = new SinkCache();
  const context = {
    rtsp: options.rtsp,
    policyFor: options.policyFor,
    logger: options.logger,
    now,
    sinks,
  };
  let listener: TcpListener;
  try {
    listener = await network.listenTcp(
      { hostname: options.hostname, port: options.port },
      (tcp) => {
        const ip = tcp.remote.hostname;
        const count = perIp.get(ip) ?? 0;
        if (open.size >= maxConnections || count >= maxPerIp) {
          options.logger.log("warn", "ingest connection refused: too many", { peer: ip });
          tcp.destroy();
          return { data() {}, written() {}, closed() {} };
        }
        perIp.set(ip, count + 1);
        const conn = new IngestConnection(tcp, context);
        open.add(conn);
        return {
          data: (bytes) => conn.data(bytes),
          written: () => conn.written(),
          closed: () => {
            open.delete(conn);
            const left = (perIp.get(ip) ?? 1) - 1;
            if (left > 0) perIp.set(ip, left);
            else perIp.delete(ip);
            conn.closed();
          },
        };
      },
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "EADDRINUSE" ? "the port is in use" : (error as Error).message;
    throw new Error(`cannot listen for ingest on ${options.hostname}:${options.port}: ${why}`);
  }
  const reaper = setInterval(() => {
    const t = now();
    for (const conn of open) {
      if (t - conn.lastActivity > idleMs) {
        options.logger.log("info", "ingest connection idle; closed", {});
        conn.close();
      }
    }
  }, Math.min(idleMs, 5000));
  return {
    get port() {
      return listener.address.port;
    },
    get connections() {
      return open.size;
    },
    async close() {
      clearInterval(reaper);
      for (const conn of open) conn.close();
      sinks.clear();
      await listener.close();
    },
  };
}
