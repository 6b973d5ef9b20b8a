/**
 * Media from clients, routed to their sessions: RTCP (receiver reports keep a session alive,
 * INTEROP.md), a publisher's RTP (frames for its path), anything else dropped. Interleaved data
 * comes on a connection; datagrams come on the server's shared RTP and RTCP ports and are told
 * apart by the address and port they came from.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import { parseRtcpCompound } from "../rtcp/parse.ts";
import type { NetAddress } from "../runtime/net.ts";
import type { PacketVerdict } from "./session/role.ts";
import type { Session } from "./session/session.ts";
import type { SessionTable } from "./session/session_table.ts";

/** What media in needs of the server. */
export interface MediaInContext {
  /** Every session. */
  readonly sessions: SessionTable;
  /** Monotonic time for signs of life. */
  readonly clock: Clock;
  /** Where malformed and stray packets are counted. */
  readonly counters: { badRtcp: number; strayDatagrams: number };
}

/**
 * Interleaved data on a connection whose sessions are `sessions`. Returns whether some session
 * of the connection has ever played or recorded, so the data was to be expected (then it is
 * taken, or dropped when on nobody's channel). A paused session still hears RTCP: GStreamer keeps
 * sending receiver reports between its PAUSE and its TEARDOWN.
 */
export function interleavedIn(
  server: MediaInContext,
  sessions: Iterable<Session>,
  channel: number,
  payload: Uint8Array,
): boolean {
  let expected = false;
  const now = server.clock.now();
  for (const session of sessions) {
    if (!session.started) continue;
    expected = true;
    const verdict = session.role.interleaved(channel, payload, now);
    if (verdict !== "stray") take(server, session, verdict, payload, now);
  }
  return expected;
}

/** A datagram on the shared RTCP port: RTCP of a UDP reader or publisher. */
export function rtcpDatagramIn(server: MediaInContext, data: Uint8Array, from: NetAddress): void {
  const session = server.sessions.byUdpPeer(from.hostname, from.port);
  if (session) take(server, session, "rtcp", data, server.clock.now());
}

/**
 * A datagram on the shared RTP port. Only a publisher's RTP, sent from the address and RTP port
 * its SETUP named, is taken; anything else is dropped (HARDENING.md: nobody else can inject media
 * into a path). Readers' NAT punch packets (ffmpeg) land here too and are dropped without a count.
 */
export function rtpDatagramIn(server: MediaInContext, data: Uint8Array, from: NetAddress): void {
  const session = server.sessions.byUdpPeer(from.hostname, from.port);
  const now = server.clock.now();
  const verdict = session ? session.role.datagram(from.port, data, now) : "stray";
  if (verdict === "stray") server.counters.strayDatagrams++;
  else take(server, session!, verdict, data, now);
}

function take(
  server: MediaInContext,
  session: Session,
  verdict: Exclude<PacketVerdict, "stray">,
  data: Uint8Array,
  now: number,
): void {
  if (verdict === "rtcp") {
    const packets = parseRtcpCompound(data);
    if (packets === undefined) {
      server.counters.badRtcp++;
      return;
    }
    session.lastSeen = now;
    session.role.rtcp?.(packets);
  } else if (verdict === "rtp") {
    session.lastSeen = now;
  }
}
