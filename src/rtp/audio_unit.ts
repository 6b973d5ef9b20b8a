/**
 * What every audio depacketizer gives back, whatever the payload format: frames of coded audio (or
 * sample bytes) with their RTP timestamp and duration, so the stream layer handles AAC, Opus and
 * PCM alike. Also the error value that the audio payload formats return for what they refuse.
 *
 * @module
 */

import type { RtpPacket } from "./header.ts";

/** One frame out of an audio depacketizer. */
export interface AudioUnit {
  /**
   * The frame: an AAC access unit, an Opus packet, or G.711/L16 sample bytes as on the wire. Owned
   * (never a view of a packet the caller passed in).
   */
  data: Uint8Array;
  /** RTP timestamp of the frame's first sample, 0 to 2^32-1. */
  rtpTimestamp: number;
  /** Duration in RTP clock ticks (samples per channel at the clock rate). */
  samples: number;
}

/** The shape the stream layer sees: packets in, frames out. Never throws for any packet. */
export interface AudioDepacketizer {
  /** Takes one RTP packet; returns the frames it completed (often one, sometimes none or several). */
  push(packet: RtpPacket): AudioUnit[];
  /** Ends the stream: returns what is still held (if any) and forgets the sequence numbers. */
  flush(): AudioUnit[];
  /** Packets that went into no emitted frame: malformed, late, duplicated, or part of a lost frame. */
  readonly dropped: number;
}

/**
 * An audio payload or configuration that this code cannot carry, or that breaks its RFC; the
 * message says which and why. Returned as a value by the parsers that take peer input (fmtp, SDP
 * config), never thrown out of them.
 */
export class AudioPayloadError extends Error {
  /** Wraps a message. */
  constructor(message: string) {
    super(message);
    this.name = "AudioPayloadError";
  }
}
