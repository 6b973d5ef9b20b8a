/**
 * An H.264 RTP receiver (gortsplib's `rtpreceiver` with its H.264 decoder): a publisher's packets
 * in, access units with microsecond times out (RFC 6184, RFC 3550). Bytes and arrival times go in;
 * nothing here touches a socket or a clock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { H264Receiver } from "./h264_receiver.ts";
 *
 * const out: { types: number[]; us: number }[] = [];
 * const receiver = new H264Receiver(
 *   (nals, us) => out.push({ types: nals.map((n) => n[0] & 0x1f), us }),
 *   { payloadType: 96, clockRate: 90000, maxAccessUnitSize: 1 << 20 },
 * );
 * const rtp = (seq: number, ts: number, nal: number[]) =>
 *   new Uint8Array([0x80, 0x80 | 96, 0, seq, ts >>> 24, (ts >>> 16) & 255, (ts >>> 8) & 255,
 *     ts & 255, 0, 0, 0, 1, ...nal]);
 * assert.equal(receiver.push(rtp(1, 1000, [0x65, 0x88]), 5_000_000), true);
 * assert.equal(receiver.push(rtp(2, 4000, [0x41, 0x9a]), 5_040_000), true);
 * assert.equal(receiver.push(new Uint8Array([1, 2, 3]), 5_050_000), false); // not RTP: counted
 * assert.deepEqual(out, [{ types: [5], us: 5_000_000 }, { types: [1], us: 5_033_333 }]);
 * assert.equal(receiver.stats.badPackets, 1);
 * ```
 *
 * @module
 */

import { type H264AccessUnitOut, H264Depacketizer } from "./h264_depacketizer.ts";
import { parseRtpPacket } from "./header.ts";
import { RtpTimeline } from "./rtp_timeline.ts";

/** Where access units go: NAL units (owned, no start codes) and a time in microseconds. */
export type H264ReceiverSink = (nalUnits: Uint8Array[], timestampUs: number) => void;

/** What the receiver needs to know from the announced SDP. */
export interface H264ReceiverOptions {
  /** The RTP payload type of the H.264 format (`a=rtpmap`); other payload types are dropped. */
  payloadType: number;
  /** RTP clock rate of the format, Hz (90000 for H.264, RFC 6184 §8.2.1). */
  clockRate: number;
  /** Largest access unit accepted, bytes (HARDENING item 17). */
  maxAccessUnitSize: number;
}

/** Counters of one receiver. */
export interface H264ReceiverStats {
  /** RTP packets taken. */
  packets: number;
  /** Packets dropped before depacketizing: not RTP (HARDENING item 16) or another payload type. */
  badPackets: number;
  /** Access units handed to the sink. */
  accessUnits: number;
  /** Access units dropped: a packet lost, malformed H.264 payload, or over the size cap. */
  droppedAccessUnits: number;
}

/**
 * Turns one publisher's H.264 RTP stream into access units for a {@link H264ReceiverSink}.
 *
 * RTP timestamps are unwrapped (RFC 3550 §5.1: they wrap at 2^32) and mapped to microseconds on the
 * caller's arrival clock: the first access unit gets its arrival time, later ones that plus their
 * RTP distance from it. So the times continue the clock the stream already runs on, whatever
 * random RTP offset the publisher chose, and a stream fed by a publisher that reconnects moves on
 * by the real gap instead of jumping.
 *
 * Access units go out as they came: SPS and PPS that a publisher gave only in its SDP are the
 * consumer's to put in front of IDRs (the server's stream does, for every source).
 */
export class H264Receiver {
  readonly #sink: H264ReceiverSink;
  readonly #payloadType: number;
  readonly #timeline: RtpTimeline;
  readonly #depacketizer: H264Depacketizer;
  #packets = 0;
  #badPackets = 0;
  #ssrc: number | undefined;
  #accessUnits = 0;

  /** Sends to `sink`; throws `RangeError` for a clock rate or size cap that is not positive. */
  constructor(sink: H264ReceiverSink, options: H264ReceiverOptions) {
    this.#timeline = new RtpTimeline(options.clockRate);
    this.#sink = sink;
    this.#payloadType = options.payloadType;
    this.#depacketizer = new H264Depacketizer({ maxAccessUnitSize: options.maxAccessUnitSize });
  }

  /** Counters so far. */
  get stats(): H264ReceiverStats {
    return {
      packets: this.#packets,
      badPackets: this.#badPackets,
      accessUnits: this.#accessUnits,
      droppedAccessUnits: this.#depacketizer.droppedAccessUnits,
    };
  }

  /**
   * Takes one RTP packet (a transient view is fine: what is kept is copied) that arrived at
   * `arrivalUs`. Returns whether it was a valid RTP packet of the announced payload type; invalid
   * ones are dropped and counted.
   */
  push(bytes: Uint8Array, arrivalUs: number): boolean {
    this.#packets++;
    const packet = parseRtpPacket(bytes);
    if (packet === undefined || packet.payloadType !== this.#payloadType) {
      this.#badPackets++;
      return false;
    }
    this.#ssrc = packet.ssrc;
    const au = this.#depacketizer.push(packet);
    if (au) this.#emit(au, arrivalUs);
    return true;
  }

  /** The SSRC of the latest packet taken (RFC 3550 §5.1), for matching its sender reports. */
  get ssrc(): number | undefined {
    return this.#ssrc;
  }

  /**
   * The time (µs, on the same clock as the access units') that RTP timestamp `rtp` stands for,
   * once the first access unit has set the clock: for another track of the same publisher, mapped
   * onto this one's RTP clock through their sender reports.
   */
  timeOf(rtp: number): number | undefined {
    const us = this.#timeline.timeOf(rtp);
    return us === undefined ? undefined : Math.round(us);
  }

  /** The publisher is gone: sends what the depacketizer still holds whole. */
  flush(arrivalUs: number): void {
    for (const au of this.#depacketizer.flush()) this.#emit(au, arrivalUs);
  }

  #emit(au: H264AccessUnitOut, arrivalUs: number): void {
    // Signed 32-bit steps: forward across a wrap, backward for B-frames' earlier times.
    const timestampUs = this.#timeline.toUs(au.timestamp, arrivalUs);
    this.#accessUnits++;
    this.#sink(au.nalUnits, Math.round(timestampUs));
  }
}
