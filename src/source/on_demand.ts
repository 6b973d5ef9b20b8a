/**
 * A source that runs only while someone watches (mediamtx's `sourceOnDemand`, gst-rtsp-server's
 * shared media that is unprepared when its last client leaves): nothing is opened or encoded until
 * a client asks for the path (a DESCRIBE, or a reader attaching), and the source stops
 * `closeAfterMs` after the last reader left, so an idle server costs neither CPU nor the encoder's
 * memory.
 *
 * The stream stays at its path throughout. A stopped source keeps the stream's parameter sets, so
 * the next DESCRIBE is answered at once; the encoder's first frame on restart is a keyframe, and a
 * joining reader starts at it (the stream does not replay a GOP that went stale while stopped).
 *
 * @module
 */

import { collectGarbage } from "../runtime/collect_garbage.ts";
import { after, type Clock } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { LiveStream } from "../server/stream/live_stream.ts";
import {
  type EncoderCounts,
  NEVER_ENDS,
  type RunningSource,
  type SourceStatus,
} from "./running_source.ts";

/** Settings of {@link OnDemandSource}. */
export interface OnDemandOptions {
  /** Milliseconds the source keeps running after the last reader left (or a DESCRIBE with no PLAY). */
  closeAfterMs: number;
  /** Milliseconds between attempts while a reader waits and the source cannot start. */
  retryDelayMs: number;
  /** Times the close-after and the retries. */
  clock: Clock;
  /** Where starts, stops and failures are reported. */
  logger: Logger;
  /** What the banner says is served when it runs, e.g. "test pattern 1280x720 at 30 fps". */
  label: string;
}

type State = "stopped" | "starting" | "running" | "stopping";

/** After a source stopped, when to collect garbage a second time (its Worker has ended by then). */
const COLLECT_AGAIN_MS = 2000;

/**
 * Starts `start` when a client wants the stream and stops it when nobody has for a while. Tell it
 * about demand with {@link OnDemandSource.want} (a DESCRIBE of the path) and
 * {@link OnDemandSource.readers} (the stream's reader count, from `StreamOptions.onReaders`).
 */
export class OnDemandSource implements RunningSource {
  /** The stream it feeds. */
  readonly stream: LiveStream;
  /** Never settles: an on-demand source does not end by itself. */
  readonly ended: Promise<void> = NEVER_ENDS;
  #start: () => Promise<RunningSource>;
  #options: OnDemandOptions;
  #state: State = "stopped";
  #running: RunningSource | undefined;
  #readers = 0;
  #demandAt = -Infinity; // last DESCRIBE or last reader leaving, monotonic ms
  #cancelTimer: (() => void) | undefined;
  #lastFailure: string | undefined;
  #closed = false;
  #cancelCollect: (() => void) | undefined;
  #starts = 0;
  #starting: Promise<void> | undefined;
  #since: number; // wall-clock ms of the last change of #state
  #failures = 0;

  /** A stopped source for `stream`; `start` opens and runs it, as the other runners do. */
  constructor(stream: LiveStream, start: () => Promise<RunningSource>, options: OnDemandOptions) {
    this.stream = stream;
    this.#start = start;
    this.#options = options;
    this.#since = options.clock.wallMs();
  }

  /** One line for the banner. */
  get description(): string {
    const seconds = this.#options.closeAfterMs / 1000;
    return `${this.#options.label}, on demand (starts with the first reader, stops ${seconds} s ` +
      "after the last)";
  }

  /** Whether the source is running or starting. */
  get active(): boolean {
    return this.#state === "starting" || this.#state === "running";
  }

  /**
   * `idle` while nobody reads, `connecting` while it starts, then the running source's own state
   * (or `streaming`); `backing-off` after a failed start while readers wait, `stopped` for good.
   */
  get status(): SourceStatus {
    const base = {
      since: this.#since,
      reconnects: this.#failures,
      ...(this.#lastFailure ? { lastError: this.#lastFailure } : {}),
    };
    if (this.#closed) return { ...base, state: "stopped" };
    if (this.#state === "starting") return { ...base, state: "connecting" };
    if (this.#state === "running") {
      const own = this.#running?.status;
      return own ? { ...own, reconnects: own.reconnects + this.#failures } : {
        ...base,
        state: "streaming",
      };
    }
    if (this.#lastFailure !== undefined && this.#readers > 0) {
      return { ...base, state: "backing-off" };
    }
    return { ...base, state: "idle" };
  }

  /** The running source's encoder counters, while it runs. */
  get encoder(): EncoderCounts | undefined {
    return this.#running?.encoder;
  }

  /** How many times the source was started. */
  get starts(): number {
    return this.#starts;
  }

  /**
   * A client asked for the path (DESCRIBE): start now, so its SDP and first frame come soon.
   * Settles once the source is running or its start failed (the stream then says why), so the
   * DESCRIBE answers with what is true now.
   */
  want(): Promise<void> {
    this.#demandAt = this.#options.clock.now();
    this.#update();
    return this.#starting ?? Promise.resolve();
  }

  /** The stream's reader count changed. */
  readers(count: number): void {
    if (count === 0 && this.#readers > 0) this.#demandAt = this.#options.clock.now();
    this.#readers = count;
    this.#update();
  }

  /** Stops the source for good. */
  async stop(): Promise<void> {
    this.#closed = true;
    this.#cancelCollect?.();
    this.#cancelCollect = undefined;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.#stopRunning();
  }

  #wanted(): boolean {
    if (this.#readers > 0) return true;
    return this.#options.clock.now() - this.#demandAt < this.#options.closeAfterMs;
  }

  /** Moves towards what demand asks for: started while wanted, stopped once not. */
  #update(): void {
    if (this.#closed) return;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    if (this.#wanted()) {
      if (this.#state === "stopped") {
        const run = this.#run();
        this.#starting = run;
        void run.finally(() => {
          if (this.#starting === run) this.#starting = undefined;
        });
      }
      if (this.#readers === 0) {
        // Nobody reads (a DESCRIBE with no PLAY yet, or the last reader just left): look again
        // when the close-after has passed.
        const left = this.#demandAt + this.#options.closeAfterMs - this.#options.clock.now();
        this.#cancelTimer = after(this.#options.clock, Math.max(0, left), () => {
          this.#cancelTimer = undefined;
          this.#update();
        });
      }
    } else if (this.#state === "running") {
      void this.#stopRunning().then(() => this.#update());
    }
  }

  #enter(state: State): void {
    if (state !== this.#state) this.#since = this.#options.clock.wallMs();
    this.#state = state;
  }

  async #run(): Promise<void> {
    this.#cancelCollect?.();
    this.#cancelCollect = undefined;
    this.#enter("starting");
    const { logger } = this.#options;
    const path = this.stream.path;
    this.stream.restartSource(); // its clock starts over, and a failed start is no longer news
    let running: RunningSource;
    try {
      running = await this.#start();
    } catch (error) {
      this.#enter("stopped");
      this.#failures++;
      const reason = (error as Error).message;
      if (reason !== this.#lastFailure) {
        logger.log("warn", "the on-demand source could not start", { path, reason });
        this.#lastFailure = reason;
      }
      // Readers waiting for a picture, or a DESCRIBE waiting for the parameter sets, hear why.
      this.stream.sourceGone(reason);
      if (this.#readers > 0 && !this.#closed) {
        this.#cancelTimer?.();
        this.#cancelTimer = after(this.#options.clock, this.#options.retryDelayMs, () => {
          this.#cancelTimer = undefined;
          this.#update();
        });
      }
      return;
    }
    this.#lastFailure = undefined;
    this.#starts++;
    this.#running = running;
    this.#enter("running");
    // The client that asked is only now answered (a camera can take seconds to open): the
    // close-after runs from here, or the source would stop before its SETUP and PLAY.
    if (this.#readers === 0) this.#demandAt = this.#options.clock.now();
    if (this.#closed) return void await this.#stopRunning();
    logger.log("info", "on-demand source started", { path, readers: this.#readers });
    this.#update();
  }

  async #stopRunning(): Promise<void> {
    const running = this.#running;
    if (!running || this.#state !== "running") return;
    this.#enter("stopping");
    this.#running = undefined;
    try {
      await running.stop();
    } catch (error) {
      this.#options.logger.log("warn", "the on-demand source failed to stop cleanly", {
        path: this.stream.path,
        error: (error as Error).message,
      });
    }
    this.#enter("stopped");
    if (!this.#closed) {
      this.#options.logger.log("info", "on-demand source stopped: no reader", {
        path: this.stream.path,
      });
      // The server is idle again: what the source held goes back now, not at the next reader;
      // and again once the encoder's Worker has finished ending and its buffers are garbage.
      collectGarbage();
      this.#cancelCollect = after(this.#options.clock, COLLECT_AGAIN_MS, () => {
        this.#cancelCollect = undefined;
        collectGarbage();
      });
    }
  }
}
