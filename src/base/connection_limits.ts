/**
 * The connection policy both listeners share (the RTSP port and the ingest port): how many
 * connections may be open at once, in all and from one address, and when the housekeeping tick
 * closes one that has stopped doing its part. Pure: counts in, decisions out; the callers own the
 * sockets, the clock and the log lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionCounter, reapReason } from "./connection_limits.ts";
 * const counter = new ConnectionCounter({ maxConnections: 2, maxConnectionsPerIp: 1 });
 * assert.equal(counter.admit("10.0.0.7"), undefined);
 * assert.equal(counter.admit("10.0.0.7"), "too many connections from this address");
 * counter.release("10.0.0.7");
 * assert.equal(counter.admit("10.0.0.7"), undefined);
 * assert.equal(reapReason({ now: 31_000, lastActivityAt: 0, idleMs: 30_000 }), "idle");
 * ```
 *
 * @module
 */

/** Caps on open connections. */
export interface ConnectionCaps {
  /** Open connections at most, from everyone. */
  maxConnections: number;
  /** Open connections at most from one IP address. */
  maxConnectionsPerIp: number;
}

/** Why a connection was refused at accept time, in words fit for a log line. */
export type ConnectionRefusal =
  | "too many connections"
  | "too many connections from this address";

/**
 * Counts open connections by peer address against {@link ConnectionCaps}. Every `admit` that
 * returns undefined must be matched by one `release` when that connection closes.
 */
export class ConnectionCounter {
  readonly #caps: ConnectionCaps;
  readonly #perIp = new Map<string, number>();
  #open = 0;

  /** Counts against `caps`. */
  constructor(caps: ConnectionCaps) {
    this.#caps = caps;
  }

  /** Open connections counted. */
  get open(): number {
    return this.#open;
  }

  /** Open connections counted from `ip`. */
  openFrom(ip: string): number {
    return this.#perIp.get(ip) ?? 0;
  }

  /**
   * Counts a new connection from `ip` and returns undefined, or returns why it must be refused
   * (then nothing is counted, and the caller closes it at once).
   */
  admit(ip: string): ConnectionRefusal | undefined {
    if (this.#open >= this.#caps.maxConnections) return "too many connections";
    const fromIp = this.openFrom(ip);
    if (fromIp >= this.#caps.maxConnectionsPerIp) return "too many connections from this address";
    this.#perIp.set(ip, fromIp + 1);
    this.#open++;
    return undefined;
  }

  /** A connection admitted from `ip` closed. Releasing more than was admitted is ignored. */
  release(ip: string): void {
    const fromIp = this.#perIp.get(ip);
    if (fromIp === undefined) return;
    // Forget an address with nothing open, so the map does not grow with every peer ever seen.
    if (fromIp > 1) this.#perIp.set(ip, fromIp - 1);
    else this.#perIp.delete(ip);
    this.#open--;
  }
}

/** What the housekeeping tick knows about one connection, all times in the same milliseconds. */
export interface ConnectionTimes {
  /** The time now. */
  now: number;
  /** When the connection last did its part (a byte received, a request served). */
  lastActivityAt: number;
  /** Close a connection that did nothing for this long. */
  idleMs: number;
  /** Whether it is exempt from the idle rule (it holds a session that has its own timeout). */
  busy?: boolean;
  /** When the request being received started, if one is part-way in. */
  partialSince?: number;
  /** A whole request must arrive within this long of its first byte. */
  requestTimeoutMs?: number;
  /** When the connection's peer last took queued bytes (or had none queued). */
  writeProgressAt?: number;
  /** A peer that leaves queued bytes unread for this long is stalled. */
  writeTimeoutMs?: number;
}

/** Why the housekeeping tick closes a connection. */
export type ReapReason = "write stalled" | "request too slow" | "idle";

/**
 * Whether the housekeeping tick should close a connection now, and why; undefined keeps it.
 * Checked in this order: a peer that stopped reading what it is sent (HARDENING.md), a request
 * that trickles in past its deadline (counted from its first byte, not reset per byte, which is
 * what defeats slowloris), then plain idleness of a connection that is not `busy`.
 */
export function reapReason(t: ConnectionTimes): ReapReason | undefined {
  if (
    t.writeProgressAt !== undefined && t.writeTimeoutMs !== undefined &&
    t.now - t.writeProgressAt > t.writeTimeoutMs
  ) {
    return "write stalled";
  }
  if (
    t.partialSince !== undefined && t.requestTimeoutMs !== undefined &&
    t.now - t.partialSince > t.requestTimeoutMs
  ) {
    return "request too slow";
  }
  if (!t.busy && t.now - t.lastActivityAt > t.idleMs) return "idle";
  return undefined;
}
