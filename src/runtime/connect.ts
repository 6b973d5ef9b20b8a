/**
 * Outgoing TCP and TLS connections, for rtsp-edge as a client (pulling from cameras, pushing to
 * servers): the same {@link TcpConnection} the server's accepted connections are, over `node:net`
 * and `node:tls`, which Deno, Bun and Node all ship.
 *
 * @module
 */

import * as net from "node:net";
import type { ConnectionHandler, TcpConnection } from "./net.ts";
import { NodeTcpConnection } from "./node_net.ts";
import { describeSystemError } from "./files.ts";

/** Where to connect, and how. */
export interface ConnectOptions {
  /** Host name or IP literal (without brackets). */
  hostname: string;
  /** TCP port. */
  port: number;
  /**
   * Speak TLS (rtsps://, https://). `verify: false` accepts any certificate, as cameras with
   * self-signed ones need; the server name is sent (SNI) either way, unless it is an IP literal.
   */
  tls?: { verify: boolean };
  /** Gives up after this many milliseconds without a connection. Default 10 000. */
  timeoutMs?: number;
}

/** A connection that could not be made; its message is one line naming the peer and why. */
export class ConnectError extends Error {
  /** Builds the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectError";
  }
}

/**
 * Connects, and once connected (and, for TLS, handshaken) hands `handler` everything that happens
 * on the connection. Rejects with a {@link ConnectError}.
 */
export async function connectTcp(
  options: ConnectOptions,
  handler: ConnectionHandler,
): Promise<TcpConnection> {
  const { hostname, port } = options;
  const where = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const socket = options.tls
    ? (await import("node:tls")).connect({
      host: hostname,
      port,
      servername: net.isIP(hostname) ? undefined : hostname,
      rejectUnauthorized: options.tls.verify,
    })
    : net.connect({ host: hostname, port });
  const ready = options.tls ? "secureConnect" : "connect";
  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ConnectError(`cannot connect to ${where}: ${describe(error)}`, { cause: error }));
    };
    const timer = setTimeout(
      () => fail(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })),
      timeoutMs,
    );
    socket.once("error", fail);
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.off("error", fail);
      resolve();
    });
  });
  const connection = new NodeTcpConnection(socket, options.tls !== undefined);
  connection.attach(handler);
  return connection;
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  // node:tls names certificate and protocol failures in its codes; say they are TLS.
  if (typeof code === "string" && !code.startsWith("E")) {
    return `TLS: ${describeSystemError(error)}`;
  }
  return describeSystemError(error);
}
