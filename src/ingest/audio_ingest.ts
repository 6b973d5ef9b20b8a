/**
 * A device's audio push to a path (`/ingest/<path>/audio`), carried as the audio track of the
 * path's video stream. Audio does not claim the path: the path belongs to the device's video, and
 * the audio joins the stream that video feeds (over ingest: an RTSP publisher or a local source
 * brings its own audio, 409). Audio that comes before the video waits for it for
 * {@link AUDIO_WAIT_MS}, dropped meanwhile. One audio push per path at a time; a silent one is
 * taken over as a silent video push is (takeover.ts).
 *
 * A push in another format than the path's audio track (another rate, channel count or codec)
 * starts a new track: readers that set up the old one keep their video and hear no more audio
 * until they set up again (their SDP is out of date), which the log says.
 *
 * @module
 */

import type { AudioFormat } from "../codec/audio_format.ts";
import { describeAudioFormat } from "../codec/audio_format.ts";
import type { Logger } from "../base/log.ts";
import type { RtspServer } from "../server/server.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import { type AudioOut, AudioPush } from "./audio_push.ts";
import { IngestError } from "./errors.ts";
import type { AudioPlan } from "./ingest_request.ts";
import type { DeviceTimeline } from "./timestamps.ts";

/** How long audio waits for the path's video before it is refused, milliseconds. */
export const AUDIO_WAIT_MS = 10_000;

/** What an audio push needs from the ingest server. */
export interface AudioIngestContext {
  /** The RTSP server whose paths are published. */
  rtsp: RtspServer;
  /** Where publishing and refusals are told. */
  logger: Logger;
  /** Monotonic milliseconds. */
  now(): number;
  /** The device clock mapping of each stream an ingest device's video feeds. */
  timelines: WeakMap<LiveStream, DeviceTimeline>;
}

/**
 * The audio track `stream` holds now: the server's streams tell it, though {@link LiveStream} does
 * not name it (`setAudio` and `sendAudio` it does).
 */
function audioTrackOf(stream: LiveStream): { readonly format: Readonly<AudioFormat> } | undefined {
  return (stream as LiveStream & { readonly audio?: { readonly format: Readonly<AudioFormat> } })
    .audio;
}

/** One audio push, from its request head to its end. */
export class AudioIngest {
  readonly #plan: AudioPlan;
  readonly #ctx: AudioIngestContext;
  readonly #peer: string;
  readonly #push: AudioPush;
  readonly #since: number;
  #stream: LiveStream | undefined;
  #track: unknown;
  #waitLogged = false;
  readonly #chunked: boolean;
  /** Frames sent to the track. */
  frames = 0;
  /** Frames dropped while the path had no video to join. */
  dropped = 0;

  /**
   * Starts the push of `plan` from `peer`; `chunked` when its body is (the cap on one chunk's audio
   * then applies; a Content-Length body is taken read by read).
   */
  constructor(plan: AudioPlan, ctx: AudioIngestContext, peer: string, chunked = true) {
    this.#plan = plan;
    this.#chunked = chunked;
    this.#ctx = ctx;
    this.#peer = peer;
    this.#push = new AudioPush(plan.input, plan.policy.audio ?? "l16", undefined);
    if (plan.timestampUs !== undefined) this.#push.deviceTime(plan.timestampUs);
    this.#since = ctx.now();
    this.#join();
  }

  /** The path, e.g. `/cam`. */
  get path(): string {
    return this.#plan.path;
  }

  /** Times the sample clock was re-anchored (drift past 200 ms, a device clock jump). */
  get reanchored(): number {
    return this.#push.reanchored;
  }

  /** The largest WebSocket message taken, bytes. */
  get maxMessageBytes(): number {
    return this.#push.maxChunkBytes;
  }

  /** The track's format. */
  get format(): AudioFormat {
    return this.#push.format;
  }

  /**
   * Body bytes (HTTP); `chunkEnd` when they end a chunk, `deviceUs` the device time of their first
   * sample when they begin a chunk with a `ts=` extension. Throws {@link IngestError}.
   */
  bytes(data: Uint8Array, chunkEnd?: boolean, deviceUs?: number): void {
    this.#join();
    if (deviceUs !== undefined) this.#push.deviceTime(deviceUs);
    const end = chunkEnd === true || !this.#chunked;
    this.#send(this.#push.bytes(data, this.#ctx.now() * 1000, end));
  }

  /** A WebSocket message, with the `ts=` that came before it. Throws {@link IngestError}. */
  message(data: Uint8Array, deviceUs: number | undefined): void {
    this.#join();
    if (deviceUs !== undefined) this.#push.deviceTime(deviceUs);
    this.#send(this.#push.message(data, this.#ctx.now() * 1000));
  }

  /** The body ended. Throws {@link IngestError} when it ended inside a sample. */
  end(): void {
    this.#send(this.#push.end());
  }

  #send(frames: AudioOut[]): void {
    const stream = this.#stream;
    if (!stream) {
      this.dropped += frames.length;
      return;
    }
    for (const f of frames) if (stream.sendAudio(f.data, f.timestampUs)) this.frames++;
  }

  /** Joins the path's stream, or checks it still holds this push's track. */
  #join(): void {
    const { path } = this.#plan;
    const stream = this.#ctx.rtsp.getStream(path);
    if (stream !== undefined && stream === this.#stream) {
      if (audioTrackOf(stream) === this.#track) return;
      throw new IngestError(409, `another publisher of ${path} replaced its audio`);
    }
    const timeline = stream && this.#ctx.timelines.get(stream);
    if (stream && !timeline) {
      throw new IngestError(
        409,
        `${path} is not fed by an ingest device; its audio comes from its own source`,
      );
    }
    if (!stream || !timeline) {
      this.#stream = undefined;
      const waited = this.#ctx.now() - this.#since;
      if (waited > AUDIO_WAIT_MS) {
        throw new IngestError(
          409,
          `${path} has had no video for ${AUDIO_WAIT_MS / 1000} s; audio is served beside a ` +
            `device's video, so push the video to /ingest${path} too`,
        );
      }
      if (!this.#waitLogged) {
        this.#waitLogged = true;
        this.#ctx.logger.log("info", "device audio waits for the path's video", {
          path,
          peer: this.#peer,
        });
      }
      return;
    }
    const format = this.#push.format;
    const before = audioTrackOf(stream)?.format;
    stream.setAudio(format);
    if (before && !sameFormat(before, format)) {
      this.#ctx.logger.log("warn", "device audio format changed; a new audio track", {
        path,
        peer: this.#peer,
        was: describeAudioFormat(before),
        now: describeAudioFormat(format),
        note: "readers set up before hear no more audio until they set up again",
      });
    }
    this.#stream = stream;
    this.#track = audioTrackOf(stream);
    this.#push.retime(timeline);
    this.#ctx.logger.log("info", "device audio publishing", {
      path,
      peer: this.#peer,
      as: describeAudioFormat(format),
      ...(this.dropped ? { droppedFrames: this.dropped } : {}),
    });
  }
}

function sameFormat(a: Readonly<AudioFormat>, b: Readonly<AudioFormat>): boolean {
  return a.codec === b.codec && a.clockRate === b.clockRate && a.channels === b.channels;
}
