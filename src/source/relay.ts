/**
 * A relay: one upstream connection (a camera's RTSP or HTTP server) feeding one path, shared by
 * every reader. When the upstream is lost, readers stay attached and continue from the next
 * keyframe with rising sequence numbers and timestamps (the stream starts a new source clock), and
 * the relay reconnects with exponential backoff and jitter: 1 s doubling to a 30 s cap, reset once
 * a connection has streamed for a minute (as mediamtx and go2rtc retry, LANDSCAPE.md §1.1).
 *
 * The protocol is not the relay's business: it is given `open`, which connects and hands over
 * pictures until the upstream ends, so the same relay serves `rtsp://`, `rtsps://` and `http://`
 * sources, and tests drive it with a scripted upstream and a manual clock.
 *
 * @module
 */

import { after, type Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import { type RunningSource, type SourceStatus, wallOf } from "./running_source.ts";
import { Backoff, StateNews } from "./reconnect.ts";
import type { PulledMedia, PullSink } from "../client/pull.ts";
import type { AudioFormat } from "../codec/audio_format.ts";

/**
 * What an upstream sends, as the relay receives it: the pull client's description, whichever
 * protocol brought it (an HTTP camera's is always JPEG).
 */
export type UpstreamMedia = PulledMedia;

/** Where an open upstream delivers: what the pull clients deliver to. */
export type UpstreamFeed = PullSink;

/** A connected upstream. */
export interface Upstream {
  /** What it sends. */
  readonly media: UpstreamMedia;
  /** The audio it sends beside the video, if any. */
  readonly audio?: AudioFormat;
  /** Disconnects (TEARDOWN and close, bounded in time). */
  close(): Promise<void>;
}

/** Connects to the upstream; rejects with a one-line error when it cannot. */
export type OpenUpstream = (feed: UpstreamFeed) => Promise<Upstream>;

/** Where JPEG pictures go on a path served as H.264: decoded and encoded (see ingest's sinks). */
export interface PictureSink {
  /** One JPEG picture. */
  frame(jpeg: Uint8Array, timestampUs: number): void;
  /** Frees the encoder. */
  close(): Promise<void>;
}

/** What a relay is doing, as the library exposes it and the log shows it (once per change). */
export type RelayState =
  | { readonly state: "connecting" }
  | { readonly state: "streaming"; readonly since: number }
  | { readonly state: "waiting"; readonly until: number; readonly error: string }
  | { readonly state: "stopped" };

/** Settings of a {@link Relay}. */
export interface RelayOptions {
  /** Connects to the upstream. */
  open: OpenUpstream;
  /** Makes the sink JPEG pictures go through on a stream served as H.264, for this upstream. */
  jpegToH264?: (media: UpstreamMedia) => PictureSink;
  /** The upstream as logs and the banner show it (no password). */
  label: string;
  /** Where state changes are reported. */
  logger: Logger;
  /** Times the backoff. */
  clock: Clock;
  /** Picks the jitter: a number in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** A relay feeding `stream` until stopped. */
export class Relay implements RunningSource {
  /** Settles only when stopped: a relay does not end by itself. */
  readonly ended: Promise<void>;
  readonly #stream: LiveStream;
  readonly #options: RelayOptions;
  #state: RelayState = { state: "connecting" };
  readonly #news = new StateNews();
  readonly #backoff: Backoff;
  #upstream: Upstream | undefined;
  #sink: PictureSink | undefined;
  #cancelTimer: (() => void) | undefined;
  #stopped = false;
  #generation = 0;
  #reconnects = 0;
  #lastError: string | undefined;
  #stateSince: number;
  #endedResolve!: () => void;
  #connected: Promise<void>;
  #connectedSettle!: { resolve: () => void; reject: (error: Error) => void };

  /** Connects at once; see {@link Relay.connected}. */
  constructor(stream: LiveStream, options: RelayOptions) {
    this.#stream = stream;
    this.#options = options;
    this.#backoff = new Backoff(options.random);
    this.#stateSince = options.clock.now();
    this.ended = new Promise((resolve) => (this.#endedResolve = resolve));
    this.#connected = new Promise((resolve, reject) => {
      this.#connectedSettle = { resolve, reject };
    });
    this.#connected.catch(() => {}); // a relay left to retry needs nobody to await it
    void this.#attempt();
  }

  /** One line for the banner. */
  get description(): string {
    return `relayed from ${this.#options.label}`;
  }

  /** What the relay is doing now. */
  get state(): RelayState {
    return this.#state;
  }

  /** {@link Relay.state} as every source says it, with the last error and the reconnects. */
  get status(): SourceStatus {
    const s = this.#state;
    const clock = this.#options.clock;
    const since = wallOf(clock, s.state === "streaming" ? s.since : this.#stateSince);
    const base = { since, reconnects: this.#reconnects, lastError: this.#lastError };
    if (s.state === "waiting") {
      return { ...base, state: "backing-off", retryAt: wallOf(clock, s.until) };
    }
    return { ...base, state: s.state };
  }

  /**
   * Settles when the first connection streams, or rejects with its error (the relay goes on
   * trying): an on-demand path waits on it to answer its first reader.
   */
  get connected(): Promise<void> {
    return this.#connected;
  }

  /** Disconnects and stops trying. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#generation++;
    this.#cancelTimer?.();
    const upstream = this.#upstream;
    this.#upstream = undefined;
    await upstream?.close().catch(() => {});
    await this.#sink?.close();
    this.#sink = undefined;
    this.#setState({ state: "stopped" });
    this.#endedResolve();
  }

  async #attempt(): Promise<void> {
    const generation = ++this.#generation;
    this.#setState({ state: "connecting" });
    const current = () => generation === this.#generation && !this.#stopped;
    let configured = false;
    const feed: UpstreamFeed = {
      accessUnit: (nalUnits, timestampUs) => {
        if (current() && configured) this.#stream.sendFrame(nalUnits, { timestamp: timestampUs });
      },
      audio: (frame, timestampUs) => {
        if (current() && configured) this.#stream.sendAudio(frame, timestampUs);
      },
      jpeg: (frame, timestampUs) => {
        if (!current() || !configured) return;
        if (this.#sink) this.#sink.frame(frame, timestampUs);
        else this.#stream.sendFrame(frame, { timestamp: timestampUs });
      },
      closed: (error) => {
        if (current()) this.#lost(error ?? new Error("the upstream ended the stream"));
      },
    };
    let upstream: Upstream;
    try {
      upstream = await this.#options.open(feed);
    } catch (error) {
      if (current()) this.#lost(error as Error);
      return;
    }
    if (!current()) return void await upstream.close().catch(() => {});
    const problem = this.#configure(upstream.media, upstream.audio);
    if (problem) {
      await upstream.close().catch(() => {});
      return this.#lost(new Error(problem));
    }
    this.#upstream = upstream;
    configured = true;
    this.#setState({ state: "streaming", since: this.#options.clock.now() });
    this.#connectedSettle.resolve();
  }

  /** Points the stream at a new upstream; a reason when the two cannot meet. */
  #configure(media: UpstreamMedia, audio: AudioFormat | undefined): string | undefined {
    const stream = this.#stream;
    if (stream.codec === "jpeg" && media.codec !== "jpeg") {
      return "the upstream sends H.264, and the path serves RTP/JPEG: remove jpeg: rtp-jpeg";
    }
    if (stream.codec === "h264" && media.codec === "jpeg") {
      if (!this.#options.jpegToH264) {
        return "the upstream sends JPEG, which this path cannot encode";
      }
      this.#sink ??= this.#options.jpegToH264(media);
    }
    stream.restartSource(media.codec === "h264" ? media.parameterSets : undefined);
    // An upstream without audio, after one with it, leaves the path without it too.
    stream.setAudio(audio);
    if (media.framerate !== undefined && media.framerate > 0) stream.setFramerate(media.framerate);
    return undefined;
  }

  #lost(error: Error): void {
    const { clock, logger } = this.#options;
    this.#generation++; // what the lost connection still says (its close, late frames) is stale
    const upstream = this.#upstream;
    this.#upstream = undefined;
    void upstream?.close().catch(() => {});
    const streamedFor = this.#state.state === "streaming" ? clock.now() - this.#state.since : 0;
    // The clients' errors name the URL already; others get it, so a 503 says which upstream.
    const { label } = this.#options;
    const said = error.message.startsWith(label) ? error.message : `${label}: ${error.message}`;
    this.#stream.sourceGone(said);
    this.#connectedSettle.reject(error);
    const delay = this.#backoff.failed(streamedFor);
    this.#reconnects++;
    this.#lastError = error.message;
    this.#setState({ state: "waiting", until: clock.now() + delay, error: error.message });
    logger.log("debug", "relay waits before connecting again", {
      path: this.#stream.path,
      delayMs: delay,
    });
    this.#cancelTimer = after(clock, delay, () => {
      this.#cancelTimer = undefined;
      if (!this.#stopped) void this.#attempt();
    });
  }

  #setState(state: RelayState): void {
    // A retry is part of backing off: the state began when the connection was lost.
    const retry = state.state === "connecting" && this.#state.state === "waiting";
    if (state.state !== this.#state.state && !retry) this.#stateSince = this.#options.clock.now();
    this.#state = state;
    // Once per change: attempts that fail the same way again are one line, not one per retry.
    const key = state.state === "waiting" ? `waiting: ${state.error}` : state.state;
    if (!this.#news.isNews(key)) return;
    const { logger, label } = this.#options;
    const path = this.#stream.path;
    if (state.state === "connecting") {
      logger.log("info", "relay connecting", { path, upstream: label });
    } else if (state.state === "streaming") {
      logger.log("info", "relay streaming", { path, upstream: label });
    } else if (state.state === "stopped") logger.log("info", "relay stopped", { path });
    else {
      logger.log("warn", "relay lost its upstream; connecting again", {
        path,
        upstream: label,
        error: state.error,
        retryInMs: state.until - this.#options.clock.now(),
      });
    }
  }
}
