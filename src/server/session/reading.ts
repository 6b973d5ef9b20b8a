/**
 * The reader's role of a session: one stream's video, its audio, or both, each track through its
 * own transport (interleaved channels or UDP ports), each with its RTCP sender reports
 * (RFC 3550 §6.4.1, stamped from the stream's one clock so the client can line them up), and the
 * track URLs its PLAY reply names in RTP-Info.
 *
 * @module
 */

import type { RtpInfoEntry } from "../../rtsp/rtp_info.ts";
import type { Reader } from "../stream/reader.ts";
import type { Stream } from "../stream/stream.ts";
import { InterleavedTransport, UdpTransport } from "../stream/transport.ts";
import type { PacketVerdict, SessionCounters, SessionRole } from "./role.ts";

/** Milliseconds between RTCP sender reports to a reader (RFC 3550 §6.2 minimum interval). */
export const SENDER_REPORT_INTERVAL_MS = 5000;

/** The tracks of a stream a reader can set up: the video is track 0, the audio track 1. */
export type TrackKind = "video" | "audio";

/** One track a reader set up. */
export interface ReadTrack {
  /** Which track. */
  readonly kind: TrackKind;
  /** The track URL as the client sent it in SETUP (credentials stripped), for RTP-Info. */
  readonly url: string;
  /** How its media reaches the client. */
  readonly reader: Reader;
}

/** A session that reads a stream. */
export class Reading implements SessionRole {
  /** Tells it apart from a publisher's role. */
  readonly name = "reader";
  /** What it reads. */
  readonly stream: Stream;
  #tracks: ReadTrack[] = [];
  #nextReportAt = 0;

  /** Reads `stream` through the first track set up. */
  constructor(stream: Stream, first: ReadTrack) {
    this.stream = stream;
    this.#tracks.push(first);
  }

  /** The tracks set up, in SETUP order. */
  get tracks(): readonly ReadTrack[] {
    return this.#tracks;
  }

  /** The track of `kind`, when set up. */
  track(kind: TrackKind): ReadTrack | undefined {
    return this.#tracks.find((t) => t.kind === kind);
  }

  /** Adds a second track (the client's SETUP of another track inside its session). */
  addTrack(track: ReadTrack): void {
    this.#tracks.push(track);
  }

  /** The first track's reader: what the session's counters and the API show as its traffic. */
  get reader(): Reader {
    return (this.track("video") ?? this.#tracks[0]).reader;
  }

  get transport(): "tcp" | "udp" {
    return this.#tracks[0].reader.transport.kind;
  }

  get interleavedChannels(): readonly number[] {
    return this.#tracks.flatMap((t) => {
      const transport = t.reader.transport;
      return transport instanceof InterleavedTransport ? [...transport.channels] : [];
    });
  }

  get boundToConnection(): boolean {
    return this.transport === "tcp";
  }

  get livesByDraining(): boolean {
    return this.transport === "tcp";
  }

  /** The UDP transports of the tracks that use one. */
  get udp(): UdpTransport[] {
    return this.#tracks.flatMap((t) =>
      t.reader.transport instanceof UdpTransport ? [t.reader.transport] : []
    );
  }

  get counters(): SessionCounters {
    const framesDropped = this.#tracks.reduce((n, t) => n + t.reader.stats.framesDropped, 0);
    return { framesDropped, badRtp: 0, droppedAccessUnits: 0 };
  }

  start(): void {
    this.#nextReportAt = 0; // a first sender report right away, with the first frames
    const video = this.track("video")?.reader;
    const audio = this.track("audio")?.reader;
    if (video) this.stream.attach(video, audio);
    else if (audio) this.stream.attachAudio(audio);
  }

  stop(): void {
    this.#detach();
  }

  close(): void {
    this.#detach();
    for (const t of this.#tracks) t.reader.transport.close();
  }

  /**
   * Where each track starts, for the PLAY reply's RTP-Info (RFC 2326 §12.33): the video at the
   * stream's start point, the audio at the first packet of the same instant.
   */
  rtpInfo(): RtpInfoEntry[] {
    const start = this.stream.startPoint();
    return this.#tracks.map((t) => {
      const point = t.kind === "video"
        ? start
        : this.stream.audio?.startPoint(this.track("video") ? start.streamUs : undefined);
      return { url: t.url, seq: point?.sequence, rtptime: point?.rtpTimestamp };
    });
  }

  interleaved(channel: number): PacketVerdict {
    // RTP from a reader has no business here; it is dropped without a word.
    for (const t of this.#tracks) {
      const transport = t.reader.transport;
      if (!(transport instanceof InterleavedTransport)) continue;
      if (channel === transport.channels[1]) return "rtcp";
      if (channel === transport.channels[0]) return "dropped";
    }
    return "stray";
  }

  /** A reader's receiver reports: that they came is the sign of life the server counts. */
  rtcp(): void {}

  /** A reader's datagram on the server's RTP port: ffmpeg's NAT punch packets. Dropped. */
  datagram(): PacketVerdict {
    return "dropped";
  }

  /**
   * Sends each track's RTCP sender report when one is due at monotonic ms `now`: the NTP/RTP time
   * pairs, all of the same instant, that let the client line its tracks up with each other and
   * with the wall clock `wallMs`.
   */
  report(now: number, wallMs: number, cname: string): void {
    if (now < this.#nextReportAt) return;
    this.#nextReportAt = now + SENDER_REPORT_INTERVAL_MS;
    for (const t of this.#tracks) {
      if (t.kind === "video") {
        t.reader.sendReport(this.stream.ssrc, wallMs, this.stream.rtpTimeAt(now), cname);
      } else if (this.stream.audio) {
        const audio = this.stream.audio;
        t.reader.sendReport(audio.ssrc, wallMs, audio.rtpTimeAt(now), cname);
      }
    }
  }

  summary(): Record<string, number> {
    const s = this.reader.stats;
    const audio = this.track("audio");
    const out: Record<string, number> = {
      framesSent: s.framesSent,
      framesDropped: s.framesDropped,
    };
    if (audio && audio.reader !== this.reader) {
      out.audioPacketsSent = audio.reader.stats.packetsSent;
    }
    return out;
  }

  #detach(): void {
    const video = this.track("video")?.reader;
    const audio = this.track("audio")?.reader;
    if (video) this.stream.detach(video);
    else if (audio) this.stream.detach(audio);
  }
}
