/**
 * Pacing at a fixed frame rate against a monotonic clock, in one schedule for both kinds of
 * source: {@link pace} ticks a source that makes frames on demand (the test pattern, a looped
 * clip), and {@link playPaced} hands on items that arrive by themselves (frames from a pipe, access
 * units from a byte stream), taking none before it is due, so a producer that runs ahead is held
 * back by its own pipe.
 *
 * Every frame time is counted from one start time, not from the previous frame, so late timers do
 * not add up to drift. A source that falls far behind (a suspended machine, a stalled pipe) restarts
 * the schedule at the frame it is on instead of bursting the backlog to catch up.
 *
 * @module
 */

import { after, type Clock, sleep, systemClock } from "../base/clock.ts";

/** A running pacer. */
export interface Pacer {
  /** Stops ticking. */
  stop(): void;
}

/** Frame times at `fps` from a start time, restarted when a frame is more than `maxLateMs` late. */
class FrameSchedule {
  readonly interval: number;
  #start: number;
  readonly #clock: Clock;
  readonly #maxLateMs: number;

  constructor(fps: number, clock: Clock, maxLateMs: number) {
    if (!(fps > 0 && fps <= 1000)) {
      throw new RangeError(`fps must be a number from 0 to 1000, got ${String(fps)}`);
    }
    this.interval = 1000 / fps;
    this.#clock = clock;
    this.#maxLateMs = maxLateMs;
    this.#start = clock.now();
  }

  /** When frame `index` is due, on the clock. */
  at(index: number): number {
    return this.#start + index * this.interval;
  }

  /**
   * When frame `index` is due; when it is more than the allowed lateness behind, the schedule
   * moves on by whole frame intervals so that it is due now or less than a frame ago. Whole
   * intervals keep every timestamp on the 1/fps grid: a stall reads as frames skipped, not as a
   * frame rate that changed (ffprobe's `r_frame_rate` read 299/12 for a 25 fps pipe stamped off
   * the grid after a stall).
   */
  catchUp(index: number): number {
    const late = this.#clock.now() - this.at(index);
    if (late > this.#maxLateMs) this.#start += Math.floor(late / this.interval) * this.interval;
    return this.at(index);
  }
}

/**
 * Calls `tick(index)` at `fps` frames per second, index counting from 0, until stopped. When more
 * than a second late (a suspended machine), it skips ahead instead of bursting the backlog.
 */
export function pace(
  fps: number,
  tick: (index: number) => void,
  clock: Clock = systemClock,
): Pacer {
  const schedule = new FrameSchedule(fps, clock, 1000);
  let index = 0;
  let stopped = false;
  let cancel = after(clock, 0, step);
  function step(): void {
    if (stopped) return;
    schedule.catchUp(index);
    tick(index++);
    if (!stopped) cancel = after(clock, schedule.at(index) - clock.now(), step);
  }
  return {
    stop() {
      stopped = true;
      cancel();
    },
  };
}

/**
 * Hands each item of `items` to `sink` with its timestamp (microseconds of the clock), one every
 * 1/`fps` s. An item that arrives more than a frame late goes out at once and the schedule starts
 * again from it. Resolves when the items end or `signal` aborts.
 */
export async function playPaced<T>(
  items: AsyncIterable<T>,
  fps: number,
  sink: (item: T, timestampUs: number) => void,
  signal?: AbortSignal,
  clock: Clock = systemClock,
): Promise<void> {
  const schedule = new FrameSchedule(fps, clock, 1000 / fps);
  let index = 0;
  for await (const item of items) {
    if (signal?.aborted) return;
    const due = schedule.catchUp(index);
    const wait = due - clock.now();
    if (wait > 0) {
      await sleep(clock, wait, signal);
      if (signal?.aborted) return;
    }
    sink(item, due * 1000);
    index++;
  }
}
