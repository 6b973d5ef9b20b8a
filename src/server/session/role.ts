/**
 * What differs between a reader's and a publisher's session, as the server sees it: the
 * interface both roles (`Reading` in `reading.ts`, `Publishing` in `publishing.ts`)
 * implement, so the lifecycle point, media in and housekeeping need not ask which one it is.
 *
 * @module
 */

import type { RtcpPacket } from "../../rtcp/parse.ts";
import type { Stream } from "../stream/stream.ts";

/** Counters a session adds to the server's totals. */
export interface SessionCounters {
  /** Frames not sent to a reader that had fallen behind. */
  framesDropped: number;
  /** A publisher's RTP packets dropped as malformed or of another payload type. */
  badRtp: number;
  /** A publisher's access units dropped: lost packets, bad H.264 payload, over the size cap. */
  droppedAccessUnits: number;
}

/** What a packet from a session's client was, as far as its role can tell. */
export type PacketVerdict =
  /** RTCP on the session's RTCP channel or port: checked by the server, a sign of life if valid. */
  | "rtcp"
  /** Valid RTP taken (or checked and discarded, for a track not carried): a sign of life. */
  | "rtp"
  /** RTP that was not taken: malformed, or outside RECORD. */
  | "dropped"
  /** Not on any channel or port of this session. */
  | "stray";

/** What differs between a reader's and a publisher's session. */
export interface SessionRole {
  /** The stream read or fed. */
  readonly stream: Stream;
  /** How media goes, once a SETUP chose: interleaved (`"tcp"`) or `"udp"`. */
  readonly transport: "tcp" | "udp" | undefined;
  /** The interleaved channels the session holds on its connection. */
  readonly interleavedChannels: readonly number[];
  /**
   * Whether the session can only be used from the connection that made it, and ends with it:
   * interleaved media dies with its connection, and a path must not stay claimed by a publisher
   * that is gone. UDP readers live on until TEARDOWN or timeout (RFC 2326 §3).
   */
  readonly boundToConnection: boolean;
  /**
   * Whether an active session proves it is alive by draining its connection (a reader playing
   * interleaved): the write deadline catches it when it stops, not the session timeout.
   */
  readonly livesByDraining: boolean;
  /** Counters so far. */
  readonly counters: SessionCounters;
  /** Media starts (PLAY, RECORD). */
  start(): void;
  /** Media stops, the session stays (PAUSE). */
  stop(): void;
  /** Ends the session's media for good, at monotonic ms `now`. */
  close(now: number): void;
  /** A packet on interleaved `channel` at monotonic ms `now`. */
  interleaved(channel: number, packet: Uint8Array, now: number): PacketVerdict;
  /** A datagram on the server's RTP port from the client's port `port`, at monotonic ms `now`. */
  datagram(port: number, packet: Uint8Array, now: number): PacketVerdict;
  /** The RTCP packets of a valid compound packet from the client (a publisher's sender reports). */
  rtcp?(packets: readonly RtcpPacket[]): void;
  /** Sends an RTCP sender report if one is due at monotonic ms `now` (readers only). */
  report(now: number, wallMs: number, cname: string): void;
  /** Fields for the log line of the session's end. */
  summary(): Record<string, number>;
}

/** `into` plus `add`, field by field. */
export function addCounters(into: SessionCounters, add: SessionCounters): void {
  into.framesDropped += add.framesDropped;
  into.badRtp += add.badRtp;
  into.droppedAccessUnits += add.droppedAccessUnits;
}
