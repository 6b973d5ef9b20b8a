/**
 * A source that could not start (a camera not plugged in yet, a file not there yet) tried again
 * until it starts, so one missing device never takes the other paths of a server down with it.
 * The failure is logged once, and again only when the reason changes.
 *
 * @module
 */

import { type Clock, sleep } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { RunningSource, SourceStatus } from "./running_source.ts";

/** Settings of {@link startRetrying}. */
export interface RetryOptions {
  /** The path the source feeds, for log lines. */
  path: string;
  /** Where the failure and the eventual start are reported. */
  logger: Logger;
  /** Times the attempts. */
  clock: Clock;
  /** Milliseconds between attempts. */
  delayMs: number;
}

/**
 * Calls `start` until it resolves. Resolves at once with the source when the first attempt works;
 * otherwise with a stand-in whose description says what is being waited for, which becomes the
 * real source once an attempt works, and whose `stop()` ends the attempts.
 */
export async function startRetrying(
  start: () => Promise<RunningSource>,
  options: RetryOptions,
): Promise<RunningSource> {
  const { path, logger, clock, delayMs } = options;
  let reported: string;
  try {
    return await start();
  } catch (error) {
    reported = (error as Error).message;
    logger.log("warn", "the source could not start; trying again", { path, reason: reported });
  }
  const stopping = new AbortController();
  let started: RunningSource | undefined;
  // What the status page shows while attempts go on: backing off since the first failure.
  const since = clock.wallMs();
  let attempts = 0;
  let retryAt = clock.wallMs() + delayMs;
  let trying = false;
  let ended!: { resolve: () => void; reject: (error: unknown) => void };
  const endedPromise = new Promise<void>((resolve, reject) => (ended = { resolve, reject }));
  const attempting = (async () => {
    while (!stopping.signal.aborted) {
      await sleep(clock, delayMs, stopping.signal);
      if (stopping.signal.aborted) return;
      attempts++;
      trying = true;
      try {
        started = await start();
      } catch (error) {
        trying = false;
        retryAt = clock.wallMs() + delayMs;
        const reason = (error as Error).message;
        if (reason !== reported) {
          logger.log("warn", "the source could not start; trying again", { path, reason });
          reported = reason;
        }
        continue;
      }
      if (stopping.signal.aborted) break; // stopped while the attempt was under way
      logger.log("info", "the source started", { path, source: started.description });
      started.ended.then(ended.resolve, ended.reject);
      return;
    }
    await started?.stop();
    started = undefined;
  })();
  let stopped = false;
  return {
    description: `not started yet (${reported}); trying again every ${delayMs / 1000} s`,
    ended: endedPromise,
    get encoder() {
      return started?.encoder;
    },
    get status(): SourceStatus | undefined {
      if (started) return started.status; // the source's own, or its stream's
      const base = { since, lastError: reported, reconnects: attempts };
      if (stopped) return { ...base, state: "stopped" };
      return trying ? { ...base, state: "connecting" } : { ...base, state: "backing-off", retryAt };
    },
    async stop() {
      stopped = true;
      stopping.abort();
      await attempting;
      await started?.stop();
    },
  };
}
