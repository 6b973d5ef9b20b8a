/**
 * A source that could not start (a camera not plugged in yet, a file not there yet) tried again
 * until it starts, so one missing device never takes the other paths of a server down with it.
 * The failure is logged once, and again only when the reason changes.
 *
 * @module
 */

import { type Clock, sleep } from "../base/clock.ts";
import type { Logger } from "../base/log.ts";
import type { RunningSource } from "./running_source.ts";

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
  let ended!: { resolve: () => void; reject: (error: unknown) => void };
  const endedPromise = new Promise<void>((resolve, reject) => (ended = { resolve, reject }));
  const attempts = (async () => {
    while (!stopping.signal.aborted) {
      await sleep(clock, delayMs, stopping.signal);
      if (stopping.signal.aborted) return;
      try {
        started = await start();
      } catch (error) {
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
  return {
    description: `not started yet (${reported}); trying again every ${delayMs / 1000} s`,
    ended: endedPromise,
    async stop() {
      stopping.abort();
      await attempts;
      await started?.stop();
    },
  };
}
