/**
 * All sessions of a server: lookup by id, by UDP peer (RTCP receiver reports from readers, RTP and
 * RTCP from publishers), and the caps on how many there may be in total and per client IP.
 *
 * @module
 */

import { RtspError } from "../../rtsp/status.ts";
import type { Session } from "./session.ts";

/** Caps on the number of sessions. */
export interface SessionCaps {
  /** Sessions in total. */
  maxSessions: number;
  /** Sessions from one IP. */
  maxSessionsPerIp: number;
}

function udpKey(hostname: string, port: number): string {
  return `${hostname}|${port}`;
}

/** The server's sessions. */
export class SessionTable {
  #byId = new Map<string, Session>();
  #perIp = new Map<string, number>();
  #byUdpPeer = new Map<string, Session>();
  #udpKeys = new Map<Session, string[]>();
  #caps: SessionCaps;

  /** An empty table with these caps. */
  constructor(caps: SessionCaps) {
    this.#caps = caps;
  }

  /** Number of sessions. */
  get size(): number {
    return this.#byId.size;
  }

  /** Throws 453 Not Enough Bandwidth (RFC 2326 §11.3.6) when one more session from `ip` would pass a cap. */
  checkRoom(ip: string): void {
    if (this.#byId.size >= this.#caps.maxSessions) {
      throw new RtspError(453, "Not Enough Bandwidth (session limit reached)");
    }
    if ((this.#perIp.get(ip) ?? 0) >= this.#caps.maxSessionsPerIp) {
      throw new RtspError(453, "Not Enough Bandwidth (session limit for this address reached)");
    }
  }

  /** Adds a session; call {@link checkRoom} first. */
  add(session: Session): void {
    this.#byId.set(session.id, session);
    const ip = session.peer.hostname;
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
  }

  /**
   * Routes datagrams from `hostname` at `ports` to `session` (a UDP reader's RTCP, a publisher's
   * RTP and RTCP), until the session is deleted. The latest binding of an address wins.
   */
  bindUdp(session: Session, hostname: string, ports: readonly number[]): void {
    if (this.#byId.get(session.id) !== session) return;
    const keys = this.#udpKeys.get(session) ?? [];
    for (const port of ports) {
      const key = udpKey(hostname, port);
      this.#byUdpPeer.set(key, session);
      keys.push(key);
    }
    this.#udpKeys.set(session, keys);
  }

  /** Whether `session` is in the table (not ended). */
  has(session: Session): boolean {
    return this.#byId.get(session.id) === session;
  }

  /** The session with this id, if any. */
  get(id: string): Session | undefined {
    return this.#byId.get(id);
  }

  /** The UDP session whose client sends from `hostname:port`, if any. */
  byUdpPeer(hostname: string, port: number): Session | undefined {
    return this.#byUdpPeer.get(udpKey(hostname, port));
  }

  /** Removes a session (it is not closed here). Returns whether it was present. */
  delete(session: Session): boolean {
    if (this.#byId.get(session.id) !== session) return false;
    this.#byId.delete(session.id);
    const ip = session.peer.hostname;
    const left = (this.#perIp.get(ip) ?? 1) - 1;
    if (left > 0) this.#perIp.set(ip, left);
    else this.#perIp.delete(ip);
    for (const key of this.#udpKeys.get(session) ?? []) {
      if (this.#byUdpPeer.get(key) === session) this.#byUdpPeer.delete(key);
    }
    this.#udpKeys.delete(session);
    return true;
  }

  /** Every session. */
  values(): IterableIterator<Session> {
    return this.#byId.values();
  }
}
