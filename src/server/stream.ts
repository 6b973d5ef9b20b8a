/**
 * A Stream is one mount point's live video: producers hand it access units, it packetizes each once
 * (RFC 6184), keeps the current group of pictures so a new reader can start at once, and hands the
 * packets to every reader without waiting on any of them.
 *
 * @module
 */

import { splitAnnexB } from "../codec/annexb.ts";
import { NalType, nalType } from "../codec/h264.ts";
import { parseSps, type SpsInfo } from "../codec/sps.ts";
import { H264Packetizer } from "../rtp/h264_packetizer.ts";
import { tsAdd } from "../rtp/sequence.ts";
import { h264Fmtp } from "../sdp/h264_fmtp.ts";
import type { SdpMediaDescription } from "../sdp/build.ts";
import type { Clock } from "./clock.ts";
import { Frame } from "./frame.ts";
import type { Logger } from "./log.ts";
import { randomUint32 } from "./session_id.ts";

/** RTP payload type used for H.264 (dynamic range, RFC 3551 §6). */
export const H264_PAYLOAD_TYPE = 96;
/** RTP clock rate for video (RFC 6184 §8.2.1). */
export const VIDEO_CLOCK_RATE = 90000;

/** Settings of one stream. */
export interface StreamOptions {
  /** The codec of the frames that will be sent. Only `"h264"` so far. */
  codec: "h264";
  /** Frames per second, for the SDP `a=framerate` when the SPS does not say. */
  framerate?: number;
  /**
   * Called when a reader joins and a keyframe would let it start sooner. Sources that can make one
   * (an encoder) should; calls are rate-limited by {@link StreamOptions.keyframeRequestInterval}.
   */
  onKeyframeRequest?: () => void;
  /** Least milliseconds between two keyframe requests. Default 1000. */
  keyframeRequestInterval?: number;
  /** Largest access unit accepted, in bytes. Default 8 MiB. */
  maxFrameSize?: number;
  /** Bytes of the current group of pictures kept for fast start. Default 32 MiB. */
  maxGopBytes?: number;
}

/** Per-frame details for {@link Stream.sendFrame}. */
export interface FrameOptions {
  /**
   * Presentation time in microseconds, on any clock that advances in real time (WebCodecs style).
   * Default: the arrival time.
   */
  timestamp?: number;
}

/** What a reader of a stream must accept. `deliver` must not block. */
export interface StreamReader {
  /** Takes one frame. Called in decode order. */
  deliver(frame: Frame): void;
}

/** Where a new reader's packets will start: for the RTP-Info header (RFC 2326 §12.33). */
export interface StartPoint {
  /** Sequence number of the first packet the reader gets. */
  sequence: number;
  /** RTP timestamp of that packet. */
  rtpTimestamp: number;
}

/** Counters of one stream. */
export interface StreamStats {
  /** Frames accepted by `sendFrame`. */
  frames: number;
  /** Frames refused (too large, no NAL units). */
  rejectedFrames: number;
  /** Readers now attached. */
  readers: number;
}

/** The services a stream takes from its server. */
export interface StreamContext {
  /** Clocks. */
  clock: Clock;
  /** Log sink. */
  logger: Logger;
  /** RTP payload limit, bytes. */
  maxPayloadSize: number;
}

// A presentation time further than this from the previous one is a discontinuity (a looped file,
// a device that rebooted): RTP time then moves on by one frame instead, so it never runs backwards.
const MAX_TIMESTAMP_JUMP_US = 10_000_000;

/** A live H.264 stream at one path. Create it with `server.addStream()`. */
export class Stream {
  /** The mount path, e.g. `/stream`. */
  readonly path: string;
  /** SSRC of the stream's RTP packets (random, RFC 3550 §8). */
  readonly ssrc: number;
  #options: Required<Omit<StreamOptions, "onKeyframeRequest" | "framerate">> & StreamOptions;
  #context: StreamContext;
  #packetizer: H264Packetizer;
  #readers = new Set<StreamReader>();
  #gop: Frame[] = [];
  #gopBytes = 0;
  #sps: Uint8Array | undefined;
  #pps: Uint8Array | undefined;
  #spsInfo: SpsInfo | undefined;
  #sdpVersion = 1;
  #waiters: (() => void)[] = [];
  #lastKeyframeRequest = -Infinity;
  #rtpBase = randomUint32();
  #lastTimestampUs: number | undefined;
  #lastRtp: number | undefined;
  #lastArrival = 0;
  #frameDurationUs = 33_333;
  #stats = { frames: 0, rejectedFrames: 0 };
  #closed = false;

  /** Use `server.addStream()`; this is for the server. */
  constructor(path: string, options: StreamOptions, context: StreamContext) {
    if (options?.codec !== "h264") {
      throw new TypeError(`codec must be "h264", got ${JSON.stringify(options?.codec)}`);
    }
    const fps = options.framerate;
    if (fps !== undefined && !(typeof fps === "number" && fps > 0 && fps <= 1000)) {
      throw new RangeError(`framerate must be a number from 0 to 1000, got ${String(fps)}`);
    }
    this.path = path;
    this.ssrc = randomUint32();
    this.#options = {
      keyframeRequestInterval: 1000,
      maxFrameSize: 8 << 20,
      maxGopBytes: 32 << 20,
      ...options,
    };
    this.#context = context;
    if (fps) this.#frameDurationUs = 1e6 / fps;
    this.#packetizer = new H264Packetizer({
      payloadType: H264_PAYLOAD_TYPE,
      ssrc: this.ssrc,
      initialSequence: randomUint32() & 0xffff,
      maxPayloadSize: context.maxPayloadSize,
    });
  }

  /**
   * Sends one access unit to every reader: Annex B bytes, or its NAL units without start codes. The
   * bytes are copied into RTP packets before this returns, so the caller may reuse its buffer.
   * Returns false when the frame was refused (empty, or above the size cap).
   */
  sendFrame(accessUnit: Uint8Array | readonly Uint8Array[], options: FrameOptions = {}): boolean {
    if (this.#closed) return false;
    const nals = accessUnit instanceof Uint8Array ? splitAnnexB(accessUnit) : accessUnit;
    let size = 0;
    let keyframe = false;
    let hasSps = false;
    let hasPps = false;
    for (const nal of nals) {
      size += nal.length;
      const type = nal.length > 0 ? nalType(nal) : 0;
      if (type === NalType.IDR) keyframe = true;
      else if (type === NalType.SPS) hasSps = this.#takeSps(nal);
      else if (type === NalType.PPS) hasPps = this.#takePps(nal);
    }
    if (size === 0 || size > this.#options.maxFrameSize) {
      this.#stats.rejectedFrames++;
      this.#context.logger.log("warn", "frame refused", { path: this.path, bytes: size });
      return false;
    }
    let out = nals;
    // INTEROP.md: repeat SPS and PPS in-band before every IDR, so a decoder can start at any one.
    if (keyframe && (!hasSps || !hasPps) && this.#sps && this.#pps) {
      out = [
        ...(hasSps ? [] : [this.#sps]),
        ...(hasPps ? [] : [this.#pps]),
        ...nals,
      ];
    }
    const rtpTimestamp = this.#nextRtpTimestamp(options.timestamp);
    const firstSequence = this.#packetizer.nextSequence;
    const frame = new Frame(
      this.#packetizer.packetize(out, rtpTimestamp),
      keyframe,
      rtpTimestamp,
      firstSequence,
    );
    this.#stats.frames++;
    this.#remember(frame);
    for (const reader of this.#readers) reader.deliver(frame);
    return true;
  }

  /** The codec of the stream's frames. */
  get codec(): StreamOptions["codec"] {
    return this.#options.codec;
  }

  /**
   * Replaces the source's keyframe callback (a new publisher of the path brings its own; undefined
   * when the source cannot make keyframes on request).
   */
  setKeyframeRequest(request: (() => void) | undefined): void {
    this.#options.onKeyframeRequest = request;
  }

  /** The latest SPS and PPS, once the stream has carried them. */
  get parameterSets(): { sps: Uint8Array; pps: Uint8Array } | undefined {
    return this.#sps && this.#pps ? { sps: this.#sps, pps: this.#pps } : undefined;
  }

  /** Picture size and rate from the SPS (and `framerate`), when known. */
  get videoInfo(): { width?: number; height?: number; framerate?: number } {
    return {
      width: this.#spsInfo?.width,
      height: this.#spsInfo?.height,
      framerate: this.#options.framerate ?? this.#spsInfo?.frameRate,
    };
  }

  /** Changes whenever the parameter sets change, for the SDP `o=` version (RFC 4566 §5.2). */
  get sdpVersion(): number {
    return this.#sdpVersion;
  }

  /** Counters. */
  get stats(): StreamStats {
    return { ...this.#stats, readers: this.#readers.size };
  }

  /** Resolves once SPS and PPS are known, or after `timeoutMs`, whichever comes first. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.parameterSets || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.#waiters;
      function done() {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  /** The SDP media section for this stream (RFC 4566 §5.14, RFC 6184 §8.2.1). */
  sdpMedia(control: string): SdpMediaDescription {
    const info = this.videoInfo;
    const sets = this.parameterSets;
    return {
      kind: "video",
      payloadType: H264_PAYLOAD_TYPE,
      encoding: "H264",
      clockRate: VIDEO_CLOCK_RATE,
      control,
      fmtp: sets ? h264Fmtp(sets.sps, sets.pps) : "packetization-mode=1",
      framerate: info.framerate,
      width: info.width,
      height: info.height,
    };
  }

  /** Where a reader attached now would start. */
  startPoint(): StartPoint {
    const first = this.#gop[0];
    if (first?.keyframe) {
      return { sequence: first.firstSequence, rtpTimestamp: first.rtpTimestamp };
    }
    return { sequence: this.#packetizer.nextSequence, rtpTimestamp: this.rtpTimeAt() };
  }

  /**
   * Attaches a reader: it first gets the current group of pictures from its keyframe (fast start),
   * then every new frame. Also asks the source for a keyframe, rate-limited.
   */
  attach(reader: StreamReader): void {
    if (this.#readers.has(reader)) return;
    if (this.#gop[0]?.keyframe) {
      for (const frame of this.#gop) reader.deliver(frame);
    }
    this.#readers.add(reader);
    this.#requestKeyframe();
  }

  /** Detaches a reader. */
  detach(reader: StreamReader): void {
    this.#readers.delete(reader);
  }

  /**
   * The RTP timestamp that corresponds to the monotonic time `at` (default now), extrapolated from
   * the last frame: the NTP/RTP pair of RTCP sender reports (RFC 3550 §6.4.1).
   */
  rtpTimeAt(at: number = this.#context.clock.now()): number {
    if (this.#lastRtp === undefined) return this.#rtpBase;
    const ticks = Math.round((at - this.#lastArrival) * (VIDEO_CLOCK_RATE / 1000));
    return tsAdd(this.#lastRtp, ticks);
  }

  /** Stops taking frames and drops all readers. */
  close(): void {
    this.#closed = true;
    this.#readers.clear();
    this.#gop = [];
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  #takeSps(nal: Uint8Array): boolean {
    if (this.#sps && equalBytes(this.#sps, nal)) return true;
    try {
      this.#spsInfo = parseSps(nal);
    } catch {
      this.#context.logger.log("warn", "unreadable SPS; size unknown", { path: this.path });
    }
    this.#sps = nal.slice();
    this.#parameterSetsChanged();
    return true;
  }

  #takePps(nal: Uint8Array): boolean {
    if (this.#pps && equalBytes(this.#pps, nal)) return true;
    this.#pps = nal.slice();
    this.#parameterSetsChanged();
    return true;
  }

  #parameterSetsChanged(): void {
    this.#sdpVersion++;
    if (this.parameterSets) {
      for (const resolve of this.#waiters.splice(0)) resolve();
    }
  }

  #nextRtpTimestamp(timestampUs: number | undefined): number {
    const now = this.#context.clock.now();
    const ts = timestampUs ?? now * 1000;
    let rtp: number;
    if (this.#lastTimestampUs === undefined || this.#lastRtp === undefined) {
      rtp = this.#rtpBase;
    } else {
      let delta = ts - this.#lastTimestampUs;
      if (!(delta >= 0 && delta <= MAX_TIMESTAMP_JUMP_US)) delta = this.#frameDurationUs;
      else if (delta > 0) this.#frameDurationUs = delta;
      rtp = tsAdd(this.#lastRtp, Math.round(delta * (VIDEO_CLOCK_RATE / 1e6)));
    }
    this.#lastTimestampUs = ts;
    this.#lastRtp = rtp;
    this.#lastArrival = now;
    return rtp;
  }

  #remember(frame: Frame): void {
    if (frame.keyframe) {
      this.#gop = [];
      this.#gopBytes = 0;
    } else if (this.#gop.length === 0) {
      return; // no keyframe to start from: nothing worth keeping until the next one
    }
    this.#gop.push(frame);
    this.#gopBytes += frame.byteLength;
    if (this.#gopBytes > this.#options.maxGopBytes) {
      // A GOP this long is no use for fast start; new readers wait for the next keyframe instead.
      this.#gop = [];
      this.#gopBytes = 0;
    }
  }

  #requestKeyframe(): void {
    const request = this.#options.onKeyframeRequest;
    if (!request) return;
    const now = this.#context.clock.now();
    if (now - this.#lastKeyframeRequest < this.#options.keyframeRequestInterval) return;
    this.#lastKeyframeRequest = now;
    try {
      request();
    } catch (error) {
      this.#context.logger.log("warn", "keyframe request failed", {
        path: this.path,
        error: String(error),
      });
    }
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
