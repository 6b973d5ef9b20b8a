/**
 * TLS listening (RTSPS) over `node:tls`, which Deno, Bun and Node all ship. Each connection is a
 * {@link NodeTcpConnection} marked `secure` once its handshake is done, so the RTSP code above
 * treats it as any other connection.
 *
 * @module
 */

import { createPrivateKey, X509Certificate } from "node:crypto";
import type { Socket } from "node:net";
import * as tls from "node:tls";
import type { ConnectionHandler, TcpConnection, TcpListener } from "./net.ts";
import { NodeTcpConnection, NodeTcpListener } from "./node_net.ts";

/**
 * Milliseconds a client has for its TLS handshake. Until it is done the connection is not an RTSP
 * connection and counts against no cap, so it must not linger (HARDENING: slow clients).
 */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * What is wrong with a PEM certificate and private key for a TLS server, in one sentence; undefined
 * when they are usable together. Checked up front because Deno's `node:tls` takes any text and
 * only fails at the first handshake, which would leave a server that silently serves nobody.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tlsCredentialsProblem } from "./node_tls.ts";
 *
 * assert.equal(
 *   tlsCredentialsProblem("not a certificate", "not a key"),
 *   "the TLS certificate is not a PEM certificate",
 * );
 * ```
 */
export function tlsCredentialsProblem(cert: string, key: string): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    return "the TLS certificate is not a PEM certificate";
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    return "the TLS key is not a PEM private key (is it encrypted?)";
  }
  try {
    if (!certificate.checkPrivateKey(privateKey)) {
      return "the TLS key does not belong to the TLS certificate";
    }
  } catch {
    return "the TLS key does not belong to the TLS certificate";
  }
  return undefined;
}

/**
 * Listens for TLS on `hostname:port` with the PEM `cert` and `key`; `accept` is called for each
 * connection whose handshake succeeded and returns its handler, exactly as for
 * `Network.listenTcp`. A client that fails the handshake (plain RTSP on this port, a wrong
 * protocol version) or does not finish it in 10 s is dropped without `accept` hearing of it.
 * Rejects with an error whose message is one sentence for a bad certificate or key; listening
 * errors (port in use) carry their `code` (`EADDRINUSE`, ...), as `node:net` reports them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenTls } from "./node_tls.ts";
 *
 * await assert.rejects(
 *   listenTls({ hostname: "127.0.0.1", port: 0, cert: "", key: "" }, () => {
 *     throw new Error("no connection expected");
 *   }),
 *   /not a PEM certificate/,
 * );
 * ```
 */
export function listenTls(
  options: { hostname: string; port: number; cert: string; key: string },
  accept: (connection: TcpConnection) => ConnectionHandler,
): Promise<TcpListener> {
  const problem = tlsCredentialsProblem(options.cert, options.key);
  if (problem !== undefined) return Promise.reject(new Error(problem));
  return new Promise((resolve, reject) => {
    let server: tls.Server;
    try {
      server = tls.createServer({
        cert: options.cert,
        key: options.key,
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      }, (socket) => {
        const connection = new NodeTcpConnection(socket, true);
        try {
          connection.attach(accept(connection));
        } catch {
          socket.destroy();
        }
      });
    } catch (error) {
      // Node and Bun check the PEM here; what tlsCredentialsProblem let through is still refused.
      reject(new Error(`the TLS certificate or key is not usable: ${(error as Error).message}`));
      return;
    }
    // A failed or timed-out handshake leaves the socket open in all three runtimes: close it.
    server.on("tlsClientError", (_error: Error, socket: Socket) => socket.destroy());
    server.once("error", reject);
    server.listen({ host: options.hostname, port: options.port }, () => {
      server.off("error", reject);
      server.on("error", () => {});
      resolve(new NodeTcpListener(server));
    });
  });
}
