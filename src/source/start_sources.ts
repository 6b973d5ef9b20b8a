/**
 * Starting the local sources of a server: every path's stream is added first, all at once and
 * before anything is opened, so that a reader who asks right after the port opens waits for the
 * first picture instead of hearing that the path does not exist; then the sources start together.
 *
 * @module
 */

import { type Clock, systemClock } from "../base/clock.ts";
import type { StreamHost } from "./encode_to_stream.ts";
import {
  knownFramerate,
  type LocalSource,
  runLocalSource,
  type SourceContext,
  sourceLabel,
} from "./local_source.ts";
import { OnDemandSource } from "./on_demand.ts";
import { startRetrying } from "./retrying_source.ts";
import type { RunningSource } from "./running_source.ts";

/** One path to serve from a local source. */
export interface PlannedSource {
  /** The path, e.g. `/cam1`. */
  path: string;
  /** What feeds it. */
  source: LocalSource;
  /**
   * When the source cannot start: keep the path and try again every `retryDelayMs` (a server of
   * many paths) instead of failing the whole start (a single source the user asked for).
   */
  retry: boolean;
  /**
   * Run the source only while someone reads the path (see {@link OnDemandSource}), stopping it
   * `closeAfterMs` after the last reader left. Undefined: always on.
   */
  onDemand?: { closeAfterMs: number };
}

/** How long a reader of an on-demand relay waits for the upstream before it hears 503. */
export const ON_DEMAND_UPSTREAM_WAIT_MS = 10_000;

/** Settings of {@link startLocalSources}. */
export interface StartSourcesOptions extends SourceContext {
  /** Milliseconds between attempts to start a source that failed. Default 2000. */
  retryDelayMs?: number;
}

/**
 * Adds a stream for every planned path to `server` before it returns (the adding is synchronous),
 * then starts every source. Resolves with the running sources in plan order. When a source without
 * `retry` fails, the others are stopped again and the error is thrown.
 */
export function startLocalSources(
  server: StreamHost,
  plans: readonly PlannedSource[],
  options: StartSourcesOptions,
): Promise<RunningSource[]> {
  const clock: Clock = options.clock ?? systemClock;
  const context = { ...options, clock };
  const delayMs = options.retryDelayMs ?? 2000;
  // An on-demand source hears of readers through its stream, which must exist first.
  const demand: (OnDemandSource | undefined)[] = [];
  const streams = plans.map(({ path, source, onDemand }, i) =>
    server.addStream(path, {
      codec: "jpeg" in source && source.jpeg === "rtp-jpeg" ? "jpeg" : "h264",
      framerate: knownFramerate(source),
      onReaders: onDemand && ((count) => demand[i]?.readers(count)),
    })
  );
  const starting = plans.map((plan, i): Promise<RunningSource> => {
    const start = () => runLocalSource(streams[i], plan.source, context);
    if (plan.onDemand) {
      // A relay started for a reader answers it once the upstream streams (or says why it did
      // not within 10 s, mediamtx's sourceOnDemandStartTimeout); other sources are up at once.
      const wait = { ...context, awaitUpstreamMs: ON_DEMAND_UPSTREAM_WAIT_MS };
      const startForReader = () => runLocalSource(streams[i], plan.source, wait);
      demand[i] = new OnDemandSource(streams[i], startForReader, {
        closeAfterMs: plan.onDemand.closeAfterMs,
        retryDelayMs: delayMs,
        clock,
        logger: options.logger,
        label: sourceLabel(plan.source),
      });
      return Promise.resolve(demand[i]!);
    }
    if (!plan.retry) return start();
    return startRetrying(start, { path: plan.path, logger: options.logger, clock, delayMs });
  });
  return settleAll(starting);
}

/** All of `starting`, or, when one fails, the first error after the others are stopped. */
async function settleAll(starting: Promise<RunningSource>[]): Promise<RunningSource[]> {
  const settled = await Promise.allSettled(starting);
  const failed = settled.find((s) => s.status === "rejected");
  if (!failed) return settled.map((s) => (s as PromiseFulfilledResult<RunningSource>).value);
  await Promise.all(settled.map((s) => s.status === "fulfilled" ? s.value.stop() : undefined));
  throw failed.reason;
}
