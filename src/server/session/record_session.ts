/**
 * A publisher's RTSP session (RFC 2326 §10.3, §10.11, Appendix A): made by ANNOUNCE, its tracks
 * set up one SETUP each, media accepted from RECORD on. It holds the path's publication and turns
 * the H.264 track's packets into the stream's frames.
 *
 * @module
 */

import type { NetAddress } from "../../runtime/net.ts";
import type { Publication } from "../publishers.ts";
import type { Announcement } from "../../sdp/announcement.ts";
import { RtpH264Ingest, type RtpH264IngestStats } from "../../rtp/h264_receiver.ts";
import type { Stream } from "../stream.ts";

/**
 * Appendix A server states of a publisher: announced (no track set up yet), ready (set up, not
 * recording), recording.
 */
export type RecordState = "announced" | "ready" | "recording";

/** One announced media set up by SETUP, with where its packets come from. */
export interface RecordTrack {
  /** Index of the media in the announced SDP. */
  readonly media: number;
  /** Whether this is the H.264 track whose packets become frames; others are discarded. */
  readonly ingest: boolean;
  /** Interleaved RTP and RTCP channels, for RTP/AVP/TCP. */
  readonly channels?: readonly [number, number];
  /** The publisher's RTP and RTCP ports, for RTP/AVP over UDP. */
  readonly clientPorts?: readonly [number, number];
}

/** Where a packet landed: which track, and whether on its RTCP half. */
export interface TrackHit {
  /** The track. */
  track: RecordTrack;
  /** True for the RTCP channel or port. */
  rtcp: boolean;
}

/** One publisher's session. */
export class RecordSession {
  /** Tells it apart from a reader's session. */
  readonly kind = "record";
  /** Random id (see `session_id.ts`). */
  readonly id: string;
  /** Normalized path it publishes. */
  readonly path: string;
  /** Who made it; the session is bound to this peer and to its connection. */
  readonly peer: NetAddress;
  /** Id of the connection that announced. */
  readonly connectionId: number;
  /** The announced media. */
  readonly announcement: Announcement;
  /** The claim on the path. */
  readonly publication: Publication;
  /** Tracks set up, by media index. */
  readonly tracks: Map<number, RecordTrack> = new Map();
  /** Current state. */
  state: RecordState = "announced";
  /** Whether it ever recorded: from then on its interleaved data is expected, paused or not. */
  started = false;
  /** Monotonic ms of the last sign of life: a request, or a valid RTP or RTCP packet. */
  lastSeen: number;
  #ingest: RtpH264Ingest;

  /** Made by the ANNOUNCE handler once the path is claimed. */
  constructor(init: {
    id: string;
    path: string;
    peer: NetAddress;
    connectionId: number;
    announcement: Announcement;
    publication: Publication;
    maxAccessUnitSize: number;
    now: number;
  }) {
    this.id = init.id;
    this.path = init.path;
    this.peer = init.peer;
    this.connectionId = init.connectionId;
    this.announcement = init.announcement;
    this.publication = init.publication;
    this.lastSeen = init.now;
    const a = init.announcement;
    const publication = init.publication;
    this.#ingest = new RtpH264Ingest((nals, timestamp) => {
      // A publisher replaced by another no longer owns the stream.
      if (publication.active) publication.stream.sendFrame(nals, { timestamp });
    }, {
      payloadType: a.payloadType,
      clockRate: a.clockRate,
      maxAccessUnitSize: init.maxAccessUnitSize,
      sps: a.sps,
      pps: a.pps,
    });
  }

  /** The stream it feeds. */
  get stream(): Stream {
    return this.publication.stream;
  }

  /** Whether its media comes inside the RTSP connection. */
  get interleaved(): boolean {
    for (const track of this.tracks.values()) if (track.channels) return true;
    return false;
  }

  /** Lower transport of the tracks set up so far (all share one), if any. */
  get lowerTransport(): "TCP" | "UDP" | undefined {
    for (const track of this.tracks.values()) return track.channels ? "TCP" : "UDP";
    return undefined;
  }

  /** Every interleaved channel its tracks hold. */
  get interleavedChannels(): number[] {
    return [...this.tracks.values()].flatMap((t) => t.channels ? [...t.channels] : []);
  }

  /** Whether the H.264 track is set up, so RECORD may start. */
  get videoReady(): boolean {
    return this.tracks.has(this.announcement.video);
  }

  /** Counters of the H.264 track's packets. */
  get ingestStats(): RtpH264IngestStats {
    return this.#ingest.stats;
  }

  /** Adds a track set up by SETUP. */
  addTrack(track: RecordTrack): void {
    this.tracks.set(track.media, track);
    if (this.state === "announced") this.state = "ready";
  }

  /** The track on interleaved `channel`, if any. */
  onChannel(channel: number): TrackHit | undefined {
    for (const track of this.tracks.values()) {
      if (track.channels?.[0] === channel) return { track, rtcp: false };
      if (track.channels?.[1] === channel) return { track, rtcp: true };
    }
    return undefined;
  }

  /** The track whose publisher port is `port`, if any. */
  onPort(port: number): TrackHit | undefined {
    for (const track of this.tracks.values()) {
      if (track.clientPorts?.[0] === port) return { track, rtcp: false };
      if (track.clientPorts?.[1] === port) return { track, rtcp: true };
    }
    return undefined;
  }

  /** Starts taking media (RECORD). */
  record(): void {
    this.state = "recording";
    this.started = true;
  }

  /** Stops taking media but keeps the session and the path (PAUSE, RFC 2326 §10.6). */
  pause(): void {
    if (this.state === "recording") this.state = "ready";
  }

  /**
   * One RTP packet of `track` that arrived at monotonic ms `now`. Returns whether it was valid RTP
   * (a sign of life). Packets of other tracks are checked and discarded; packets outside RECORD
   * are dropped.
   */
  rtp(track: RecordTrack, packet: Uint8Array, now: number): boolean {
    if (!track.ingest) return packet.length >= 12 && packet[0] >> 6 === 2;
    if (this.state !== "recording") return false;
    return this.#ingest.push(packet, now * 1000);
  }

  /** Ends the session: what is whole goes to the stream, and the path is given up. */
  close(now: number): void {
    if (this.state === "recording") this.#ingest.flush(now * 1000);
    this.state = "ready";
    this.publication.release();
  }
}
