/**
 * What a stream hands its frames to, and what a reader tells about itself: the contract between a
 * stream's tracks (`stream.ts`, `audio_track.ts`) and whoever reads them.
 *
 * @module
 */

import type { Frame } from "./frame.ts";

/** What a reader of a stream must accept. `deliver` must not block. */
export interface StreamReader {
  /** Takes one frame. Called in decode order. */
  deliver(frame: Frame): void;
  /** What it sent and dropped so far, for the stream's outbound counters; absent: not counted. */
  readonly stats?: Readonly<ReaderCounts>;
}

/** The counters a reader keeps that add up to a stream's outbound traffic. */
export interface ReaderCounts {
  /** Frames sent. */
  framesSent: number;
  /** Frames dropped. */
  framesDropped: number;
  /** Bytes sent. */
  bytesSent: number;
}

/** Where a new reader's packets will start: for the RTP-Info header (RFC 2326 §12.33). */
export interface StartPoint {
  /** Sequence number of the first packet the reader gets. */
  sequence: number;
  /** RTP timestamp of that packet. */
  rtpTimestamp: number;
}
