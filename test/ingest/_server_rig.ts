/**
 * Helpers of the ingest server tests: an RTSP server and the ingest port on loopback, on a
 * `ManualClock` the test moves, with every log line kept; and a device upload over a raw socket
 * whose bytes the test sends when it wants.
 */

import { ManualClock } from "../../src/base/clock.ts";
import type { LogFields, LogLevel } from "../../src/base/log.ts";
import type { IngestPathPolicy } from "../../src/ingest/ingest_request.ts";
import { type IngestServer, startIngest } from "../../src/ingest/ingest_server.ts";
import type { ConnectionHandler, Network, TcpConnection } from "../../src/runtime/net.ts";
import { type RtspServer, serve } from "../../src/server/server.ts";

/** The path rules of these tests: a token, H.264 passed through. */
export const TOKEN = "device-token";
export const POLICY: IngestPathPolicy = {
  token: TOKEN,
  jpeg: "h264",
  replace: false,
  bitrate: 1_000_000,
  gop: 15,
  maxFrameBytes: 1 << 20,
};

/** One access unit of H.264 Annex B: an access unit delimiter and a tiny non-IDR slice. */
export const ACCESS_UNIT: Uint8Array<ArrayBuffer> = new Uint8Array([
  0,
  0,
  0,
  1,
  0x09,
  0xf0,
  0,
  0,
  0,
  1,
  0x41,
  0x9a,
  0x02,
]);

/** One line the servers logged. */
export interface Line {
  level: LogLevel;
  message: string;
  fields?: LogFields;
}

/** The servers, their clock and what they logged. */
export interface ClockedRig {
  rtsp: RtspServer;
  ingest: IngestServer;
  clock: ManualClock;
  /** `http://127.0.0.1:<port>/ingest` */
  base: string;
  lines: Line[];
  /** The lines with `message`. */
  logged(message: string): Line[];
  /** Frames that reached the stream at `path` (taken or refused by it). */
  framesAt(path: string): number;
  close(): Promise<void>;
}

/** Starts RTSP and ingest on loopback with a manual clock; the ingest options may be overridden. */
export async function startClockedRig(
  policy: IngestPathPolicy = POLICY,
  options: { idleTimeoutMs?: number; maxConnectionsPerIp?: number } = {},
): Promise<ClockedRig> {
  const lines: Line[] = [];
  const logger = {
    log: (level: LogLevel, message: string, fields?: LogFields) =>
      void lines.push({ level, message, fields }),
  };
  const clock = new ManualClock(1000);
  const rtsp = await serve({ port: 0, hostname: "127.0.0.1", logger });
  const ingest = await startIngest({
    rtsp,
    port: 0,
    hostname: "127.0.0.1",
    policyFor: (path) => path.startsWith("/cam") ? policy : undefined,
    logger,
    clock,
    ...options,
  });
  return {
    rtsp,
    ingest,
    clock,
    base: `http://127.0.0.1:${ingest.port}/ingest`,
    lines,
    logged: (message) => lines.filter((l) => l.message === message),
    framesAt: (path) => {
      const stats = rtsp.getStream(path)?.stats;
      return stats ? stats.frames + stats.rejectedFrames : 0;
    },
    async close() {
      await ingest.close();
      await rtsp.close();
    },
  };
}

/** Resolves once `condition` holds (the servers answer over real sockets); throws after 5 s. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** A device's long-lived chunked upload of H.264 (one access unit per chunk) on its own socket. */
export class RawUpload {
  readonly #conn: Deno.TcpConn;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Connects to the ingest port and sends the request head for `path` with `token`. */
  static async open(port: number, path: string, token = TOKEN): Promise<RawUpload> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const upload = new RawUpload(conn);
    await upload.#send(latin1(
      `POST /ingest${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
        "Content-Type: video/h264; framing=chunk\r\nTransfer-Encoding: chunked\r\n\r\n",
    ));
    return upload;
  }

  /** Sends one access unit as one chunk (RFC 9112 §7.1). */
  async accessUnit(): Promise<void> {
    await this.#send(latin1(`${ACCESS_UNIT.length.toString(16)}\r\n`));
    await this.#send(ACCESS_UNIT);
    await this.#send(latin1("\r\n"));
  }

  /** Sends the last chunk, ending the upload cleanly, and returns the status answered. */
  async finish(): Promise<number> {
    await this.#send(latin1("0\r\n\r\n"));
    const buffer = new Uint8Array(4096);
    let text = "";
    while (!text.includes("\r\n\r\n")) {
      const n = await this.#conn.read(buffer);
      if (n === null) break;
      text += String.fromCharCode(...buffer.subarray(0, n));
    }
    return Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0);
  }

  /** Resolves true once the server has closed the connection (EOF or reset). */
  async closedByServer(): Promise<boolean> {
    const buffer = new Uint8Array(4096);
    try {
      while ((await this.#conn.read(buffer)) !== null) { /* an answer before the close */ }
    } catch { /* reset */ }
    return true;
  }

  /** Closes the socket from the device's side. */
  close(): void {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }

  async #send(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length;) at += await this.#conn.write(bytes.subarray(at));
  }
}

/** POSTs one access unit to `path` with fetch; the status and the reason line. */
export async function postAccessUnit(
  base: string,
  path: string,
  token = TOKEN,
): Promise<[number, string]> {
  const r = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "Content-Type": "video/h264", Authorization: `Bearer ${token}` },
    body: ACCESS_UNIT,
  });
  return [r.status, (await r.text()).trim()];
}

/** A connection of {@link startInMemoryIngest}: bytes in by hand, what the server did kept. */
export interface FakeConnection {
  /** Hands bytes to the server, as one read. */
  send(text: string): void;
  /** Hands binary bytes to the server, as one read. */
  sendBytes(bytes: Uint8Array): void;
  /** What the server wrote, as latin1 text. */
  readonly written: string;
  /** Whether the server closed it (end or destroy). */
  readonly closedByServer: boolean;
}

/**
 * The ingest server over an in-memory network: each `connect()` is a connection whose bytes the
 * test hands over synchronously, so the clock and the bytes move exactly when the test says.
 */
export async function startInMemoryIngest(policy: IngestPathPolicy = POLICY): Promise<
  ClockedRig & { connect(hostname?: string): FakeConnection }
> {
  const lines: Line[] = [];
  const logger = {
    log: (level: LogLevel, message: string, fields?: LogFields) =>
      void lines.push({ level, message, fields }),
  };
  const clock = new ManualClock(1000);
  const rtsp = await serve({ port: 0, hostname: "127.0.0.1", logger });
  let accept: ((tcp: TcpConnection) => ConnectionHandler) | undefined;
  const address = { hostname: "127.0.0.1", port: 8080, family: "IPv4" as const };
  const network = {
    listenTcp(_: unknown, onAccept: (tcp: TcpConnection) => ConnectionHandler) {
      accept = onAccept;
      return Promise.resolve({ address, close: () => Promise.resolve() });
    },
  } as unknown as Network;
  const ingest = await startIngest({
    rtsp,
    port: 0,
    hostname: "127.0.0.1",
    policyFor: (path) => path.startsWith("/cam") ? policy : undefined,
    logger,
    clock,
    network,
  });
  return {
    rtsp,
    ingest,
    clock,
    base: "",
    lines,
    logged: (message) => lines.filter((l) => l.message === message),
    framesAt: (path) => {
      const stats = rtsp.getStream(path)?.stats;
      return stats ? stats.frames + stats.rejectedFrames : 0;
    },
    connect(hostname = "10.0.0.7") {
      let closed = false;
      let written = "";
      // Set once accepted; a connection refused at the caps is closed before it has one.
      let handler: ConnectionHandler | undefined = undefined;
      // The server closing a connection is reported back to it, as a real socket would.
      const gone = () => {
        if (closed) return;
        closed = true;
        handler?.closed();
      };
      const tcp: TcpConnection = {
        remote: { hostname, port: 40000, family: "IPv4" },
        local: address,
        bufferedBytes: 0,
        pendingWrites: 0,
        write(bytes: Uint8Array) {
          written += String.fromCharCode(...bytes);
        },
        end: gone,
        destroy: gone,
      };
      const accepted = accept!(tcp);
      handler = accepted;
      return {
        send: (text) => accepted.data(new TextEncoder().encode(text)),
        sendBytes: (bytes) => accepted.data(bytes),
        get written() {
          return written;
        },
        get closedByServer() {
          return closed;
        },
      };
    },
    async close() {
      await ingest.close();
      await rtsp.close();
    },
  };
}
