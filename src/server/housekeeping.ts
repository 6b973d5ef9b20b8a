/**
 * Housekeeping, once a second: session timeouts (RFC 2326 §12.37), RTCP sender reports, readers
 * that stopped reading (write stall), requests sent too slowly, idle connections.
 *
 * @module
 */

import { reapReason } from "../base/connection_limits.ts";
import type { Clock } from "../base/clock.ts";
import { type LogFields, type Logger, throttledLog } from "../base/log.ts";
import type { ServedConnection } from "./context.ts";
import type { SessionEndReason } from "./hooks.ts";
import type { ResolvedOptions } from "./options.ts";
import type { Session } from "./session/session.ts";
import type { SessionTable } from "./session/session_table.ts";

/** What housekeeping needs of the server. */
export interface HousekeepingContext {
  /** Timeouts. */
  readonly options: ResolvedOptions;
  /** Monotonic and wall clocks. */
  readonly clock: Clock;
  /** Where log lines go. */
  readonly logger: Logger;
  /** The RTCP CNAME of the server's sender reports. */
  readonly cname: string;
  /** Every session. */
  readonly sessions: SessionTable;
  /** What was reaped, counted. */
  readonly counters: { timedOutSessions: number; stalledConnections: number; slowRequests: number };
  /** Every open connection. */
  connections(): IterableIterator<ServedConnection>;
  /** Ends a session (the lifecycle point). */
  endSession(session: Session, reason: SessionEndReason): void;
}

/** Runs one round of housekeeping. */
export function housekeep(server: HousekeepingContext): void {
  const now = server.clock.now();
  const timeoutMs = server.options.sessionTimeout * 1000;
  const open = new Map<number, ServedConnection>();
  for (const conn of server.connections()) open.set(conn.id, conn);
  for (const session of [...server.sessions.values()]) {
    const conn = open.get(session.connectionId);
    const carried = session.role.livesByDraining && session.active && conn !== undefined;
    if (!carried && now - session.lastSeen > timeoutMs) {
      server.counters.timedOutSessions++;
      server.endSession(session, "timeout");
      // A session bound to its connection takes it along: a timed-out publisher's path is then
      // free for the next one at once.
      if (session.role.boundToConnection) conn?.close();
    } else if (session.active) {
      session.role.report(now, server.clock.wallMs(), server.cname);
    }
  }
  for (const conn of open.values()) checkConnection(server, conn, now, timeoutMs);
}

const slowLogs = new WeakMap<HousekeepingContext, (fields: LogFields) => void>();

function checkConnection(
  server: HousekeepingContext,
  conn: ServedConnection,
  now: number,
  idleMs: number,
): void {
  if (conn.pendingWrites === 0) conn.writeProgressAt = now;
  const reason = reapReason({
    now,
    lastActivityAt: conn.lastRequestAt,
    idleMs,
    busy: conn.sessions.size > 0, // a session has its own timeout
    partialSince: conn.partialSince,
    requestTimeoutMs: server.options.headerTimeout * 1000,
    writeProgressAt: conn.writeProgressAt,
    writeTimeoutMs: server.options.writeTimeout * 1000,
  });
  if (reason === "write stalled") {
    // HARDENING.md: a reader that leaves its data unread for the write deadline is disconnected.
    server.counters.stalledConnections++;
    server.logger.log("warn", "reader stalled; disconnecting", {
      connection: conn.id,
      peer: conn.peerLabel,
    });
    conn.destroy();
  } else if (reason === "request too slow") {
    // An absolute deadline for a whole request, not reset per byte (slowloris). A flood of such
    // connections is told once per interval, with a count.
    server.counters.slowRequests++;
    let log = slowLogs.get(server);
    if (!log) {
      log = throttledLog(
        server.logger,
        "warn",
        "request too slow or never sent; disconnecting",
        10_000,
        () => server.clock.now(),
      );
      slowLogs.set(server, log);
    }
    log({ connection: conn.id, peer: conn.peerLabel });
    conn.destroy();
  } else if (reason === "idle") {
    conn.close();
  }
}
