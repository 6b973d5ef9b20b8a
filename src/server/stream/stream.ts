/**
 * A Stream is one mount point's live video: producers hand it frames (H.264 access units or JPEG
 * pictures), it packetizes each once (RFC 6184 or RFC 2435, see stream_payload.ts), keeps the
 * current group of pictures so a new reader can start at once, and hands the packets to every
 * reader without waiting on any of them.
 *
 * Where a joining reader starts depends on the source. One that makes keyframes on request (an
 * encoder) is asked for one, and the reader starts at that fresh IDR: at the live edge. Replaying
 * the cached GOP instead would put players that schedule by RTP time (ffmpeg, GStreamer) up to a
 * GOP behind live for the whole session. A passthrough source cannot be asked, so its readers get
 * the cached GOP (fast start), and so does a reader whose requested IDR is late.
 *
 * @module
 */

import type { FrameOptions, LiveStream, SourceState, StreamStats } from "./live_stream.ts";
export type { FrameOptions, SourceState, StreamStats };
import type { SdpMediaDescription } from "../../sdp/build.ts";
import type { Clock } from "../../base/clock.ts";
import { Frame } from "./frame.ts";
import { GopCache } from "./gop_cache.ts";
import { MediaClock, rtpTimeOf } from "./media_clock.ts";
import { AudioTrack } from "./audio_track.ts";
import type { ReaderCounts, StartPoint, StreamReader } from "./stream_reader.ts";
export type { ReaderCounts, StartPoint, StreamReader };
import type { AudioFormat } from "../../codec/audio_format.ts";
import type { Logger } from "../../base/log.ts";
import { randomUint32 } from "../session/session_id.ts";
import { createStreamPayload, type StreamPayload } from "./stream_payload.ts";

export { H264_PAYLOAD_TYPE } from "./stream_payload.ts";
/** RTP clock rate for video (RFC 6184 §8.2.1, RFC 2435 §3). */
export const VIDEO_CLOCK_RATE = 90000;

/** Settings of one stream. */
export interface StreamOptions {
  /**
   * The codec of the frames that will be sent: `"h264"` (access units, RFC 6184) or `"jpeg"`
   * (whole baseline JPEG pictures, 4:2:0 or 4:2:2, sent as RTP/JPEG, RFC 2435).
   */
  codec: "h264" | "jpeg";
  /** Frames per second, for the SDP `a=framerate` when the SPS does not say. */
  framerate?: number;
  /**
   * Called when a reader joins and a keyframe would let it start sooner. Sources that can make one
   * (an encoder) should; calls are rate-limited by {@link StreamOptions.keyframeRequestInterval}.
   */
  onKeyframeRequest?: () => void;
  /** Least milliseconds between two keyframe requests. Default 1000. */
  keyframeRequestInterval?: number;
  /**
   * Most milliseconds a joining reader of a source that makes keyframes on request waits for the
   * keyframe it asked for; after that it gets the cached GOP, so it is never left blank. Checked as
   * frames arrive. Default 1000.
   */
  keyframeWait?: number;
  /**
   * Called with the number of attached readers whenever it changes (after an attach, a detach, and
   * with 0 when the stream closes), so an on-demand source can start on the first reader and stop
   * after the last. A callback that throws is logged; the stream carries on.
   */
  onReaders?: (count: number) => void;
  /** Largest frame (access unit or JPEG) accepted, in bytes. Default 8 MiB. */
  maxFrameSize?: number;
  /** Bytes of the current group of pictures kept for fast start. Default 32 MiB. */
  maxGopBytes?: number;
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

/**
 * A cached GOP whose newest frame is older than this (or than three frame intervals, for slow
 * streams) is not replayed: the source went quiet, and its last pictures are not live any more.
 */
const STALE_GOP_MS = 2000;

const LIVE_SOURCE = { state: "live" } as const;

/** A live H.264 or JPEG stream at one path. Create it with `server.addStream()`. */
export class Stream implements LiveStream {
  /** The mount path, e.g. `/stream`. */
  readonly path: string;
  /** SSRC of the stream's RTP packets (random, RFC 3550 §8). */
  readonly ssrc: number;
  #options:
    & Required<Omit<StreamOptions, "onKeyframeRequest" | "onReaders" | "framerate">>
    & StreamOptions;
  #context: StreamContext;
  #payload: StreamPayload;
  #readers = new Set<StreamReader>(); // getting every frame
  #joining = new Map<StreamReader, number>(); // waiting for a fresh keyframe, since (monotonic ms)
  #audio: AudioTrack | undefined;
  #audioOf = new Map<StreamReader, StreamReader>(); // a video reader's audio reader, if it has one
  #audioOnly = new Set<StreamReader>(); // readers of the audio track alone
  #reportedReaders = 0; // the count onReaders last heard
  #gop: GopCache;
  #source: SourceState = { state: "starting" };
  #warnedUncarriable = false;
  #sdpVersion = 1;
  #waiters: (() => void)[] = [];
  #lastKeyframeRequest = -Infinity;
  #rtpBase = randomUint32();
  #clock: MediaClock;
  #stats = { frames: 0, rejectedFrames: 0, bytesIn: 0 };
  // Each attached reader's counters when it attached (a reader that pauses and plays again keeps
  // counting from where it was), and what detached readers sent: the stream's outbound totals.
  #baselines = new Map<StreamReader, ReaderCounts>();
  #out: ReaderCounts = { framesSent: 0, framesDropped: 0, bytesSent: 0 };
  #closed = false;

  /** Use `server.addStream()`; this is for the server. */
  constructor(path: string, options: StreamOptions, context: StreamContext) {
    if (options?.codec !== "h264" && options?.codec !== "jpeg") {
      throw new TypeError(`codec must be "h264" or "jpeg", got ${JSON.stringify(options?.codec)}`);
    }
    const fps = options.framerate;
    if (fps !== undefined && !(typeof fps === "number" && fps > 0 && fps <= 1000)) {
      throw new RangeError(`framerate must be a number from 0 to 1000, got ${String(fps)}`);
    }
    const wait = options.keyframeWait;
    if (wait !== undefined && !(typeof wait === "number" && wait >= 0)) {
      throw new RangeError(`keyframeWait must be a number of milliseconds, got ${String(wait)}`);
    }
    this.path = path;
    this.ssrc = randomUint32();
    this.#options = {
      keyframeRequestInterval: 1000,
      keyframeWait: 1000,
      maxFrameSize: 8 << 20,
      maxGopBytes: 32 << 20,
      ...options,
    };
    this.#context = context;
    this.#gop = new GopCache(this.#options.maxGopBytes);
    this.#clock = new MediaClock(() => context.clock.now(), fps ? 1e6 / fps : 33_333);
    this.#payload = createStreamPayload(options.codec, {
      ssrc: this.ssrc,
      initialSequence: randomUint32() & 0xffff,
      maxPayloadSize: context.maxPayloadSize,
      onChange: () => this.#descriptionChanged(),
      warn: (message, fields) => context.logger.log("warn", message, { path, ...fields }),
    });
  }

  /**
   * Sends one frame to every reader. H.264: one access unit, as Annex B bytes or its NAL units
   * without start codes. JPEG: one whole JPEG picture. The bytes are copied into RTP packets before
   * this returns, so the caller may reuse its buffer. Returns false when the frame was refused:
   * empty, above the size cap, or a JPEG that RFC 2435 cannot carry (progressive, greyscale, 4:4:4,
   * optimized Huffman tables, above 2040 pixels; logged once per stream with the reason).
   */
  sendFrame(frame: Uint8Array | readonly Uint8Array[], options: FrameOptions = {}): boolean {
    if (this.#closed) return false;
    const accepted = this.#payload.accept(frame, this.#options.maxFrameSize);
    if (!accepted.ok) {
      this.#stats.rejectedFrames++;
      if (!accepted.uncarriable) {
        this.#context.logger.log("warn", "frame refused", {
          path: this.path,
          bytes: accepted.bytes,
        });
      } else if (!this.#warnedUncarriable) {
        // A device sends the same kind of picture every time: once is enough to say why.
        this.#warnedUncarriable = true;
        this.#context.logger.log("warn", "frame cannot be sent; further ones dropped silently", {
          path: this.path,
          codec: this.codec,
          bytes: accepted.bytes,
          reason: accepted.reason,
        });
      }
      return false;
    }
    const streamUs = this.#clock.frame(options.timestamp);
    const rtpTimestamp = rtpTimeOf(this.#rtpBase, VIDEO_CLOCK_RATE, streamUs);
    const firstSequence = this.#payload.nextSequence;
    const out = new Frame(
      accepted.packetize(rtpTimestamp),
      accepted.keyframe,
      rtpTimestamp,
      firstSequence,
      streamUs,
    );
    this.#stats.frames++;
    this.#stats.bytesIn += out.packets.payloadBytes;
    this.#source = LIVE_SOURCE;
    const now = this.#context.clock.now();
    if (this.#joining.size > 0) this.#startJoiners(out, now);
    this.#gop.add(out, now);
    for (const reader of this.#readers) reader.deliver(out);
    return true;
  }

  /** The codec of the stream's frames. */
  get codec(): StreamOptions["codec"] {
    return this.#options.codec;
  }

  /** The audio track, when the source carries one. */
  get audio(): AudioTrack | undefined {
    return this.#audio;
  }

  /**
   * Says what audio the source carries from now on (undefined: none). The same format keeps the
   * track, and its readers, as they are; another one is a new track (new SSRC and clock) and a new
   * SDP version. Readers of a track that went away stay attached and get nothing more from it.
   */
  setAudio(format: AudioFormat | undefined): void {
    if (this.#closed) return;
    if (format && this.#audio?.carries(format)) return;
    if (!format && !this.#audio) return;
    this.#audio = format
      ? new AudioTrack(
        format,
        this.#clock,
        () => this.#context.clock.now(),
        this.#context.maxPayloadSize,
      )
      : undefined;
    this.#descriptionChanged();
  }

  /**
   * Sends one audio frame (see {@link AudioTrack.send}), presented at `timestampUs` on the clock
   * the video frames' times are on. Returns false without an audio track.
   */
  sendAudio(frame: Uint8Array, timestampUs: number): boolean {
    if (this.#closed || !this.#audio) return false;
    return this.#audio.send(frame, timestampUs);
  }

  /**
   * Says the source's clock starts over (a new publisher of the path): the next frame's time is
   * not compared with the last one's, and RTP time moves on from the last frame by the wall-clock
   * gap, so readers see time keep rising.
   */
  restartSourceClock(): void {
    this.#clock.restart();
  }

  /**
   * Says a new source starts feeding the stream (a publisher of the path): its clock starts over
   * (see {@link Stream.restartSourceClock}), and the SPS and PPS it gave out of band (an SDP's
   * sprop-parameter-sets), if any, stand for the last source's from now on. Readers get them in
   * front of every IDR that comes without them, and DESCRIBE has them before the first IDR. Later
   * in-band ones replace them as usual. A stream whose source was gone is starting again.
   */
  restartSource(parameterSets?: { sps: Uint8Array; pps: Uint8Array }): void {
    this.restartSourceClock();
    // A source is on its way: a reader who asks now waits for it instead of hearing it is gone.
    if (this.#source.state === "gone") this.#source = { state: "starting" };
    if (parameterSets && this.codec === "h264") {
      // Taken as a frame of parameter sets only, which is never packetized: nothing goes out.
      this.#payload.accept([parameterSets.sps, parameterSets.pps], this.#options.maxFrameSize);
    }
  }

  /**
   * Replaces the source's keyframe callback (a new publisher of the path brings its own; undefined
   * when the source cannot make keyframes on request).
   */
  setKeyframeRequest(request: (() => void) | undefined): void {
    this.#options.onKeyframeRequest = request;
  }

  /** The latest SPS and PPS, once the stream has carried them (H.264 only). */
  get parameterSets(): { sps: Uint8Array; pps: Uint8Array } | undefined {
    return this.#payload.parameterSets;
  }

  /**
   * Picture size and rate from the SPS (H.264) or the latest JPEG's frame header, and `framerate`,
   * when known.
   */
  get videoInfo(): { width?: number; height?: number; framerate?: number } {
    const info = this.#payload.videoInfo;
    return {
      width: info.width,
      height: info.height,
      framerate: this.#options.framerate ?? info.frameRate,
    };
  }

  /**
   * Sets the frame rate the SDP's `a=framerate` announces, for a source that learns it only once it
   * has opened (the rate a camera agreed to, a Y4M header's). A new rate is a new SDP version.
   * Throws `RangeError` unless `fps` is a number from 0 to 1000.
   */
  setFramerate(fps: number): void {
    if (!(typeof fps === "number" && fps > 0 && fps <= 1000)) {
      throw new RangeError(`framerate must be a number from 0 to 1000, got ${String(fps)}`);
    }
    if (this.#options.framerate === fps) return;
    this.#options.framerate = fps;
    this.#clock.frameDurationUs = 1e6 / fps;
    this.#descriptionChanged();
  }

  /**
   * Changes whenever what the SDP says changes (parameter sets, picture size), for the SDP `o=`
   * version (RFC 4566 §5.2).
   */
  get sdpVersion(): number {
    return this.#sdpVersion;
  }

  /** Counters. Outbound ones are summed over the readers on each call (no per-frame work). */
  get stats(): StreamStats {
    const out = { ...this.#out };
    for (const [reader, base] of this.#baselines) addSince(out, reader, base);
    return {
      ...this.#stats,
      readers: this.readerCount,
      framesOut: out.framesSent,
      bytesOut: out.bytesSent,
      framesDropped: out.framesDropped,
      gopCacheBytes: this.#gop.bytes,
    };
  }

  /** Milliseconds since a frame last arrived, by the server's clock; undefined before the first. */
  get msSinceFrame(): number | undefined {
    if (this.#stats.frames === 0 && this.#stats.rejectedFrames === 0) return undefined;
    return this.#context.clock.now() - this.#clock.lastArrival;
  }

  /** Readers attached, including those waiting for the keyframe they start at. */
  get readerCount(): number {
    return this.#readers.size + this.#joining.size + this.#audioOnly.size;
  }

  /**
   * Whether a source is sending frames. `"starting"`: no frame yet (DESCRIBE waits for the
   * parameter sets, see {@link Stream.whenReady}); `"live"`: frames have come since the last
   * {@link Stream.sourceGone}; `"gone"`: the source left and none has come back yet. While it is
   * gone a new reader would get nothing: the server answers its DESCRIBE or PLAY with 503 and the
   * reason.
   */
  get sourceState(): SourceState {
    return this.#source;
  }

  /**
   * Says the source left (a device disconnected, a publisher ended). The cached GOP goes with it,
   * so no reader is shown its last pictures as if they were live, and the stream is `"gone"`
   * until the next frame makes it live again. Attached readers stay attached and continue when
   * frames resume. The parameter sets stay: the SDP of the last source is the best guess of the
   * next one's, and a different SPS bumps the SDP version. Pending {@link Stream.whenReady} calls
   * resolve at once.
   */
  sourceGone(reason: string): void {
    if (this.#closed) return;
    this.#source = { state: "gone", reason };
    this.#gop.clear();
    this.#audio?.clearKept();
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /**
   * Resolves once the SDP can be complete (H.264: SPS and PPS known; JPEG: one picture seen), or
   * after `timeoutMs`, whichever comes first. While the source is gone it resolves at once (and
   * {@link Stream.sourceGone} resolves pending calls): the caller checks
   * {@link Stream.sourceState} after it and answers 503 rather than hold a request for a source
   * that is not there.
   */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.#payload.ready || this.#closed || this.#source.state === "gone") {
      return Promise.resolve();
    }
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

  /** The SDP media section for this stream (RFC 4566 §5.14, RFC 6184 §8.2.1, RFC 2435 §3). */
  sdpMedia(control: string): SdpMediaDescription {
    const info = this.videoInfo;
    return {
      kind: "video",
      ...this.#payload.sdp(),
      clockRate: VIDEO_CLOCK_RATE,
      control,
      framerate: info.framerate,
      width: info.width,
      height: info.height,
    };
  }

  /**
   * The earliest point a reader attached now may start at, for RTP-Info (RFC 2326 §12.33). With a
   * cached GOP that is its keyframe, even when the reader will start at a fresh one: GStreamer
   * drops packets before the RTP-Info `seq` (its seqnum-base), so the point must not lie after the
   * GOP a late keyframe falls back to. A gap before the first packet costs players nothing.
   */
  startPoint(): StartPoint & { streamUs?: number } {
    const first = this.#freshGop(this.#context.clock.now())[0];
    if (first) {
      return {
        sequence: first.firstSequence,
        rtpTimestamp: first.rtpTimestamp,
        streamUs: first.streamUs,
      };
    }
    return { sequence: this.#payload.nextSequence, rtpTimestamp: this.rtpTimeAt() };
  }

  /**
   * Attaches a reader, and asks the source for a keyframe (rate-limited). When the source makes
   * keyframes on request, the reader gets nothing until that keyframe, or until
   * {@link StreamOptions.keyframeWait} has passed, when it gets the cached GOP. Otherwise it gets
   * the cached GOP at once (fast start). Then every new frame.
   */
  attach(reader: StreamReader, audio?: StreamReader): void {
    if (this.#closed || this.#readers.has(reader) || this.#joining.has(reader)) return;
    if (reader.stats) this.#baselines.set(reader, { ...reader.stats });
    if (audio) this.#audioOf.set(reader, audio);
    this.#admit(reader);
    this.#readersChanged();
  }

  /**
   * Attaches a reader of the audio track alone (a client that set up only audio): it gets audio
   * from now on, and counts as a reader of the stream (an on-demand source stays up for it).
   */
  attachAudio(reader: StreamReader): void {
    if (this.#closed || this.#audioOnly.has(reader)) return;
    if (reader.stats) this.#baselines.set(reader, { ...reader.stats });
    this.#audioOnly.add(reader);
    this.#audio?.attach(reader);
    this.#readersChanged();
  }

  /**
   * Lets an attached reader join again, as {@link Stream.attach} would let it in (the cached GOP
   * or a fresh keyframe asked for), without counting it out and in: an on-demand source sees no
   * change. For a reader that had to stay attached to keep the source up but could not use the
   * frames until now (a push upstream, between its ANNOUNCE and RECORD). Does nothing for a reader
   * not attached.
   */
  rejoin(reader: StreamReader): void {
    if (!this.#readers.delete(reader) && !this.#joining.delete(reader)) return;
    this.#admit(reader);
  }

  /** Detaches a reader. */
  detach(reader: StreamReader): void {
    if (
      this.#readers.delete(reader) || this.#joining.delete(reader) || this.#audioOnly.delete(reader)
    ) {
      this.#audio?.detach(reader);
      const audio = this.#audioOf.get(reader);
      if (audio) {
        this.#audioOf.delete(reader);
        this.#audio?.detach(audio);
      }
      this.#countOut(reader);
      this.#readersChanged();
    }
  }

  /** Moves a leaving reader's counters since it attached into the stream's totals. */
  #countOut(reader: StreamReader): void {
    const base = this.#baselines.get(reader);
    if (!base) return;
    this.#baselines.delete(reader);
    addSince(this.#out, reader, base);
  }

  /**
   * The RTP timestamp that corresponds to the monotonic time `at` (default now), extrapolated from
   * the last frame: the NTP/RTP pair of RTCP sender reports (RFC 3550 §6.4.1).
   */
  rtpTimeAt(at: number = this.#context.clock.now()): number {
    if (!this.#clock.started) return this.#rtpBase;
    return rtpTimeOf(this.#rtpBase, VIDEO_CLOCK_RATE, this.#clock.streamTimeAt(at));
  }

  /** Stops taking frames and drops all readers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const reader of [...this.#baselines.keys()]) this.#countOut(reader);
    this.#readers.clear();
    this.#joining.clear();
    this.#audioOnly.clear();
    this.#audioOf.clear();
    this.#audio = undefined;
    this.#gop.clear();
    for (const resolve of this.#waiters.splice(0)) resolve();
    this.#readersChanged();
  }

  /** Lets a reader in: joining until a fresh keyframe, or the cached GOP at once. */
  #admit(reader: StreamReader): void {
    const now = this.#context.clock.now();
    const audio = this.#audioOf.get(reader);
    if (audio) this.#audio?.detach(audio); // rejoining: audio restarts with the video
    if (this.#startsAtFreshKeyframe()) {
      this.#joining.set(reader, now);
    } else {
      this.#replay(reader, this.#freshGop(now));
      this.#readers.add(reader);
    }
    this.#requestKeyframe();
  }

  /**
   * Starts `reader` with the cached `gop` and, when it also reads audio, the kept audio of the same
   * instants (from the GOP's keyframe on), both in time order, so that sound and picture start
   * together (fast start); then live audio.
   */
  #replay(reader: StreamReader, gop: readonly Frame[]): void {
    const audio = this.#audioOf.get(reader);
    const track = this.#audio;
    if (!audio || !track) {
      for (const frame of gop) reader.deliver(frame);
      return;
    }
    const sound = gop.length > 0 ? track.keptFrom(gop[0].streamUs) : [];
    let a = 0;
    for (const frame of gop) {
      while (a < sound.length && sound[a].streamUs < frame.streamUs) audio.deliver(sound[a++]);
      reader.deliver(frame);
    }
    while (a < sound.length) audio.deliver(sound[a++]);
    track.attach(audio);
  }

  /** Whether a joining reader waits for a keyframe it asked for rather than replay the GOP. */
  #startsAtFreshKeyframe(): boolean {
    return this.#options.onKeyframeRequest !== undefined && this.#payload.keyframesOnRequest;
  }

  #freshGop(now: number): readonly Frame[] {
    return this.#gop.frames(now, Math.max(STALE_GOP_MS, (3 * this.#clock.frameDurationUs) / 1000));
  }

  /**
   * Starts the joining readers that `frame` lets start, before it is delivered: all of them at a
   * keyframe; at any other frame, those that waited longer than `keyframeWait`, with the cached GOP
   * (they then get `frame` with the others). The rest ask again once the rate limit allows, in case
   * their request was refused for coming too soon after another reader's.
   */
  #startJoiners(frame: Frame, now: number): void {
    const wait = this.#options.keyframeWait;
    for (const [reader, since] of this.#joining) {
      if (frame.keyframe) {
        this.#joining.delete(reader);
        this.#replay(reader, []);
        this.#readers.add(reader);
      } else if (now - since >= wait) {
        this.#joining.delete(reader);
        this.#replay(reader, this.#freshGop(now));
        this.#readers.add(reader);
      }
    }
    if (this.#joining.size > 0) this.#requestKeyframe();
  }

  #readersChanged(): void {
    const count = this.readerCount;
    if (count === this.#reportedReaders) return;
    this.#reportedReaders = count;
    const onReaders = this.#options.onReaders;
    if (!onReaders) return;
    try {
      onReaders(count);
    } catch (error) {
      this.#context.logger.log("warn", "reader count callback failed", {
        path: this.path,
        error: String(error),
      });
    }
  }

  #descriptionChanged(): void {
    this.#sdpVersion++;
    if (this.#payload.ready) {
      for (const resolve of this.#waiters.splice(0)) resolve();
    }
  }

  #requestKeyframe(): void {
    const request = this.#options.onKeyframeRequest;
    if (!request || !this.#payload.keyframesOnRequest) return;
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

/** Adds what `reader` counted since `base` to `into`. */
function addSince(into: ReaderCounts, reader: StreamReader, base: ReaderCounts): void {
  const now = reader.stats;
  if (!now) return;
  into.framesSent += now.framesSent - base.framesSent;
  into.framesDropped += now.framesDropped - base.framesDropped;
  into.bytesSent += now.bytesSent - base.bytesSent;
}
