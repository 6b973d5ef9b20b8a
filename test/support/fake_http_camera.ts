/**
 * A scripted HTTP camera on loopback (node:net), for the HTTP source's tests: each request is
 * parsed (head only) and handed to the test's handler, which writes whatever bytes it likes —
 * good responses, quirky ones, garbage, or nothing at all.
 */

import { concat } from "./bytes.ts";
import * as net from "node:net";

/** A request as the camera saw it. */
export interface FakeRequest {
  /** "GET". */
  method: string;
  /** The request-target, e.g. "/stream?x=1". */
  target: string;
  /** Header fields by lower-cased name. */
  headers: Record<string, string>;
}

/** The camera's side of one connection. */
export interface FakeReply {
  /** Writes bytes (text as Latin-1). */
  write(data: Uint8Array | string): void;
  /** Ends the connection cleanly (FIN). */
  end(): void;
  /** Drops the connection (RST). */
  destroy(): void;
  /** Resolves when the client has gone. */
  readonly gone: Promise<void>;
}

/** What the camera does with a request. */
export type FakeHandler = (request: FakeRequest, reply: FakeReply) => void | Promise<void>;

/** The camera. */
export class FakeHttpCamera {
  /** Every request, in order. */
  readonly requests: FakeRequest[] = [];
  /** Most connections open at once. */
  maxOpen = 0;
  #open = 0;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  private constructor(server: net.Server) {
    this.#server = server;
  }

  /** Starts a camera on 127.0.0.1 with a free port. */
  static async start(handler: FakeHandler): Promise<FakeHttpCamera> {
    const server = net.createServer();
    const camera = new FakeHttpCamera(server);
    server.on("connection", (socket) => camera.#accept(socket, handler));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return camera;
  }

  /** The port it listens on. */
  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** `http://[user:password@]127.0.0.1:port<path>`. */
  url(path: string, userinfo?: string): string {
    return `http://${userinfo ? `${userinfo}@` : ""}127.0.0.1:${this.port}${path}`;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: net.Socket, handler: FakeHandler): void {
    this.#sockets.add(socket);
    this.maxOpen = Math.max(this.maxOpen, ++this.#open);
    let resolveGone!: () => void;
    const gone = new Promise<void>((resolve) => (resolveGone = resolve));
    socket.on("error", () => {});
    socket.on("close", () => {
      this.#open--;
      this.#sockets.delete(socket);
      resolveGone();
    });
    let text = "";
    let handled = false;
    socket.on("data", (chunk: Uint8Array) => {
      if (handled) return;
      text += latin1(chunk);
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return;
      handled = true;
      const [line, ...fields] = text.slice(0, end).split("\r\n");
      const [method, target] = line.split(" ");
      const headers: Record<string, string> = {};
      for (const field of fields) {
        const colon = field.indexOf(":");
        headers[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim();
      }
      const request = { method, target, headers };
      this.requests.push(request);
      const reply: FakeReply = {
        write(data) {
          if (!socket.destroyed) socket.write(typeof data === "string" ? fromLatin1(data) : data);
        },
        end: () => socket.end(),
        destroy: () => socket.resetAndDestroy(),
        gone,
      };
      Promise.resolve(handler(request, reply)).catch(() => socket.destroy());
    });
  }
}

/**
 * A small fake JPEG: SOI, `n`, EOI; unless `plain`, with bytes inside that look like a line break
 * and a `--frame` delimiter (which only a part's Content-Length tells from a real one).
 */
export function fakeJpeg(n: number, size = 40, plain = false): Uint8Array {
  const out = new Uint8Array(Math.max(size, 16));
  out.set([0xff, 0xd8, 0xff, 0xe0, n & 0xff]);
  if (!plain) out.set(fromLatin1("\r\n--frame\r\n"), 5);
  out.set([0xff, 0xd9], out.length - 2);
  return out;
}

/** Bytes of Latin-1 text. */
export function fromLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/**
 * One multipart part as the ESP32 CameraWebServer writes it (`\r\n--boundary\r\n`, headers, the
 * JPEG), with or without Content-Length and X-Timestamp.
 */
export function part(
  boundary: string,
  jpeg: Uint8Array,
  options: { contentLength?: boolean; timestamp?: string } = {},
): Uint8Array {
  let headers = "Content-Type: image/jpeg\r\n";
  if (options.contentLength !== false) headers += `Content-Length: ${jpeg.length}\r\n`;
  if (options.timestamp) headers += `X-Timestamp: ${options.timestamp}\r\n`;
  return concat(fromLatin1(`\r\n--${boundary}\r\n${headers}\r\n`), jpeg);
}
