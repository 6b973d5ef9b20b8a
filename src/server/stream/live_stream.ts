/**
 * The face of a served stream that a program holds: what it sends and what it may learn, without
 * the fan-out, SDP and RTP-Info machinery the server keeps to itself.
 *
 * @module
 */

import type { AudioFormat } from "../../codec/audio_format.ts";

/** Options of one frame given to {@link LiveStream.sendFrame}. */
export interface FrameOptions {
  /**
   * Presentation time in microseconds, on any clock that advances in real time (WebCodecs style).
   * Default: the arrival time.
   */
  timestamp?: number;
}

/** Counters of one stream. */
export interface StreamStats {
  /** Frames accepted by `sendFrame`. */
  frames: number;
  /** Frames refused (empty, too large, or a JPEG that RTP/JPEG cannot carry). */
  rejectedFrames: number;
  /** Readers attached now, including those waiting for the keyframe they start at. */
  readers: number;
  /** RTP payload bytes of the frames accepted: what came in. */
  bytesIn: number;
  /** Frames handed to readers (RTSP sessions and taps), over every reader so far. */
  framesOut: number;
  /** RTP bytes sent to readers, over every reader so far. */
  bytesOut: number;
  /** Frames not sent to a reader that had fallen behind, over every reader so far. */
  framesDropped: number;
  /** Bytes of the frames kept since the latest keyframe, for readers who join (fast start). */
  gopCacheBytes: number;
}

/**
 * Whether a source feeds the stream: `"starting"` (no frame yet), `"live"`, or `"gone"` with the
 * reason (a new reader is then answered 503 with it; readers already attached wait).
 */
export type SourceState =
  | { readonly state: "starting" }
  | { readonly state: "live" }
  | { readonly state: "gone"; readonly reason: string };

/** A live H.264 or JPEG stream at one path, as `server.addStream()` and `server.publish()` give it. */
export interface LiveStream {
  /** The mount path, e.g. `/stream`. */
  readonly path: string;
  /** The codec of the stream's frames. */
  readonly codec: "h264" | "jpeg";
  /**
   * Sends one frame to every reader. H.264: one access unit, as Annex B bytes or its NAL units
   * without start codes. JPEG: one whole JPEG picture. The bytes are copied into RTP packets before
   * this returns, so the caller may reuse its buffer. Returns false when the frame was refused:
   * empty, above the size cap, or a JPEG that RFC 2435 cannot carry (logged once with the reason).
   */
  sendFrame(frame: Uint8Array | readonly Uint8Array[], options?: FrameOptions): boolean;
  /**
   * Sets what a joining reader's keyframe request calls (an encoder's `requestKeyframe`), so that
   * it starts at a fresh keyframe; undefined when the source cannot make one on request.
   */
  setKeyframeRequest(request: (() => void) | undefined): void;
  /**
   * Says what audio the source carries from now on (undefined: none): a track beside the video,
   * with its own SSRC, RTP clock and SDP section. The same format again keeps the track as it is.
   */
  setAudio(format: AudioFormat | undefined): void;
  /**
   * Sends one audio frame of the format given to `setAudio` (an AAC access unit, an Opus packet,
   * G.711 or big-endian L16 samples), presented at `timestampUs` on the clock the video frames'
   * `timestamp` is on. Returns false when refused: no audio track, empty, or too large.
   */
  sendAudio(frame: Uint8Array, timestampUs: number): boolean;
  /** Sets the SDP's `a=framerate` once the source knows its rate (a camera's, a file's). */
  setFramerate(fps: number): void;
  /**
   * Says a new source starts feeding the stream: its clock starts over, and the SPS and PPS it
   * gave out of band, if any, stand for the last source's.
   */
  restartSource(parameterSets?: { sps: Uint8Array; pps: Uint8Array }): void;
  /** Says the source left: its cached frames are dropped and new readers hear `reason` (503). */
  sourceGone(reason: string): void;
  /** Whether a source feeds the stream. */
  readonly sourceState: SourceState;
  /** The H.264 parameter sets seen last (in band or out of band), if any. */
  readonly parameterSets: { sps: Uint8Array; pps: Uint8Array } | undefined;
  /** Picture size and rate from the SPS or the JPEG frame header, and the rate given, if known. */
  readonly videoInfo: { width?: number; height?: number; framerate?: number };
  /** Readers attached now. */
  readonly readerCount: number;
  /** Counters. */
  readonly stats: StreamStats;
}
