/**
 * The preview of a JPEG path: its RTP/JPEG (RFC 2435) depacketized back to JPEGs and encoded to
 * H.264 by the WASM encoder, once per path however many viewers it has, and only while someone
 * previews: the tap (which keeps an on-demand source running) and the encoder stop when the last
 * viewer leaves. A viewer that joins asks the encoder for a keyframe, so it starts at once.
 *
 * @module
 */

import { type Clock, systemClock } from "../base/clock.ts";
import { type Logger, throttledLog } from "../base/log.ts";
import { NalType } from "../codec/h264.ts";
import { type EncodeSettings, EncodingSink, type FrameStream } from "../encoder/frame_sinks.ts";
import { parseRtpPacket } from "../rtp/header.ts";
import { JpegDepacketizer } from "../rtp/jpeg_depacketizer.ts";
import type { SourceState } from "../server/stream/live_stream.ts";
import type { Tap, TapFrame } from "../server/tap.ts";
import type { FeedHandlers, PreviewFeed } from "./preview_feed.ts";
import type { TapHost } from "./preview_tap_feed.ts";

/** What a transcoder is made with. */
export interface TranscoderOptions {
  /** Encoder settings of the preview's H.264. */
  settings: EncodeSettings;
  /** Where failures are told. */
  logger: Logger;
  /** Spaces repeated warnings. Default: the system clock. */
  clock?: Clock;
  /** Called once when the last viewer left or the tap ended: the owner forgets it. */
  done(): void;
}

/** One path's JPEG → H.264 transcoder, shared by its viewers. */
export class JpegPreviewTranscoder {
  readonly #server: TapHost;
  readonly #path: string;
  readonly #options: TranscoderOptions;
  readonly #viewers = new Set<FeedHandlers>();
  #tap: Tap | undefined;
  #sink: EncodingSink | undefined;
  #requestKeyframe: (() => void) | undefined;
  #depacketizer = new JpegDepacketizer();
  #lastRtp: number | undefined;
  #ticks = 0; // the JPEGs' RTP timestamps, unwrapped
  #done = false;
  #reportBadJpeg: (fields: Record<string, string>) => void;

  /** Prepares the transcoder of `path`; nothing runs until the first {@link subscribe}. */
  constructor(server: TapHost, path: string, options: TranscoderOptions) {
    this.#server = server;
    this.#path = path;
    this.#options = options;
    const clock = options.clock ?? systemClock;
    this.#reportBadJpeg = throttledLog(
      options.logger,
      "warn",
      "preview could not transcode a JPEG",
      10_000,
      () => clock.now(),
    );
  }

  /** Viewers now. */
  get viewers(): number {
    return this.#viewers.size;
  }

  /** Adds a viewer; the first starts the tap and the encoder. Throws when there is no stream. */
  subscribe(handlers: FeedHandlers): PreviewFeed {
    if (this.#done) throw new Error("the preview of this path has stopped");
    if (!this.#tap) this.#start();
    this.#viewers.add(handlers);
    this.#requestKeyframe?.();
    const tap = this.#tap!;
    return {
      get sourceState(): SourceState {
        return tap.sourceState;
      },
      restart: () => this.#requestKeyframe?.(),
      close: () => this.#leave(handlers),
    };
  }

  #start(): void {
    const clock = this.#options.clock ?? systemClock;
    const target: FrameStream = {
      path: this.#path,
      sendFrame: (frame, options) => {
        this.#fanOut(frame as readonly Uint8Array[], options.timestamp ?? 0);
        return true;
      },
      setKeyframeRequest: (request) => this.#requestKeyframe = request,
    };
    this.#sink = new EncodingSink(target, this.#options.settings, {
      logger: this.#options.logger,
      now: () => clock.now(),
    });
    try {
      this.#tap = this.#server.tap(this.#path, {
        frame: (frame) => this.#jpegFrame(frame),
        queuedBytes: 0, // the encoder pipeline drops when it is busy; nothing queues here
        queuedFrames: 0,
        ended: (reason) => this.#stop(reason),
      });
    } catch (error) {
      this.#stop(undefined);
      throw error;
    }
  }

  #jpegFrame(frame: TapFrame): void {
    for (const view of frame.packetViews) {
      const packet = parseRtpPacket(view);
      const picture = packet && this.#depacketizer.push(packet);
      if (picture) this.#encode(picture.jpeg, picture.timestamp);
    }
    for (const picture of this.#depacketizer.flush()) this.#encode(picture.jpeg, picture.timestamp);
  }

  #encode(jpeg: Uint8Array, rtpTimestamp: number): void {
    const last = this.#lastRtp;
    this.#lastRtp = rtpTimestamp;
    if (last !== undefined) this.#ticks += Math.max(0, (rtpTimestamp - last) | 0);
    try {
      // The encoder's clock is microseconds; 90 kHz ticks × 100 / 9.
      this.#sink?.frame(jpeg, Math.round((this.#ticks * 100) / 9));
    } catch (error) {
      this.#reportBadJpeg({ path: this.#path, error: String(error) });
    }
  }

  #fanOut(nalUnits: readonly Uint8Array[], timestampUs: number): void {
    const keyframe = nalUnits.some((n) => (n[0] & 0x1f) === NalType.IDR);
    const au = { nalUnits, timestamp: Math.round((timestampUs * 9) / 100) >>> 0, keyframe };
    for (const viewer of [...this.#viewers]) {
      if (viewer.wants(keyframe)) viewer.accessUnit(au);
    }
  }

  #leave(handlers: FeedHandlers): void {
    if (!this.#viewers.delete(handlers)) return;
    if (this.#viewers.size === 0) this.#stop(undefined);
  }

  /** Stops the tap and the encoder; `reason` (the tap ended) is told to every viewer. */
  #stop(reason: string | undefined): void {
    if (this.#done) return;
    this.#done = true;
    this.#tap?.close();
    this.#sink?.close().catch(() => {});
    this.#requestKeyframe = undefined;
    const viewers = [...this.#viewers];
    this.#viewers.clear();
    this.#options.done();
    if (reason !== undefined) { for (const viewer of viewers) viewer.ended(reason); }
  }
}
