/**
 * The publisher's role of a session (RFC 2326 §10.3, §10.11): made by ANNOUNCE, its tracks set up
 * one SETUP each, media taken from RECORD on. It holds the path's publication, turns the H.264
 * track's packets into the stream's frames and hands the audio track's payloads to the stream's
 * audio track; the other tracks' packets are checked and discarded.
 *
 * @module
 */

import { H264Receiver, type H264ReceiverStats } from "../../rtp/h264_receiver.ts";
import { parseRtpPacket } from "../../rtp/header.ts";
import { AudioReceiver } from "../../rtcp/audio_receiver.ts";
import type { RtcpPacket } from "../../rtcp/parse.ts";
import type { Announcement } from "../../sdp/announcement.ts";
import type { ServerPublication } from "../publishers.ts";
import type { Stream } from "../stream/stream.ts";
import { AnnouncedTracks } from "./announced_tracks.ts";
import type { PacketVerdict, SessionCounters, SessionRole } from "./role.ts";

/** One announced media set up by SETUP, with where its packets come from. */
export interface PublishedTrack {
  /** Index of the media in the announced SDP. */
  readonly media: number;
  /** Interleaved RTP and RTCP channels, for RTP/AVP/TCP. */
  readonly channels?: readonly [number, number];
  /** The publisher's RTP and RTCP ports, for RTP/AVP over UDP. */
  readonly clientPorts?: readonly [number, number];
}

/** A session that publishes a path. */
export class Publishing implements SessionRole {
  /** Tells it apart from a reader's role. */
  readonly name = "publisher";
  /** The announced media. */
  readonly announcement: Announcement;
  /** The claim on the path. */
  readonly publication: ServerPublication;
  /** Tracks set up, by media index. */
  readonly tracks: Map<number, PublishedTrack> = new Map();
  readonly boundToConnection = true;
  /** A publisher must send something: a request, RTP or RTCP. */
  readonly livesByDraining = false;
  #trackUrls: AnnouncedTracks;
  #receiver: H264Receiver;
  #recording = false;
  #publisher: string;
  #bytesReceived = 0;
  #audioIn: AudioReceiver | undefined;
  #audioStats = { frames: 0, dropped: 0 };

  /** Publishes `announcement` (announced at `requestUrl`) through `publication`. */
  constructor(init: {
    announcement: Announcement;
    requestUrl: string;
    publication: ServerPublication;
    maxAccessUnitSize: number;
    /** Who publishes, for the reason new readers hear when it has left, e.g. `rtsp 10.0.0.7`. */
    publisher: string;
  }) {
    this.#publisher = init.publisher;
    const a = this.announcement = init.announcement;
    const publication = this.publication = init.publication;
    this.#trackUrls = new AnnouncedTracks(init.requestUrl, a.controls);
    if (a.audio) this.#audioIn = new AudioReceiver(a.audio, a.clockRate);
    this.#receiver = new H264Receiver((nals, timestamp) => {
      // A publisher replaced by another no longer owns the stream.
      if (publication.active) publication.stream.sendFrame(nals, { timestamp });
    }, {
      payloadType: a.payloadType,
      clockRate: a.clockRate,
      maxAccessUnitSize: init.maxAccessUnitSize,
    });
  }

  get stream(): Stream {
    return this.publication.stream;
  }

  /** Lower transport of the tracks set up so far (all share one), if any. */
  get transport(): "tcp" | "udp" | undefined {
    for (const track of this.tracks.values()) return track.channels ? "tcp" : "udp";
    return undefined;
  }

  get interleavedChannels(): readonly number[] {
    return [...this.tracks.values()].flatMap((t) => t.channels ? [...t.channels] : []);
  }

  /** Whether the H.264 track is set up, so RECORD may start. */
  get videoReady(): boolean {
    return this.tracks.has(this.announcement.video);
  }

  /** RTP bytes received on every track, dropped packets included. */
  get bytesReceived(): number {
    return this.#bytesReceived;
  }

  /** Counters of the H.264 track's packets. */
  get receiverStats(): H264ReceiverStats {
    return this.#receiver.stats;
  }

  get counters(): SessionCounters {
    const s = this.#receiver.stats;
    return { framesDropped: 0, badRtp: s.badPackets, droppedAccessUnits: s.droppedAccessUnits };
  }

  /** The index of the announced media a SETUP of `url` names, if any. */
  trackOf(url: string): number | undefined {
    return this.#trackUrls.find(url);
  }

  /** Adds a track set up by SETUP. */
  addTrack(track: PublishedTrack): void {
    this.tracks.set(track.media, track);
  }

  start(): void {
    this.#recording = true;
  }

  stop(): void {
    this.#recording = false;
  }

  /** What is whole goes to the stream, and the path is given up. */
  close(now: number): void {
    if (this.#recording) this.#receiver.flush(now * 1000);
    this.#recording = false;
    this.publication.release(`${this.#publisher} stopped publishing`);
  }

  /** A publisher is sent no sender reports: it sends them. */
  report(): void {}

  interleaved(channel: number, packet: Uint8Array, now: number): PacketVerdict {
    for (const track of this.tracks.values()) {
      if (track.channels?.[0] === channel) return this.#rtp(track, packet, now);
      if (track.channels?.[1] === channel) return "rtcp";
    }
    return "stray";
  }

  /** A datagram on the server's RTP port from the publisher's port `port`. */
  datagram(port: number, packet: Uint8Array, now: number): PacketVerdict {
    for (const track of this.tracks.values()) {
      if (track.clientPorts?.[0] === port) return this.#rtp(track, packet, now);
    }
    return "stray"; // RTCP belongs on the RTCP port
  }

  summary(): Record<string, number> {
    const s = this.#receiver.stats;
    const out: Record<string, number> = {
      packets: s.packets,
      accessUnits: s.accessUnits,
      droppedAccessUnits: s.droppedAccessUnits,
      badRtp: s.badPackets,
    };
    if (this.announcement.audio) {
      out.audioFrames = this.#audioStats.frames;
      if (this.#audioIn?.l16Swapped) out.l16Swapped = 1;
      out.droppedAudio = this.#audioStats.dropped;
    }
    return out;
  }

  /**
   * One RTP packet of `track`. Packets of tracks not carried (audio) are checked and discarded;
   * packets outside RECORD are dropped.
   */
  #rtp(track: PublishedTrack, packet: Uint8Array, now: number): PacketVerdict {
    this.#bytesReceived += packet.length;
    if (track.media === this.announcement.audio?.index) return this.#audio(packet, now);
    if (track.media !== this.announcement.video) {
      return packet.length >= 12 && packet[0] >> 6 === 2 ? "rtp" : "dropped";
    }
    if (!this.#recording) return "dropped";
    return this.#receiver.push(packet, now * 1000) ? "rtp" : "dropped";
  }

  /**
   * One RTP packet of the audio track: its frames go to the stream's audio track, timed on the
   * video's clock (see {@link AudioReceiver}).
   */
  #audio(bytes: Uint8Array, now: number): PacketVerdict {
    const audio = this.#audioIn!;
    if (!this.#recording || !this.publication.active) {
      const packet = parseRtpPacket(bytes);
      if (packet?.payloadType === audio.audio.payloadType) return "rtp";
      this.#audioStats.dropped++;
      return "dropped";
    }
    const taken = audio.push(
      bytes,
      now * 1000,
      (rtp) => this.#receiver.timeOf(rtp),
      (frame, us) => {
        if (this.stream.sendAudio(frame, us)) this.#audioStats.frames++;
        else this.#audioStats.dropped++;
      },
      this.#receiver.ssrc,
    );
    if (taken) return "rtp";
    this.#audioStats.dropped++;
    return "dropped";
  }

  /** Keeps the publisher's sender reports, which line its audio up with its video. */
  rtcp(packets: readonly RtcpPacket[]): void {
    this.#audioIn?.rtcp(packets);
  }
}
