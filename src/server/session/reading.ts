/**
 * The reader's role of a session: one stream's frames through one transport (interleaved or UDP),
 * its RTCP sender reports (RFC 3550 §6.4.1), and the track URL its PLAY reply names.
 *
 * @module
 */

import type { Reader } from "../stream/reader.ts";
import type { Stream } from "../stream/stream.ts";
import { InterleavedTransport, UdpTransport } from "../stream/transport.ts";
import type { PacketVerdict, SessionCounters, SessionRole } from "./role.ts";

/** Milliseconds between RTCP sender reports to a reader (RFC 3550 §6.2 minimum interval). */
export const SENDER_REPORT_INTERVAL_MS = 5000;

/** A session that reads a stream. */
export class Reading implements SessionRole {
  /** Tells it apart from a publisher's role. */
  readonly name = "reader";
  /** What it reads. */
  readonly stream: Stream;
  /** The track URL as the client sent it in SETUP (credentials stripped), for RTP-Info. */
  readonly trackUrl: string;
  /** How media reaches the client. */
  readonly reader: Reader;
  #nextReportAt = 0;

  /** Reads `stream` through `reader`. */
  constructor(stream: Stream, trackUrl: string, reader: Reader) {
    this.stream = stream;
    this.trackUrl = trackUrl;
    this.reader = reader;
  }

  get transport(): "tcp" | "udp" {
    return this.reader.transport.kind;
  }

  get interleavedChannels(): readonly number[] {
    const t = this.reader.transport;
    return t instanceof InterleavedTransport ? t.channels : [];
  }

  get boundToConnection(): boolean {
    return this.transport === "tcp";
  }

  get livesByDraining(): boolean {
    return this.transport === "tcp";
  }

  /** The UDP transport, when the session uses one. */
  get udp(): UdpTransport | undefined {
    const t = this.reader.transport;
    return t instanceof UdpTransport ? t : undefined;
  }

  get counters(): SessionCounters {
    return { framesDropped: this.reader.stats.framesDropped, badRtp: 0, droppedAccessUnits: 0 };
  }

  start(): void {
    this.#nextReportAt = 0; // a first sender report right away, with the first frames
    this.stream.attach(this.reader);
  }

  stop(): void {
    this.stream.detach(this.reader);
  }

  close(): void {
    this.stream.detach(this.reader);
    this.reader.transport.close();
  }

  interleaved(channel: number): PacketVerdict {
    // RTP from a reader has no business here; it is dropped without a word.
    const channels = this.interleavedChannels;
    return channel === channels[1] ? "rtcp" : channel === channels[0] ? "dropped" : "stray";
  }

  /** A reader's datagram on the server's RTP port: ffmpeg's NAT punch packets. Dropped. */
  datagram(): PacketVerdict {
    return "dropped";
  }

  /**
   * Sends an RTCP sender report when one is due at monotonic ms `now`: the NTP/RTP time pair that
   * lets the client line its media up with the wall clock `wallMs`.
   */
  report(now: number, wallMs: number, cname: string): void {
    if (now < this.#nextReportAt) return;
    this.#nextReportAt = now + SENDER_REPORT_INTERVAL_MS;
    this.reader.sendReport(this.stream.ssrc, wallMs, this.stream.rtpTimeAt(now), cname);
  }

  summary(): Record<string, number> {
    const s = this.reader.stats;
    return { framesSent: s.framesSent, framesDropped: s.framesDropped };
  }
}
