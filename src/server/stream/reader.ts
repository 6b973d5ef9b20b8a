/**
 * One session reading one stream: the per-reader half of fan-out. It keeps the reader's queue
 * bounded, drops whole frames until the next keyframe when the reader falls behind, and counts what
 * it sent for RTCP sender reports (RFC 3550 §6.4.1).
 *
 * @module
 */

import { buildSenderReport } from "../../rtcp/sender_report.ts";
import type { Frame } from "./frame.ts";
import type { StreamReader } from "./stream.ts";
import type { MediaTransport } from "./transport.ts";

/** How far a reader may fall behind before frames are dropped. */
export interface QueueLimits {
  /** Queued bytes. */
  maxBytes: number;
  /** Queued frames (writes). */
  maxFrames: number;
}

/** Counters of one reader. */
export interface ReaderStats {
  /** Frames handed to the transport. */
  framesSent: number;
  /** Frames skipped because the reader was behind or waiting for a keyframe after falling behind. */
  framesDropped: number;
  /** RTP packets sent (for the SR sender's packet count). */
  packetsSent: number;
  /** RTP payload octets sent (for the SR sender's octet count). */
  octetsSent: number;
  /** RTP bytes sent, headers included (framing and lower layers not): for traffic counters. */
  bytesSent: number;
}

/**
 * What a reader hands frames to: a session's {@link MediaTransport}, or an in-process consumer (a
 * tap, see `tap.ts`) that keeps its own queue.
 */
export type FrameOutlet = Pick<
  MediaTransport,
  "sendFrame" | "sendRtcp" | "queuedBytes" | "queuedWrites"
>;

/** Delivers a stream's frames to one transport, keeping its queue bounded. */
export class Reader<T extends FrameOutlet = MediaTransport> implements StreamReader {
  /** The way out. */
  readonly transport: T;
  #limits: QueueLimits;
  #needKeyframe = true; // a reader starts at a keyframe: a P-frame first would not decode
  #stats: ReaderStats = {
    framesSent: 0,
    framesDropped: 0,
    packetsSent: 0,
    octetsSent: 0,
    bytesSent: 0,
  };

  /** Reads into `transport` within `limits`. */
  constructor(transport: T, limits: QueueLimits) {
    this.transport = transport;
    this.#limits = limits;
  }

  /** Counters so far. */
  get stats(): Readonly<ReaderStats> {
    return this.#stats;
  }

  /**
   * Starts over at the next keyframe, as a new reader would: frames are dropped until one comes.
   * For a reader that is attached but could not use what it got until now.
   */
  restart(): void {
    this.#needKeyframe = true;
  }

  deliver(frame: Frame): void {
    if (this.#needKeyframe) {
      if (!frame.keyframe) {
        this.#stats.framesDropped++;
        return;
      }
      this.#needKeyframe = false;
    }
    const t = this.transport;
    if (
      t.queuedBytes + frame.byteLength > this.#limits.maxBytes ||
      t.queuedWrites >= this.#limits.maxFrames
    ) {
      // HARDENING.md: drop whole frames until the next keyframe; a partial GOP would only show
      // garbage, and the reader never delays anyone else.
      this.#stats.framesDropped++;
      this.#needKeyframe = true;
      return;
    }
    t.sendFrame(frame);
    this.#stats.framesSent++;
    this.#stats.packetsSent += frame.packets.count;
    this.#stats.octetsSent += frame.packets.payloadBytes;
    this.#stats.bytesSent += frame.packets.packetBytes;
  }

  /** Sends an RTCP sender report mapping wall time `wallMs` to RTP time `rtpTimestamp`. */
  sendReport(ssrc: number, wallMs: number, rtpTimestamp: number, cname: string): void {
    this.transport.sendRtcp(buildSenderReport({
      ssrc,
      ntpMs: wallMs,
      rtpTimestamp,
      packetCount: this.#stats.packetsSent,
      octetCount: this.#stats.octetsSent,
      cname,
    }));
  }
}
