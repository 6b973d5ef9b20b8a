/**
 * Runs a callback at a steady frame rate against a monotonic clock, catching up without drift when
 * a timer fires late (each tick is scheduled from the start time, not from the previous tick).
 *
 * @module
 */

/** A running pacer. */
export interface Pacer {
  /** Stops ticking. */
  stop(): void;
}

/**
 * Calls `tick(index)` at `fps` frames per second, index counting from 0, until stopped. When more
 * than a second late (a suspended machine), it skips ahead instead of bursting the backlog.
 */
export function pace(
  fps: number,
  tick: (index: number) => void,
  now: () => number = () => performance.now(),
): Pacer {
  if (!(fps > 0 && fps <= 1000)) {
    throw new RangeError(`fps must be a number from 0 to 1000, got ${String(fps)}`);
  }
  const interval = 1000 / fps;
  let start = now();
  let index = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const step = () => {
    if (stopped) return;
    const late = now() - (start + index * interval);
    if (late > 1000) {
      start = now() - index * interval;
    }
    tick(index++);
    timer = setTimeout(step, Math.max(0, start + index * interval - now()));
  };
  timer = setTimeout(step, 0);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
