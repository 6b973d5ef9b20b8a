/**
 * Keeps one path pushed to one upstream server (a `push:` target): the push session itself is
 * `pushRtsp()` in `src/client/push.ts`; this keeps it going. When the target refuses, vanishes or
 * the path has nothing to send yet, it tries again with the relays' backoff (1 s doubling to 30 s,
 * ±20 % jitter, reset after a minute of pushing) and says what it does once per change, as
 * mediamtx reports its forward targets.
 *
 * @module
 */

import { after, type Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import { stripCredentials } from "../rtsp/url.ts";
import { Backoff, StateNews } from "./reconnect.ts";

/** A push session as the pusher holds it. */
export interface PushLink {
  /** Settles once, with the error that ended it (undefined when closed). */
  readonly closed: Promise<Error | undefined>;
  /** Ends it (TEARDOWN, bounded in time). */
  close(): Promise<void>;
}

/** How often a pusher looks whether its path has appeared. */
const PATH_POLL_MS = 1000;

/** Starts one push session; rejects with a one-line error when it cannot. */
export type StartPush = () => Promise<PushLink>;

/** What a pusher is doing, per target. */
export type PushState =
  | { readonly state: "waiting for the path" }
  | { readonly state: "connecting" }
  | { readonly state: "pushing"; readonly since: number }
  | { readonly state: "waiting"; readonly until: number; readonly error: string }
  | { readonly state: "stopped" };

/** Settings of a {@link Pusher}. */
export interface PusherOptions {
  /** The path pushed, for log lines. */
  path: string;
  /** The target, credentials allowed (they are never logged). */
  url: string;
  /** Opens a session to the target. */
  start: StartPush;
  /**
   * Whether the path has something to push yet (a publisher's or a device's path appears with its
   * first frames). While it has not, the pusher looks again every second without counting a
   * failure, so the push starts within a second of the path, not after a grown backoff.
   */
  ready?: () => boolean;
  /** Where state changes go. */
  logger: Logger;
  /** Times the backoff. */
  clock: Clock;
  /** Picks the jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** One path kept pushed to one target until stopped. */
export class Pusher {
  readonly #options: PusherOptions;
  readonly #target: string;
  #state: PushState = { state: "connecting" };
  readonly #news = new StateNews();
  readonly #backoff: Backoff;
  #link: PushLink | undefined;
  #cancelTimer: (() => void) | undefined;
  #generation = 0;
  #stopped = false;

  /** Starts pushing at once. */
  constructor(options: PusherOptions) {
    this.#options = options;
    this.#backoff = new Backoff(options.random);
    this.#target = stripCredentials(options.url);
    void this.#attempt();
  }

  /** The path pushed, e.g. `/cam`. */
  get path(): string {
    return this.#options.path;
  }

  /** The target without credentials. */
  get target(): string {
    return this.#target;
  }

  /** What the pusher is doing now. */
  get state(): PushState {
    return this.#state;
  }

  /** Stops pushing, ending the session. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#generation++;
    this.#cancelTimer?.();
    const link = this.#link;
    this.#link = undefined;
    await link?.close().catch(() => {});
    this.#setState({ state: "stopped" });
  }

  async #attempt(): Promise<void> {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation && !this.#stopped;
    if (this.#options.ready?.() === false) {
      this.#setState({ state: "waiting for the path" });
      this.#cancelTimer = after(this.#options.clock, PATH_POLL_MS, () => {
        this.#cancelTimer = undefined;
        if (current()) void this.#attempt();
      });
      return;
    }
    this.#setState({ state: "connecting" });
    let link: PushLink;
    try {
      link = await this.#options.start();
    } catch (error) {
      if (current()) this.#lost(error as Error);
      return;
    }
    if (!current()) return void await link.close().catch(() => {});
    this.#link = link;
    this.#setState({ state: "pushing", since: this.#options.clock.now() });
    const error = await link.closed;
    if (current()) this.#lost(error ?? new Error("the target ended the session"));
  }

  #lost(error: Error): void {
    const { clock } = this.#options;
    this.#generation++;
    this.#link = undefined;
    const pushedFor = this.#state.state === "pushing" ? clock.now() - this.#state.since : 0;
    const delay = this.#backoff.failed(pushedFor);
    this.#setState({ state: "waiting", until: clock.now() + delay, error: error.message });
    this.#cancelTimer = after(clock, delay, () => {
      this.#cancelTimer = undefined;
      if (!this.#stopped) void this.#attempt();
    });
  }

  #setState(state: PushState): void {
    this.#state = state;
    // Once per change: a target that keeps refusing the same way is one line, not one per try.
    const key = state.state === "waiting" ? `waiting: ${state.error}` : state.state;
    if (!this.#news.isNews(key)) return;
    const { logger, path } = this.#options;
    const target = this.#target;
    if (state.state === "waiting") {
      logger.log("warn", "push failed; trying again", {
        path,
        target,
        error: state.error,
        retryInMs: state.until - this.#options.clock.now(),
      });
    } else {
      logger.log("info", `push ${state.state}`, { path, target });
    }
  }
}
