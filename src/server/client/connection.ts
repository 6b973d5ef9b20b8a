/**
 * One RTSP control connection: bytes in, parsed by the incremental parser; requests answered in
 * order; interleaved RTCP from the client taken as a sign of life. Nothing a peer sends can throw out
 * of here: parse errors get a 4xx and a close, handler failures a 500.
 *
 * @module
 */

import { RtspHeaders } from "../../rtsp/headers.ts";
import type { RtspRequest } from "../../rtsp/message.ts";
import { type ParseError, RtspParser } from "../../rtsp/parser.ts";
import { formatResponse } from "../../rtsp/serialize.ts";
import { STATUS_TEXT } from "../../rtsp/status.ts";
import { stripCredentials } from "../../rtsp/url.ts";
import type { ConnectionHandler, TcpConnection } from "../../runtime/net.ts";
import type { ServerCore } from "../core.ts";
import { dispatch, type Reply } from "./methods.ts";
import type { AnySession } from "../session/session.ts";

/** Requests a client may pipeline before being answered; more is a flood, and the link is closed. */
const MAX_QUEUED_REQUESTS = 32;

/** Server name sent in replies (RFC 2326 §12.36). */
export const SERVER_NAME = "rtsp-edge";

/** The server's side of one RTSP connection. */
export class RtspConnection implements ConnectionHandler {
  /** Number unique within the server, for logs and session binding. */
  readonly id: number;
  /** The socket. */
  readonly tcp: TcpConnection;
  /** Monotonic ms of the last request. */
  lastRequestAt: number;
  /** Monotonic ms when the socket last took queued bytes (or had none queued). */
  writeProgressAt: number;
  /** Sessions made on this connection and still alive. */
  readonly sessions: Set<AnySession> = new Set();
  #core: ServerCore;
  #parser: RtspParser;
  #queue: RtspRequest[] = [];
  #busy = false;
  #partialSince: number | undefined;
  #channels = new Set<number>();
  #closing = false;

  /** Serves `tcp` for `core`. */
  constructor(core: ServerCore, tcp: TcpConnection, id: number) {
    this.#core = core;
    this.tcp = tcp;
    this.id = id;
    this.#parser = new RtspParser(core.options.limits);
    this.lastRequestAt = this.writeProgressAt = core.clock.now();
    // The header deadline runs from the accept: a connection that never sends its first request
    // is closed at the deadline too, not left for the idle close (HARDENING: connection floods).
    this.#partialSince = this.lastRequestAt;
  }

  /** `address:port` of the peer, for logs. */
  get peerLabel(): string {
    const r = this.tcp.remote;
    return r.family === "IPv6" ? `[${r.hostname}]:${r.port}` : `${r.hostname}:${r.port}`;
  }

  /** Whether the connection is RTSPS (inside TLS), as its listener said. */
  get secure(): boolean {
    return this.tcp.secure === true;
  }

  /** Monotonic ms since which an incomplete message has been waiting, if one is. */
  get partialSince(): number | undefined {
    return this.#partialSince;
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
    this.writeProgressAt = this.#core.clock.now();
  }

  closed(): void {
    this.#closing = true;
    this.#queue.length = 0;
    this.#core.connectionClosed(this);
  }

  /**
   * Reserves an interleaved channel pair for a new session: the one asked for if free, else the
   * lowest free even pair (HARDENING item 12: the server picks when the client's choice is taken).
   */
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

  /** Frees channels of an ended session. */
  releaseChannels(channels: readonly number[]): void {
    for (const c of channels) this.#channels.delete(c);
  }

  /** Closes after what is queued has been written. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.tcp.end();
  }

  #drain(): void {
    for (;;) {
      const event = this.#parser.next();
      switch (event.kind) {
        case "need-more":
          this.#partialSince = this.#parser.midMessage
            ? this.#partialSince ?? this.#core.clock.now()
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
          if (!this.#core.interleavedData(this, event.channel, event.payload)) {
            // HARDENING item 15: interleaved data before PLAY/RECORD has no business here.
            this.#fail(undefined, "interleaved data before PLAY or RECORD");
            return;
          }
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

  /** A bug met on this connection: logged, and the connection dropped; the process goes on. */
  #crashed(error: unknown): void {
    this.#core.logger.log("error", "connection failed", {
      connection: this.id,
      peer: this.peerLabel,
      error: String(error),
    });
    this.tcp.destroy();
  }

  #parseFailed(error: ParseError): void {
    this.#core.logger.log("warn", "malformed request", {
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
      this.#core.logger.log("warn", reason, { connection: this.id, peer: this.peerLabel });
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
        this.lastRequestAt = this.#core.clock.now();
        const cseq = request.headers.getAll("CSeq");
        const valid = cseq.length === 1 && /^\d{1,10}$/.test(cseq[0]) && Number(cseq[0]) < 2 ** 32;
        // RFC 2326 §12.17: every request carries one CSeq, echoed exactly; HARDENING item 6.
        const r: Reply = valid
          ? await dispatch(this.#core, this, request)
          : { status: 400, headers: new RtspHeaders() };
        if (this.#closing) break;
        this.#write(r.status, r.reason, r.headers, valid ? cseq[0] : undefined, r.body);
        this.#core.logger.log(r.status < 400 ? "debug" : "info", "request", {
          connection: this.id,
          peer: this.peerLabel,
          method: request.method,
          path: stripCredentials(request.url),
          cseq: valid ? cseq[0] : undefined,
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
    all.set("Date", new Date(this.#core.clock.wallMs()).toUTCString());
    for (const [name, value] of headers.entries()) all.append(name, value);
    const bytes = formatResponse({
      version: "RTSP/1.0",
      status,
      reason: reason ?? STATUS_TEXT[status] ?? "",
      headers: all,
      body: body ?? new Uint8Array(0),
    });
    if (this.tcp.pendingWrites === 0) this.writeProgressAt = this.#core.clock.now();
    this.tcp.write(bytes);
  }
}
