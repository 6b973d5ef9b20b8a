/**
 * One RTSP control connection (gst's RTSPClient): bytes in, parsed by the incremental parser;
 * requests answered in order; interleaved data handed to the server. Nothing a peer sends can throw
 * out of here: parse errors get a 4xx and a close, handler failures a 500.
 *
 * @module
 */

import { parseCSeq } from "../../rtsp/cseq.ts";
import { RtspHeaders } from "../../rtsp/headers.ts";
import type { RtspRequest } from "../../rtsp/message.ts";
import { type ParseError, RtspParser } from "../../rtsp/parser.ts";
import { formatResponse } from "../../rtsp/serialize.ts";
import { STATUS_TEXT } from "../../rtsp/status.ts";
import { stripCredentials } from "../../rtsp/url.ts";
import type { ConnectionHandler, NetAddress, TcpConnection } from "../../runtime/net.ts";
import type { ServedConnection, ServerContext } from "../context.ts";
import type { Session } from "../session/session.ts";
import { InterleavedTransport, type MediaTransport } from "../stream/transport.ts";
import { dispatch } from "./dispatch.ts";
import type { Reply } from "./reply.ts";

/** Requests a client may pipeline before being answered; more is a flood, and the link is closed. */
const MAX_QUEUED_REQUESTS = 32;

/** Server name sent in replies (RFC 2326 §12.36). */
export const SERVER_NAME = "rtsp-edge";

/** The server's side of one RTSP connection. */
export class RtspConnection implements ConnectionHandler, ServedConnection {
  readonly id: number;
  /** The socket. */
  readonly tcp: TcpConnection;
  lastRequestAt: number;
  writeProgressAt: number;
  readonly sessions: Set<Session> = new Set();
  #server: ServerContext;
  #parser: RtspParser;
  #queue: RtspRequest[] = [];
  #busy = false;
  #partialSince: number | undefined;
  #channels = new Set<number>();
  #closing = false;

  /** Serves `tcp` for `server`, as connection number `id`. */
  constructor(server: ServerContext, tcp: TcpConnection, id: number) {
    this.#server = server;
    this.tcp = tcp;
    this.id = id;
    this.#parser = new RtspParser(server.options.limits);
    this.lastRequestAt = this.writeProgressAt = server.clock.now();
    // The header deadline runs from the accept: a connection that never sends its first request
    // is closed at the deadline too, not left for the idle close (HARDENING: connection floods).
    this.#partialSince = this.lastRequestAt;
  }

  get remote(): NetAddress {
    return this.tcp.remote;
  }

  get local(): NetAddress {
    return this.tcp.local;
  }

  get peerLabel(): string {
    const r = this.tcp.remote;
    return r.family === "IPv6" ? `[${r.hostname}]:${r.port}` : `${r.hostname}:${r.port}`;
  }

  /** Whether the connection is RTSPS (inside TLS), as its listener said. */
  get secure(): boolean {
    return this.tcp.secure === true;
  }

  get partialSince(): number | undefined {
    return this.#partialSince;
  }

  get pendingWrites(): number {
    return this.tcp.pendingWrites;
  }

  /** Whether the connection is being closed. */
  get closing(): boolean {
    return this.#closing;
  }

  data(bytes: Uint8Array): void {
    if (this.#closing) return;
    try {
      this.#parser.feed(bytes);
      this.#drain();
    } catch (error) {
      this.#crashed(error); // the parser reports errors as values: this is a bug
    }
  }

  written(): void {
    this.writeProgressAt = this.#server.clock.now();
  }

  closed(): void {
    this.#closing = true;
    this.#queue.length = 0;
    this.#server.connectionClosed(this);
  }

  claimChannels(wanted: readonly [number, number] | undefined): [number, number] {
    if (wanted && !this.#channels.has(wanted[0]) && !this.#channels.has(wanted[1])) {
      this.#channels.add(wanted[0]).add(wanted[1]);
      return [wanted[0], wanted[1]];
    }
    for (let c = 0; c < 255; c += 2) {
      if (!this.#channels.has(c) && !this.#channels.has(c + 1)) {
        this.#channels.add(c).add(c + 1);
        return [c, c + 1];
      }
    }
    throw new RangeError("no free interleaved channel pair");
  }

  releaseChannels(channels: readonly number[]): void {
    for (const c of channels) this.#channels.delete(c);
  }

  interleavedTransport(channels: readonly [number, number]): MediaTransport {
    return new InterleavedTransport(this.tcp, channels);
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.tcp.end();
  }

  destroy(): void {
    this.tcp.destroy();
  }

  #drain(): void {
    for (;;) {
      const event = this.#parser.next();
      switch (event.kind) {
        case "need-more":
          this.#partialSince = this.#parser.midMessage
            ? this.#partialSince ?? this.#server.clock.now()
            : undefined;
          return;
        case "request":
          this.#partialSince = undefined;
          if (this.#queue.length >= MAX_QUEUED_REQUESTS) {
            this.#fail(503, "too many pipelined requests");
            return;
          }
          this.#queue.push(event.request);
          this.#pump();
          break;
        case "interleaved":
          this.#partialSince = undefined;
          if (!this.#interleaved(event.channel, event.payload)) return;
          break;
        case "response":
          this.#partialSince = undefined; // we send no requests; a stray response is ignored
          break;
        case "error":
          this.#parseFailed(event.error);
          return;
      }
    }
  }

  /** Interleaved data from the client; returns false when the connection is being closed for it. */
  #interleaved(channel: number, payload: Uint8Array): boolean {
    const verdict = this.#server.interleavedData(this, channel, payload);
    if (verdict === "unexpected") {
      // HARDENING item 15: interleaved data before any PLAY or RECORD has no business here.
      this.#fail(undefined, "interleaved data before PLAY or RECORD");
      return false;
    }
    if (verdict === "late") {
      // A live555 client sends its last RTCP after its TEARDOWN: normal, and dropped.
      this.#server.logger.log("debug", "interleaved data after the session ended; dropped", {
        connection: this.id,
        channel,
      });
    }
    return true;
  }

  /** A bug met on this connection: logged, and the connection dropped; the process goes on. */
  #crashed(error: unknown): void {
    this.#server.logger.log("error", "connection failed", {
      connection: this.id,
      peer: this.peerLabel,
      error: String(error),
    });
    this.tcp.destroy();
  }

  #parseFailed(error: ParseError): void {
    this.#server.logger.log("warn", "malformed request", {
      connection: this.id,
      peer: this.peerLabel,
      offset: error.offset,
      context: error.context,
      error: error.message,
    });
    this.#fail(error.status, undefined);
  }

  /** Answers `status` (if any) without a CSeq, then closes: the stream can no longer be trusted. */
  #fail(status: number | undefined, reason: string | undefined): void {
    if (reason) {
      this.#server.logger.log("warn", reason, { connection: this.id, peer: this.peerLabel });
    }
    this.#queue.length = 0;
    if (status !== undefined) {
      this.#write(status, undefined, new RtspHeaders(), undefined, undefined);
    }
    this.close();
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#queue.length > 0 && !this.#closing) {
        const request = this.#queue.shift()!;
        this.lastRequestAt = this.#server.clock.now();
        const cseq = validCSeq(request);
        // RFC 2326 §12.17: every request carries one CSeq, echoed exactly; HARDENING item 6.
        const r: Reply = cseq !== undefined
          ? await dispatch(this.#server, this, request)
          : { status: 400, headers: new RtspHeaders() };
        if (this.#closing) break;
        this.#write(r.status, r.reason, r.headers, cseq, r.body);
        this.#server.logger.log(r.status < 400 ? "debug" : "info", "request", {
          connection: this.id,
          peer: this.peerLabel,
          method: request.method,
          path: stripCredentials(request.url),
          cseq,
          status: r.status,
        });
        r.afterWrite?.();
      }
    } catch (error) {
      this.#crashed(error); // dispatch() answers every failure itself: this is a bug
    } finally {
      this.#busy = false;
    }
  }

  #write(
    status: number,
    reason: string | undefined,
    headers: RtspHeaders,
    cseq: string | undefined,
    body: Uint8Array | undefined,
  ): void {
    const all = new RtspHeaders();
    if (cseq !== undefined) all.set("CSeq", cseq);
    all.set("Server", SERVER_NAME);
    all.set("Date", new Date(this.#server.clock.wallMs()).toUTCString());
    for (const [name, value] of headers.entries()) all.append(name, value);
    const bytes = formatResponse({
      version: "RTSP/1.0",
      status,
      reason: reason ?? STATUS_TEXT[status] ?? "",
      headers: all,
      body: body ?? new Uint8Array(0),
    });
    if (this.tcp.pendingWrites === 0) this.writeProgressAt = this.#server.clock.now();
    this.tcp.write(bytes);
  }
}

/**
 * The request's CSeq as sent, to be echoed exactly (ffmpeg compares the string), or undefined when
 * it is missing, repeated or malformed.
 */
function validCSeq(request: RtspRequest): string | undefined {
  const values = request.headers.getAll("CSeq");
  if (values.length !== 1) return undefined;
  try {
    parseCSeq(values[0]);
    return values[0];
  } catch {
    return undefined;
  }
}
