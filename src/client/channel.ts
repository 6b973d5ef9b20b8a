/**
 * The client's side of one RTSP connection: requests out, responses matched back to them, and
 * interleaved frames (RFC 2326 §10.12) handed on, all on the server's own incremental parser.
 *
 * Nothing the server sends throws out of here: an unparsable stream fails the pending requests and
 * closes the connection; a response that never comes, or never ends, fails its request at the
 * deadline.
 *
 * @module
 */

import type { Logger } from "../base/log.ts";
import { VERSION } from "../version.ts";
import type { ConnectionHandler, TcpConnection } from "../runtime/net.ts";
import { RtspHeaders } from "../rtsp/headers.ts";
import type { RtspResponse } from "../rtsp/message.ts";
import { RtspParser } from "../rtsp/parser.ts";
import { formatRequest, formatResponse } from "../rtsp/serialize.ts";
import { printable } from "../rtsp/syntax.ts";
import { MAX_SDP_LENGTH } from "../sdp/parse.ts";
import { Authenticator, type Credentials, parseChallenges } from "./auth.ts";

/** A request that got no usable response; the message is one short line. */
export class ChannelError extends Error {
  /** Builds the error. */
  constructor(message: string) {
    super(message);
    this.name = "ChannelError";
  }
}

/** What the owner of a {@link RtspChannel} hears about. */
export interface ChannelEvents {
  /** An interleaved frame arrived. The view is only valid during the call. */
  interleaved(channel: number, payload: Uint8Array): void;
  /** The connection is gone (once): `error` says why when it was not our doing. */
  closed(error: ChannelError | undefined): void;
}

/** Settings of a {@link RtspChannel}. */
export interface ChannelOptions {
  /** Milliseconds each request waits for its whole response. */
  timeoutMs: number;
  /** Where protocol oddities are logged. */
  logger: Logger;
  /** User and password from the URL, used once a server asks (401). */
  credentials?: Credentials;
}

interface Pending {
  cseq: number;
  method: string;
  resolve: (response: RtspResponse) => void;
  reject: (error: ChannelError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Options of one {@link RtspChannel.request}. */
export interface RequestOptions {
  /** Extra headers (CSeq, User-Agent, Session and Authorization are added). */
  headers?: Record<string, string>;
  /** Deadline for this request instead of the channel's. */
  timeoutMs?: number;
  /** The body (ANNOUNCE's SDP); Content-Length is added. Sent again with a 401's answer. */
  body?: Uint8Array;
}

const USER_AGENT = `rtsp-edge/${VERSION}`;
// CSeqs of requests whose deadline passed: a late answer to one of them is dropped, not matched.
const EXPIRED_KEPT = 16;

/**
 * One RTSP connection seen from the client. Create it, pass {@link RtspChannel.handler} to
 * `connectTcp()`, then {@link RtspChannel.attach} the connection it returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RtspChannel } from "./channel.ts";
 * import { silentLogger } from "../base/log.ts";
 * const sent: string[] = [];
 * const channel = new RtspChannel({ timeoutMs: 1000, logger: silentLogger }, {
 *   interleaved() {},
 *   closed() {},
 * });
 * channel.attach({
 *   write: (b: Uint8Array) => void sent.push(new TextDecoder().decode(b)),
 *   destroy() {},
 * });
 * const reply = channel.request("OPTIONS", "rtsp://cam/live");
 * channel.handler.data(new TextEncoder().encode("RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n"));
 * assert.equal((await reply).status, 200);
 * assert.match(sent[0], /^OPTIONS rtsp:\/\/cam\/live RTSP\/1.0\r\nCSeq: 1\r\n/);
 * channel.close();
 * ```
 */
export class RtspChannel {
  /** Session id sent with every request once set (RFC 2326 §12.37). */
  session: string | undefined;
  /** What `connectTcp()` reports to. */
  readonly handler: ConnectionHandler;

  readonly #options: ChannelOptions;
  readonly #events: ChannelEvents;
  readonly #parser = new RtspParser({ body: MAX_SDP_LENGTH });
  #connection: Pick<TcpConnection, "write" | "destroy"> | undefined;
  #cseq = 0;
  #pending: Pending[] = [];
  #expired: number[] = [];
  #authenticator: Authenticator | undefined;
  #closed = false;

  /** A channel not yet attached to a connection. */
  constructor(options: ChannelOptions, events: ChannelEvents) {
    this.#options = options;
    this.#events = events;
    this.handler = {
      data: (bytes) => this.#data(bytes),
      written: () => {},
      closed: () => this.#gone(new ChannelError("connection closed by the server")),
    };
  }

  /** Whether the connection is gone. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Starts sending on `connection`. */
  attach(connection: Pick<TcpConnection, "write" | "destroy">): void {
    this.#connection = connection;
  }

  /**
   * Sends a request and resolves with its response, whatever the status. A 401 is answered once
   * with the URL's credentials (RFC 2326 §11, RFC 7616); a second 401 is returned as it is.
   * Rejects with a {@link ChannelError} when no whole response comes in time or the connection
   * ends.
   */
  async request(method: string, url: string, options: RequestOptions = {}): Promise<RtspResponse> {
    let response = await this.#send(method, url, options);
    const credentials = this.#options.credentials;
    if (response.status === 401 && credentials !== undefined) {
      const [challenge] = parseChallenges(response.headers.getAll("WWW-Authenticate"));
      if (challenge === undefined) return response;
      this.#authenticator = new Authenticator(credentials, challenge);
      response = await this.#send(method, url, options);
    }
    return response;
  }

  /** Sends bytes as they are (an interleaved RTCP report). Dropped once closed. */
  sendRaw(bytes: Uint8Array): void {
    if (!this.#closed) this.#connection?.write(bytes);
  }

  /** Closes the connection; pending requests fail. Quiet: `closed` is not reported. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failAll(new ChannelError("connection closed"));
    this.#connection?.destroy();
  }

  #send(method: string, url: string, options: RequestOptions): Promise<RtspResponse> {
    if (this.#closed || this.#connection === undefined) {
      return Promise.reject(new ChannelError("connection closed"));
    }
    const cseq = ++this.#cseq;
    let bytes: Uint8Array;
    try {
      const headers = new RtspHeaders({ CSeq: String(cseq), "User-Agent": USER_AGENT });
      for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
      if (this.session !== undefined) headers.set("Session", this.session);
      if (this.#authenticator) {
        headers.set("Authorization", this.#authenticator.header(method, url));
      }
      const body = options.body ?? new Uint8Array(0);
      bytes = formatRequest({ method, url, version: "RTSP/1.0", headers, body });
    } catch (e) {
      // A user name with control characters, a session id a server made up: nothing to send.
      return Promise.reject(new ChannelError(`cannot send: ${(e as Error).message}`));
    }
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs;
    const connection = this.#connection;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#pending.findIndex((p) => p.cseq === cseq);
        if (i >= 0) this.#pending.splice(i, 1);
        this.#expired.push(cseq);
        if (this.#expired.length > EXPIRED_KEPT) this.#expired.shift();
        reject(new ChannelError(`no complete response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.push({ cseq, method, resolve, reject, timer });
      connection.write(bytes);
    });
  }

  #data(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#parser.feed(bytes);
    for (;;) {
      const event = this.#parser.next();
      switch (event.kind) {
        case "need-more":
          return;
        case "response":
          this.#response(event.response);
          break;
        case "interleaved":
          try {
            this.#events.interleaved(event.channel, event.payload);
          } catch (e) {
            this.#options.logger.log("error", "pull: media handler failed", {
              error: printable(String(e), 200),
            });
          }
          break;
        case "request":
          this.#serverRequest(event.request.method, event.request.headers.get("CSeq"));
          break;
        case "error":
          this.#gone(new ChannelError(`unreadable reply: ${event.error.message}`));
          this.#connection?.destroy();
          return;
      }
      if (this.#closed) return;
    }
  }

  // Responses come in request order on one connection (RFC 2326 §10: a server answers in order),
  // so one whose CSeq matches nothing pending answers the oldest request. Seen on ESP32-RTSPServer
  // and Micro-RTSP, which answer GET_PARAMETER and PAUSE with 400 and the CSeq of an earlier
  // request; a missing CSeq is treated the same way.
  #response(response: RtspResponse): void {
    const cseq = Number(response.headers.get("CSeq") ?? NaN);
    let i = this.#pending.findIndex((p) => p.cseq === cseq);
    if (i < 0) {
      if (this.#expired.includes(cseq) || this.#pending.length === 0) {
        this.#options.logger.log("debug", "pull: dropped a response nobody waits for", {
          status: response.status,
        });
        return;
      }
      i = 0;
      this.#options.logger.log("debug", "pull: response CSeq matches no request; taken in order", {
        cseq: printable(response.headers.get("CSeq") ?? "(none)", 20),
        method: this.#pending[0].method,
      });
    }
    const [pending] = this.#pending.splice(i, 1);
    clearTimeout(pending.timer);
    pending.resolve(response);
  }

  // RFC 2326 §10: a server may send requests too (OPTIONS as a keepalive probe, ANNOUNCE,
  // SET_PARAMETER). This client implements none; answer so the server does not wait.
  #serverRequest(method: string, cseq: string | undefined): void {
    this.#options.logger.log("debug", "pull: the server sent a request", {
      method: printable(method, 32),
    });
    if (cseq === undefined || !/^\d{1,9}$/.test(cseq)) return;
    const status = method === "OPTIONS" ? 200 : 501;
    this.#connection?.write(formatResponse({
      status,
      reason: "",
      version: "RTSP/1.0",
      headers: new RtspHeaders({ CSeq: cseq }),
      body: new Uint8Array(0),
    }));
  }

  #gone(error: ChannelError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failAll(error);
    this.#events.closed(error);
  }

  #failAll(error: ChannelError): void {
    for (const p of this.#pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }
}
