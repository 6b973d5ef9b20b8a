/**
 * What the HTTP port asks of the console, the API, the metrics, the snapshots and the preview: a
 * request in Web terms (`Request` in, `Response` out, the types Deno, Bun and browsers share), and
 * for a WebSocket a small session that sends and receives messages. The connection code
 * (src/ingest/ingest_connection.ts and web_exchange.ts) speaks HTTP/1.1 and RFC 6455 on the wire;
 * a handler never sees a socket.
 *
 * The wire stays our own rather than the runtime's server (`Deno.serve`, `Bun.serve`,
 * `node:http`) because the port also takes device pushes, which need its limits:
 * `deno task bench:http-server` sends the same hostile clients to each. A head trickled a byte
 * every 200 ms is closed by this port after its 10 s deadline and is still open after 30 s on
 * `Deno.serve` and on `node:http`; of 200 silent connections from one address, 16 stay open here
 * and all 200 there.
 *
 * @module
 */

/** Who sent a request. */
export interface RequestInfo {
  /** The peer's IP address, e.g. `192.168.1.20` or `::1`. */
  peer: string;
  /** Whether it came over TLS. */
  secure: boolean;
}

/** The server's end of an open WebSocket, as a session uses it. */
export interface WebSocketPeer {
  /** Sends one binary message. */
  send(data: Uint8Array): void;
  /** Sends one text message. */
  sendText(text: string): void;
  /**
   * Bytes handed to `send` that have not reached the kernel yet: a sender that finds it high
   * skips what it can (a preview drops to the next keyframe).
   */
  readonly bufferedBytes: number;
  /** Sends a close frame with `code` (RFC 6455 §7.4) and closes the connection. */
  close(code: number, reason: string): void;
}

/** One WebSocket conversation, made by {@link WebHandler.socket} for an accepted upgrade. */
export interface WebSocketSession {
  /** Called once the 101 is sent, with the peer to send on. */
  open(peer: WebSocketPeer): void;
  /** A message from the browser (text decoded as UTF-8). */
  message?(data: Uint8Array | string): void;
  /** The connection is gone, by either side. Called once. */
  closed(): void;
}

/** The requests of the HTTP port other than device pushes to `/ingest/<path>`. */
export interface WebHandler {
  /** Answers one request. A thrown error is answered 500 and logged. */
  handle(request: Request, info: RequestInfo): Response | Promise<Response>;
  /**
   * Answers a WebSocket upgrade request: a session to accept it with, or a refusal (401, 404).
   * Absent: every upgrade outside `/ingest/` is answered 404.
   */
  socket?(
    request: Request,
    info: RequestInfo,
  ): WebSocketSession | Response | Promise<WebSocketSession | Response>;
}
