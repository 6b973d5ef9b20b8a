/**
 * An RTSP session (RFC 2326 §3, Appendix A): one client reading one stream or publishing one, with
 * its state, its binding to the client that made it, and its sign-of-life time. What differs
 * between reading and publishing lives in its role ({@link Reading} or {@link Publishing}); the
 * states are gortsplib's `ServerSession` ones.
 *
 * @module
 */

import type { NetAddress } from "../../runtime/net.ts";
import type { Stream } from "../stream/stream.ts";
import type { Publishing } from "./publishing.ts";
import type { Reading } from "./reading.ts";

/**
 * Where a session is in its life (RFC 2326 Appendix A.2, as gortsplib names it): a publisher is
 * `initial` from ANNOUNCE to its first SETUP, then `preRecord` until RECORD; a reader is `prePlay`
 * from SETUP until PLAY. PAUSE goes back from `play` or `record` to the state before.
 */
export type SessionState = "initial" | "prePlay" | "play" | "preRecord" | "record";

/** One session. */
export class Session {
  /** Random id (see `session_id.ts` beside this file). */
  readonly id: string;
  /** The role and what it holds; tells readers and publishers apart. */
  readonly role: Reading | Publishing;
  /** Who made it: a session is only usable from this IP (HARDENING.md, Access). */
  readonly peer: NetAddress;
  /** `address:port` of the client that made it, for logs and hooks. */
  readonly peerLabel: string;
  /** Id of the connection it was made on. */
  readonly connectionId: number;
  /** Where it is in its life. */
  state: SessionState;
  /** Whether it has ever played or recorded: from then on the client's interleaved data is expected. */
  started = false;
  /** Monotonic ms of the last sign of life: a request, a valid RTCP packet, a publisher's RTP. */
  lastSeen: number;
  /** Wall-clock ms the server registered it (set by the server's lifecycle point). */
  createdAt = 0;

  /** A session made by a client at monotonic ms `now`. */
  constructor(init: {
    id: string;
    role: Reading | Publishing;
    peer: NetAddress;
    peerLabel: string;
    connectionId: number;
    now: number;
  }) {
    this.id = init.id;
    this.role = init.role;
    this.peer = init.peer;
    this.peerLabel = init.peerLabel;
    this.connectionId = init.connectionId;
    this.lastSeen = init.now;
    this.state = init.role.name === "reader" ? "prePlay" : "initial";
  }

  /** The stream read or fed. */
  get stream(): Stream {
    return this.role.stream;
  }

  /** The normalized path read or published. */
  get path(): string {
    return this.role.stream.path;
  }

  /** Whether media is flowing: playing or recording. */
  get active(): boolean {
    return this.state === "play" || this.state === "record";
  }

  /** Whether media goes inside the RTSP connection. */
  get interleaved(): boolean {
    return this.role.transport === "tcp";
  }

  /** A publisher's first track was set up: RECORD may come. */
  tracksReady(): void {
    if (this.state === "initial") this.state = "preRecord";
  }

  /** PLAY or RECORD: media starts. Idempotent. */
  start(): void {
    if (this.active) return;
    this.state = this.role.name === "reader" ? "play" : "record";
    this.started = true;
    this.role.start();
  }

  /** PAUSE: media stops, the session stays. Idempotent. */
  pause(): void {
    if (!this.active) return;
    this.state = this.role.name === "reader" ? "prePlay" : "preRecord";
    this.role.stop();
  }

  /** Ends the session's media for good (TEARDOWN, timeout, connection loss...). */
  close(now: number): void {
    this.role.close(now);
    this.state = this.role.name === "reader" ? "prePlay" : "preRecord";
  }
}
