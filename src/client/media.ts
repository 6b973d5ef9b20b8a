/**
 * The pulled video track's RTP in, access units or JPEG pictures out with microsecond times, and
 * the reception figures an RTCP receiver report needs. Bytes in, calls out; no socket, no clock.
 *
 * @module
 */

import { findStartCode } from "../codec/annexb.ts";
import { H264Depacketizer } from "../rtp/h264_depacketizer.ts";
import { parseRtpPacket, type RtpPacket } from "../rtp/header.ts";
import { JpegDepacketizer } from "../rtp/jpeg_depacketizer.ts";
import { type LossReport, SequenceTracker, tsDiff } from "../rtp/sequence.ts";

/** The video track chosen from the SDP. */
export interface VideoTrack {
  /** Payload format. */
  codec: "h264" | "jpeg";
  /** RTP payload type of the format. */
  payloadType: number;
  /** RTP clock rate, Hz (90000 for both, RFC 6184 §8.2.1, RFC 2435 §3). */
  clockRate: number;
  /** Exact picture size from the SDP, for JPEG (RTP/JPEG carries it rounded up to 8). */
  width?: number;
  /** See `width`. */
  height?: number;
}

/** Where pictures go (the public `PullSink`'s media half). */
export interface MediaSink {
  /** One H.264 access unit, NAL units without start codes. */
  accessUnit(nalUnits: Uint8Array[], timestampUs: number): void;
  /** One whole JPEG picture. */
  jpeg(frame: Uint8Array, timestampUs: number): void;
}

/** Counters of one {@link VideoReceiver}. */
export interface ReceiverStats {
  /** Datagrams or interleaved frames offered as RTP. */
  packets: number;
  /** Of those, dropped before depacketizing: not RTP, another payload type or another SSRC. */
  badPackets: number;
  /** Access units or pictures handed on. */
  frames: number;
  /** Access units or pictures dropped: a packet lost, a malformed payload, over the size cap. */
  droppedFrames: number;
}

/** Largest access unit or picture accepted, bytes (HARDENING.md: one access unit is capped). */
export const MAX_FRAME_SIZE = 8 * 1024 * 1024;
// A sender whose packets carry a new SSRC this many times in a row has restarted (RFC 3550 §8.2).
const SSRC_SWITCH = 50;
// A timestamp step longer than this is a sender restart, not a real gap: rebase (seconds).
const MAX_STEP_S = 10;
const DEFAULT_STEP_US = 40_000;

/**
 * Depacketizes one video track (RFC 6184 or RFC 2435) and maps RTP timestamps to microseconds
 * that start at 0 and never go back. Never throws for any packet: garbage is counted and dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VideoReceiver } from "./media.ts";
 * const got: number[] = [];
 * const receiver = new VideoReceiver({ codec: "h264", payloadType: 96, clockRate: 90000 }, {
 *   accessUnit: (_nals, us) => got.push(us),
 *   jpeg() {},
 * });
 * const rtp = (seq: number, ts: number) =>
 *   new Uint8Array([0x80, 0x80 | 96, 0, seq, ts >>> 24, (ts >>> 16) & 255, (ts >>> 8) & 255,
 *     ts & 255, 0, 0, 0, 1, 0x65, 0x88]);
 * receiver.rtp(rtp(1, 4_294_964_296));
 * receiver.rtp(rtp(2, 3000)); // 6000 ticks later, across the 32-bit wrap
 * receiver.rtp(new Uint8Array([1, 2, 3]));
 * assert.deepEqual(got, [0, 66_667]);
 * assert.equal(receiver.stats.badPackets, 1);
 * ```
 */
export class VideoReceiver {
  readonly #track: VideoTrack;
  readonly #sink: MediaSink;
  readonly #h264: H264Depacketizer | undefined;
  readonly #jpeg: JpegDepacketizer | undefined;
  readonly #tracker = new SequenceTracker();
  #ssrc: number | undefined;
  #otherSsrc: number | undefined;
  #otherCount = 0;
  #packets = 0;
  #badPackets = 0;
  #frames = 0;
  #lastRtp: number | undefined;
  #lastUs = 0;
  #lastStepUs = DEFAULT_STEP_US;

  /** Receives `track` into `sink`. */
  constructor(track: VideoTrack, sink: MediaSink) {
    this.#track = track;
    this.#sink = sink;
    if (track.codec === "h264") {
      this.#h264 = new H264Depacketizer({ maxAccessUnitSize: MAX_FRAME_SIZE });
    } else {
      this.#jpeg = new JpegDepacketizer({
        maxFrameSize: MAX_FRAME_SIZE,
        width: fits(track.width),
        height: fits(track.height),
      });
    }
  }

  /** The SSRC being received, once known. */
  get ssrc(): number | undefined {
    return this.#ssrc;
  }

  /** Counters so far. */
  get stats(): ReceiverStats {
    const droppedFrames = this.#h264?.droppedAccessUnits ?? this.#jpeg?.droppedFrames ?? 0;
    return {
      packets: this.#packets,
      badPackets: this.#badPackets,
      frames: this.#frames,
      droppedFrames,
    };
  }

  /**
   * The time (µs, on the clock of the frames handed on) that RTP timestamp `rtp` stands for, once
   * a frame has set the clock: for the audio, mapped onto the video's RTP clock through the
   * sender reports (RFC 3550 §6.4.1). Undefined before the first frame.
   */
  timeOf(rtp: number): number | undefined {
    if (this.#lastRtp === undefined) return undefined;
    return Math.round(this.#lastUs + (tsDiff(this.#lastRtp, rtp) * 1e6) / this.#track.clockRate);
  }

  /** Loss since the last call, for an RTCP receiver report (RFC 3550 §6.4.1). */
  takeLossReport(): LossReport {
    return this.#tracker.takeLossReport();
  }

  /**
   * Takes one RTP packet (a transient view: what is kept is copied). Returns whether it was taken;
   * anything else is counted in `badPackets`. A sink that throws is its own problem: the error
   * propagates to the caller, which logs it.
   */
  rtp(bytes: Uint8Array): boolean {
    this.#packets++;
    const packet = parseRtpPacket(bytes);
    if (packet === undefined || packet.payloadType !== this.#track.payloadType) {
      this.#badPackets++;
      return false;
    }
    if (!this.#acceptSsrc(packet.ssrc)) {
      this.#badPackets++;
      return false;
    }
    this.#tracker.update(packet.sequenceNumber);
    if (this.#h264) {
      const au = this.#h264.push(withoutLeadingStartCode(packet));
      if (au) this.#emitH264(au.nalUnits, au.timestamp);
    } else {
      const frame = this.#jpeg!.push(packet);
      if (frame) {
        const us = this.#time(frame.timestamp);
        this.#frames++;
        this.#sink.jpeg(frame.jpeg, us);
      }
    }
    return true;
  }

  // One SSRC at a time: packets of another are dropped (on UDP anyone can send to our port),
  // until that other one has sent SSRC_SWITCH in a row: then the sender restarted.
  #acceptSsrc(ssrc: number): boolean {
    if (this.#ssrc === undefined || ssrc === this.#ssrc) {
      this.#ssrc = ssrc;
      this.#otherCount = 0;
      return true;
    }
    if (ssrc !== this.#otherSsrc) {
      this.#otherSsrc = ssrc;
      this.#otherCount = 0;
    }
    if (++this.#otherCount < SSRC_SWITCH) return false;
    this.#ssrc = ssrc;
    this.#otherCount = 0;
    this.#lastRtp = undefined; // its clock has a new random origin: rebase
    return true;
  }

  #emitH264(nalUnits: Uint8Array[], timestamp: number): void {
    const units = splitInnerStartCodes(nalUnits);
    if (units.length === 0) return;
    const us = this.#time(timestamp);
    this.#frames++;
    this.#sink.accessUnit(units, us);
  }

  // RFC 3550 §5.1: timestamps wrap at 2^32 and start at a random value. Unwrapped with the signed
  // 32-bit step; a step back, or one over MAX_STEP_S (a sender restart), is not followed: the
  // time then moves on by the last normal step, so it never goes back.
  #time(timestamp: number): number {
    if (this.#lastRtp === undefined) {
      if (this.#frames === 0) {
        this.#lastRtp = timestamp;
        return 0;
      }
      this.#lastRtp = timestamp;
      this.#lastUs += this.#lastStepUs;
      return Math.round(this.#lastUs);
    }
    const step = tsDiff(this.#lastRtp, timestamp);
    this.#lastRtp = timestamp;
    const stepUs = (step * 1e6) / this.#track.clockRate;
    if (step < 0 || stepUs > MAX_STEP_S * 1e6) {
      this.#lastUs += this.#lastStepUs;
    } else {
      if (stepUs > 0) this.#lastStepUs = stepUs;
      this.#lastUs += stepUs;
    }
    return Math.round(this.#lastUs);
  }
}

function fits(side: number | undefined): number | undefined {
  return side !== undefined && Number.isInteger(side) && side >= 1 && side <= 2040
    ? side
    : undefined;
}

/**
 * Some senders put an Annex B start code in front of a single NAL unit packet, so the "NAL header"
 * reads as type 0 (seen on ESP32 firmwares that packetize the encoder's byte stream as it is, and
 * on some DVRs). RFC 6184 §5.6 says the payload starts with the NAL header: drop the start code.
 */
function withoutLeadingStartCode(packet: RtpPacket): RtpPacket {
  const p = packet.payload;
  let skip = 0;
  if (p.length >= 4 && p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 1) skip = 4;
  else if (p.length >= 3 && p[0] === 0 && p[1] === 0 && p[2] === 1) skip = 3;
  return skip === 0 ? packet : { ...packet, payload: p.subarray(skip) };
}

/**
 * Splits NAL units that hold start codes: the same senders put a whole Annex B access unit (SPS,
 * PPS and slice) into one NAL unit packet or one FU-A run. H.264 forbids 00 00 01 inside a NAL
 * unit (emulation prevention, H.264 §7.4.1), so every one found is a boundary. The zero bytes
 * before a start code (trailing_zero_8bits) are dropped, and so are empty pieces.
 */
export function splitInnerStartCodes(nalUnits: Uint8Array[]): Uint8Array[] {
  let clean = true;
  for (const nal of nalUnits) {
    if (findStartCode(nal, 0) >= 0) {
      clean = false;
      break;
    }
  }
  if (clean) return nalUnits.filter((n) => n.length > 0);
  const out: Uint8Array[] = [];
  for (const nal of nalUnits) {
    let from = 0;
    for (;;) {
      const sc = findStartCode(nal, from);
      const end = sc < 0 ? nal.length : sc;
      let to = end;
      while (to > from && nal[to - 1] === 0) to--;
      if (to > from) out.push(nal.subarray(from, to));
      if (sc < 0) break;
      from = sc + 3;
    }
  }
  return out;
}
