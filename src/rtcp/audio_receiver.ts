/**
 * The audio track of a source that also sends video (an RTSP publisher, a relayed camera): its RTP
 * packets in, frames out with times on the video's clock. Both tracks come from one sender, whose
 * RTCP sender reports pair each track's RTP time with one wall clock (RFC 3550 §6.4.1), so an audio
 * frame lands at the video time of the same instant even when the first packets of the two tracks
 * did not leave together (ffmpeg's AAC packetizer holds frames back for hundreds of ms). Until both
 * tracks have reported, a frame is timed by arrival. L16 that a sender labels big-endian but sends
 * little-endian is found and swapped.
 *
 * Bytes, times and callbacks only: no socket, no clock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AudioReceiver } from "./audio_receiver.ts";
 *
 * const audio = new AudioReceiver({
 *   payloadType: 8,
 *   format: { codec: "pcma", clockRate: 8000, channels: 1 },
 *   payload: { kind: "pcm" },
 * }, 90_000);
 * const rtp = (seq: number, ts: number) =>
 *   new Uint8Array([0x80, 8, 0, seq, ts >>> 24, (ts >>> 16) & 255, (ts >>> 8) & 255, ts & 255,
 *     0, 0, 0, 2, ...new Array(160).fill(0xd5)]);
 * const got: number[] = [];
 * const noVideo = () => undefined;
 * audio.push(rtp(1, 0), 1_000_000, noVideo, (_frame, us) => got.push(us));
 * audio.push(rtp(2, 160), 1_020_000, noVideo, (_frame, us) => got.push(us));
 * assert.deepEqual(got, [1_000_000, 1_020_000]); // by arrival: no sender reports yet
 * ```
 *
 * @module
 */

import type { AudioFormat } from "../codec/audio_format.ts";
import { detectL16ByteOrder, swapL16ByteOrder } from "../codec/l16_byte_order.ts";
import type { RtcpPacket } from "./parse.ts";
import { SenderClocks } from "./sender_clocks.ts";
import { audioDepacketizer, type AudioPayloadIn } from "../rtp/audio_payloads.ts";
import type { AudioDepacketizer } from "../rtp/audio_unit.ts";
import { parseRtpPacket } from "../rtp/header.ts";
import { RtpTimeline } from "../rtp/rtp_timeline.ts";
import { type LossReport, SequenceTracker } from "../rtp/sequence.ts";

/** The audio track as its SDP describes it (an `AnnouncedAudio` is one). */
export interface ReceivedAudio {
  /** The RTP payload type its packets carry; others are dropped. */
  payloadType: number;
  /** What it carries. */
  format: AudioFormat;
  /** How its packets carry the frames. */
  payload: AudioPayloadIn;
}

/**
 * The time (µs, on the video's frame clock) of video RTP timestamp `rtp`, once the video's clock is
 * set; undefined before.
 */
export type VideoTimeOf = (rtp: number) => number | undefined;

/** Where frames go: the frame (owned) and its time on the video's clock. */
export type AudioFrameSink = (frame: Uint8Array, timestampUs: number) => void;

/** Counters of one {@link AudioReceiver}. */
export interface AudioReceiverStats {
  /** Packets offered. */
  packets: number;
  /** Frames handed on. */
  frames: number;
  /** Packets refused (not RTP, another payload type) and packets no frame came out of. */
  dropped: number;
}

/** L16 sound judged this many packets without telling the byte order is taken as declared. */
const L16_CHECKS = 250;

/** One source's audio track, timed on its video's clock. */
export class AudioReceiver {
  /** What the track carries. */
  readonly audio: ReceivedAudio;
  #videoClockRate: number;
  #depacketizer: AudioDepacketizer;
  #timeline: RtpTimeline;
  #clocks = new SenderClocks();
  #tracker = new SequenceTracker();
  #ssrc: number | undefined;
  #l16Swap: boolean | undefined;
  #l16Checked = 0;
  #packets = 0;
  #frames = 0;
  #refused = 0;

  /** Receives `audio` of a source whose video runs at `videoClockRate` Hz. */
  constructor(audio: ReceivedAudio, videoClockRate: number) {
    this.audio = audio;
    this.#videoClockRate = videoClockRate;
    this.#depacketizer = audioDepacketizer(audio.payload, audio.format);
    this.#timeline = new RtpTimeline(audio.format.clockRate);
    if (audio.format.codec !== "l16") this.#l16Swap = false;
  }

  /** The SSRC of the audio packets, once one came. */
  get ssrc(): number | undefined {
    return this.#ssrc;
  }

  /** Whether L16 samples are being swapped to big-endian. */
  get l16Swapped(): boolean {
    return this.#l16Swap === true;
  }

  /** Counters so far. */
  get stats(): AudioReceiverStats {
    return {
      packets: this.#packets,
      frames: this.#frames,
      dropped: this.#refused + this.#depacketizer.dropped,
    };
  }

  /** Loss since the last call, for an RTCP receiver report (RFC 3550 §6.4.1). */
  takeLossReport(): LossReport {
    return this.#tracker.takeLossReport();
  }

  /** Keeps the sender reports (of either track): they line the audio up with the video. */
  rtcp(packets: readonly RtcpPacket[]): void {
    for (const p of packets) {
      if (p.type === "sr") this.#clocks.report(p.ssrc, p.ntp, p.rtpTimestamp);
    }
  }

  /**
   * Takes one RTP packet of the audio track (a transient view) that arrived at `arrivalUs` on the
   * video's clock. `videoSsrc` and `videoTimeOf` say where the video is, once it is known. Returns
   * false when it is not an RTP packet of the track's payload type.
   */
  push(
    bytes: Uint8Array,
    arrivalUs: number,
    video: VideoTimeOf,
    sink: AudioFrameSink,
    videoSsrc?: number,
  ): boolean {
    this.#packets++;
    const packet = parseRtpPacket(bytes);
    if (!packet || packet.payloadType !== this.audio.payloadType) {
      this.#refused++;
      return false;
    }
    this.#ssrc = packet.ssrc;
    this.#tracker.update(packet.sequenceNumber);
    for (const unit of this.#depacketizer.push(packet)) {
      const us = this.#time(packet.ssrc, unit.rtpTimestamp, arrivalUs, video, videoSsrc);
      const frame = this.#l16Swap === false ? unit.data : this.#l16(unit.data);
      this.#frames++;
      sink(frame, us);
    }
    return true;
  }

  /**
   * The time of an audio frame on the video's clock: through the sender reports when both tracks
   * have sent one (the RTP time the video had at the same instant, RFC 3550 §6.4.1); until then,
   * by the audio's own arrival.
   */
  #time(
    ssrc: number,
    rtp: number,
    arrivalUs: number,
    video: VideoTimeOf,
    videoSsrc: number | undefined,
  ): number {
    if (videoSsrc !== undefined) {
      const rate = this.audio.format.clockRate;
      const videoRtp = this.#clocks.map(ssrc, rate, rtp, videoSsrc, this.#videoClockRate);
      const us = videoRtp === undefined ? undefined : video(videoRtp);
      if (us !== undefined) return us;
    }
    return this.#timeline.toUs(rtp, arrivalUs);
  }

  /**
   * L16 in the order RFC 3551 §4.5.11 asks (big-endian), whatever the sender sent: little-endian
   * samples declared as L16 (MEDIA.md §1.2) play as noise, and are swapped. The order is judged on
   * the first stretches loud enough to tell, then kept.
   */
  #l16(samples: Uint8Array): Uint8Array {
    if (this.#l16Swap === undefined) {
      const order = detectL16ByteOrder(samples, { channels: this.audio.format.channels });
      if (order !== "unknown") this.#l16Swap = order === "little";
      else if (++this.#l16Checked >= L16_CHECKS) this.#l16Swap = false; // silence: as declared
    }
    return this.#l16Swap ? swapL16ByteOrder(samples) : samples;
  }
}
