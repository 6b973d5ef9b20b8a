/**
 * All sessions of a server: lookup by id, by UDP peer (for RTCP receiver reports), and the caps on
 * how many there may be in total and per client IP.
 *
 * @module
 */

import { RtspError } from "../rtsp/status.ts";
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
    const udp = session.udp;
    if (udp) {
      this.#byUdpPeer.set(udpKey(udp.peer.hostname, udp.clientPorts[1]), session);
      this.#byUdpPeer.set(udpKey(udp.peer.hostname, udp.clientPorts[0]), session);
    }
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
    const udp = session.udp;
    if (udp) {
      for (const port of udp.clientPorts) {
        const key = udpKey(udp.peer.hostname, port);
        if (this.#byUdpPeer.get(key) === session) this.#byUdpPeer.delete(key);
      }
    }
    return true;
  }

  /** Every session. */
  values(): IterableIterator<Session> {
    return this.#byId.values();
  }
}
