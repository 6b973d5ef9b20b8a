/**
 * An RTSP session (RFC 2326 §3, Appendix A): one client reading one stream through one transport,
 * with its state, its binding to the client that made it, and its sign-of-life time. A publisher's
 * session is a {@link RecordSession}; a session is one or the other, never both.
 *
 * @module
 */

import type { NetAddress } from "../../runtime/net.ts";
import type { Reader } from "../reader.ts";
import type { RecordSession } from "./record_session.ts";
import type { Stream } from "../stream.ts";
import { InterleavedTransport, UdpTransport } from "../transport.ts";

/** Appendix A server states that a session can be in once it exists. */
export type SessionState = "ready" | "playing";

/** Any session in the table: a reader's or a publisher's, told apart by `kind`. */
export type AnySession = Session | RecordSession;

/** One reader's session. */
export class Session {
  /** Tells it apart from a publisher's session. */
  readonly kind = "play";
  /** Random id (see `session_id.ts`). */
  readonly id: string;
  /** What it reads. */
  readonly stream: Stream;
  /** The track URL as the client sent it in SETUP, for RTP-Info. */
  readonly trackUrl: string;
  /** Who made it: a session is only usable from this IP (HARDENING.md, Access). */
  readonly peer: NetAddress;
  /** Id of the connection it was made on. Interleaved sessions are only usable there. */
  readonly connectionId: number;
  /** How media reaches the client. */
  readonly reader: Reader;
  /** Current state. */
  state: SessionState = "ready";
  /** Whether it has ever played: from then on the client's interleaved RTCP is expected, paused or not. */
  started = false;
  /** Monotonic ms of the last sign of life (a request, an RTCP packet). */
  lastSeen: number;
  /** Monotonic ms at which the next RTCP sender report is due. */
  nextReportAt = 0;

  /** Made by the SETUP handler. */
  constructor(init: {
    id: string;
    stream: Stream;
    trackUrl: string;
    peer: NetAddress;
    connectionId: number;
    reader: Reader;
    now: number;
  }) {
    this.id = init.id;
    this.stream = init.stream;
    this.trackUrl = init.trackUrl;
    this.peer = init.peer;
    this.connectionId = init.connectionId;
    this.reader = init.reader;
    this.lastSeen = init.now;
  }

  /** Whether media goes inside the RTSP connection. */
  get interleaved(): boolean {
    return this.reader.transport instanceof InterleavedTransport;
  }

  /** The interleaved channels it holds on its connection. */
  get interleavedChannels(): number[] {
    const t = this.reader.transport;
    return t instanceof InterleavedTransport ? [...t.channels] : [];
  }

  /** The UDP transport, when the session uses one. */
  get udp(): UdpTransport | undefined {
    const t = this.reader.transport;
    return t instanceof UdpTransport ? t : undefined;
  }

  /** Starts delivery (PLAY). */
  play(): void {
    if (this.state === "playing") return;
    this.state = "playing";
    this.started = true;
    this.stream.attach(this.reader);
  }

  /** Stops delivery but keeps the session (PAUSE). */
  pause(): void {
    if (this.state !== "playing") return;
    this.state = "ready";
    this.stream.detach(this.reader);
  }

  /** Ends delivery for good (TEARDOWN, timeout, connection loss). */
  close(): void {
    this.stream.detach(this.reader);
    this.reader.transport.close();
    this.state = "ready";
  }
}
