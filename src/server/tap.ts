/**
 * Taps: in-process readers of a served stream, for code that sends the stream somewhere itself (a
 * push to another server). A tap reads as an RTSP reader does, through the same {@link Reader}: it
 * starts at a keyframe, its queue is bounded by the server's `maxQueueBytes` and `maxQueueFrames`,
 * and when the consumer falls behind whole frames are dropped until the next keyframe. It counts
 * as a reader, so an on-demand source runs while a tap is open. A sink that takes audio reads the
 * stream's audio track beside the video, from the same instant on (as an RTSP reader that set up
 * both tracks does).
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { SdpMediaDescription } from "../sdp/build.ts";
import type { Frame } from "./stream/frame.ts";
import type { SourceState } from "./stream/live_stream.ts";
import { type FrameOutlet, type QueueLimits, Reader, type ReaderStats } from "./stream/reader.ts";
import type { Stream } from "./stream/stream.ts";

/** One frame as a tap hands it out: its RTP packets, built once and shared with every reader. */
export interface TapFrame {
  /** Whether decoding can start here (an IDR with SPS and PPS in front; every JPEG). */
  readonly keyframe: boolean;
  /** RTP timestamp of every packet of the frame. */
  readonly rtpTimestamp: number;
  /** Sequence number of the first packet. */
  readonly firstSequence: number;
  /** The RTP packets without framing. Shared buffers: read them, never change them. */
  readonly packetViews: readonly Uint8Array[];
  /** Bytes of the frame framed for interleaving: the packets plus 4 bytes each. */
  readonly byteLength: number;
  /**
   * The whole frame framed for one interleaved channel (RFC 2326 §10.12), for one write. Shared
   * like the packets.
   */
  framedFor(channel: number): Uint8Array;
}

/** What a tap feeds. Its calls must not block, and what it throws ends the tap. */
export interface TapSink {
  /** Takes one frame, in decode order; the first is a keyframe. */
  frame(frame: TapFrame): void;
  /** Bytes taken but not sent yet: with {@link TapSink.queuedFrames}, what the queue limits see. */
  readonly queuedBytes: number;
  /** Frames taken but not sent yet. */
  readonly queuedFrames: number;
  /** Takes an RTCP sender report made by {@link Tap.sendReport}. */
  rtcp?(packet: Uint8Array): void;
  /**
   * Takes one frame of the stream's audio track (already RTP with the audio's SSRC, sequence and
   * clock), in time order with the video's. Without it the tap reads the video alone.
   */
  audioFrame?(frame: TapFrame): void;
  /** Takes an RTCP sender report of the audio track made by {@link Tap.sendReport}. */
  audioRtcp?(packet: Uint8Array): void;
  /**
   * Who reads through the tap, as `server.sessions()` shows it in place of a peer address, e.g.
   * `push rtsp://backup:8554/cam`. Default `in-process`.
   */
  readonly label?: string;
  /**
   * The tap ended from the server's side: the stream was removed, the server closed, or the sink
   * threw. Called at most once, and not after {@link Tap.close}.
   */
  ended?(reason: string): void;
}

/** An open tap on one stream. Made by `server.tap()`. */
export interface Tap {
  /** Its id among the server's sessions, e.g. `tap-3` (what `server.kick()` takes). */
  readonly id: string;
  /** The stream's path, e.g. `/cam`. */
  readonly path: string;
  /** The codec of the stream's frames. */
  readonly codec: "h264" | "jpeg";
  /** SSRC of the stream's RTP packets. */
  readonly ssrc: number;
  /** Whether a source feeds the stream. */
  readonly sourceState: SourceState;
  /** What was sent and dropped so far. */
  readonly stats: Readonly<ReaderStats>;
  /** Whether the tap is closed or ended. */
  readonly closed: boolean;
  /**
   * The stream's SDP media section (with `sprop-parameter-sets` once the SPS and PPS are known),
   * with `control` as its `a=control`.
   */
  sdpMedia(control: string): SdpMediaDescription;
  /** The stream's audio SDP media section with `control` as its `a=control`, when it has audio. */
  audioSdpMedia(control: string): SdpMediaDescription | undefined;
  /**
   * Resolves once the SDP can be complete (H.264: SPS and PPS known), after `timeoutMs`, or at once
   * while the source is gone; check {@link Tap.sourceState} after it.
   */
  whenReady(timeoutMs: number): Promise<void>;
  /**
   * Starts over as if just opened: from the cached GOP or a fresh keyframe the source is asked for,
   * frames before it dropped. The stream's reader count does not change. For a consumer that opened
   * the tap early, to bring an on-demand source up, and can use the frames only now.
   */
  restart(): void;
  /**
   * Hands the sink an RTCP sender report (RFC 3550 §6.4.1) for what the tap has sent: one for the
   * video, and one for the audio when the sink takes it and the stream has it.
   */
  sendReport(cname: string): void;
  /** Detaches from the stream. Safe to call twice. */
  close(): void;
}

/** What a tap takes from its server. */
export interface TapContext {
  /** Clocks, for sender reports. */
  clock: Clock;
  /** Log sink. */
  logger: Logger;
  /** The queue limits every reader gets. */
  limits: QueueLimits;
  /** Called once when the tap closes or ends, for the server to forget it. */
  forget(tap: StreamTap): void;
  /** Its id among the server's sessions and taps, e.g. `tap-3`. */
  id: string;
}

/** A tap on a {@link Stream}, as the server keeps it. */
export class StreamTap implements Tap {
  /** The stream read. */
  readonly stream: Stream;
  /** Its id among the server's sessions and taps, e.g. `tap-3`. */
  readonly id: string;
  /** Wall-clock ms it opened. */
  readonly createdAt: number;
  #sink: TapSink;
  #reader: Reader<FrameOutlet>;
  #audioReader: Reader<FrameOutlet> | undefined;
  #context: TapContext;
  #closed = false;

  /** Attaches to `stream` at once (a reader joins). */
  constructor(stream: Stream, sink: TapSink, context: TapContext) {
    this.stream = stream;
    this.id = context.id;
    this.createdAt = context.clock.wallMs();
    this.#sink = sink;
    this.#context = context;
    const outlet = (
      sendFrame: (frame: Frame) => void,
      sendRtcp: (packet: Uint8Array) => void,
    ): FrameOutlet => ({
      sendFrame,
      sendRtcp,
      // Both tracks' queues are the sink's one queue.
      get queuedBytes() {
        return sink.queuedBytes;
      },
      get queuedWrites() {
        return sink.queuedFrames;
      },
    });
    this.#reader = new Reader(
      outlet((frame) => this.#deliver(frame), (packet) => sink.rtcp?.(packet)),
      context.limits,
    );
    if (sink.audioFrame) {
      this.#audioReader = new Reader(
        outlet((frame) => this.#deliver(frame, true), (packet) => sink.audioRtcp?.(packet)),
        context.limits,
      );
    }
    stream.attach(this.#reader, this.#audioReader);
  }

  get path(): string {
    return this.stream.path;
  }

  get codec(): "h264" | "jpeg" {
    return this.stream.codec;
  }

  get ssrc(): number {
    return this.stream.ssrc;
  }

  get sourceState(): SourceState {
    return this.stream.sourceState;
  }

  get stats(): Readonly<ReaderStats> {
    return this.#reader.stats;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Who reads through it (the sink's label). */
  get label(): string {
    return this.#sink.label ?? "in-process";
  }

  sdpMedia(control: string): SdpMediaDescription {
    return this.stream.sdpMedia(control);
  }

  audioSdpMedia(control: string): SdpMediaDescription | undefined {
    return this.stream.audio?.sdpMedia(control);
  }

  whenReady(timeoutMs: number): Promise<void> {
    return this.stream.whenReady(timeoutMs);
  }

  restart(): void {
    if (this.#closed) return;
    this.#reader.restart();
    this.#audioReader?.restart();
    this.stream.rejoin(this.#reader);
  }

  sendReport(cname: string): void {
    if (this.#closed) return;
    const { clock } = this.#context;
    const wallMs = clock.wallMs();
    const now = clock.now();
    this.#reader.sendReport(this.stream.ssrc, wallMs, this.stream.rtpTimeAt(now), cname);
    const audio = this.stream.audio;
    if (this.#audioReader && audio) {
      this.#audioReader.sendReport(audio.ssrc, wallMs, audio.rtpTimeAt(now), cname);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.stream.detach(this.#reader);
    this.#context.forget(this);
  }

  /** Ends the tap from the server's side and tells the sink why. */
  end(reason: string): void {
    if (this.#closed) return;
    this.close();
    try {
      this.#sink.ended?.(reason);
    } catch (error) {
      this.#context.logger.log("warn", "tap sink failed", {
        path: this.path,
        error: String(error),
      });
    }
  }

  #deliver(frame: Frame, audio = false): void {
    if (this.#closed) return;
    try {
      if (audio) this.#sink.audioFrame?.(frame);
      else this.#sink.frame(frame);
    } catch (error) {
      // The sink runs inside the producer's sendFrame: what it throws must not reach the producer.
      this.#context.logger.log("warn", "tap sink failed; tap ended", {
        path: this.path,
        error: String(error),
      });
      this.end(`the sink failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
