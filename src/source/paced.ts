/**
 * Pacing items that arrive from a stream (frames from a pipe, access units from a byte stream) at a
 * fixed rate: nothing is taken before it is due, so a producer that runs ahead is held back by its
 * own pipe, and one that falls behind is followed without a burst to catch up.
 *
 * @module
 */

/**
 * Hands each item of `items` to `sink` with its timestamp (microseconds), one every 1/`fps` s.
 * An item that arrives late goes out at once and the schedule starts again from it. Resolves when
 * the items end or `signal` aborts.
 */
export async function playPaced<T>(
  items: AsyncIterable<T>,
  fps: number,
  sink: (item: T, timestampUs: number) => void,
  signal?: AbortSignal,
  now: () => number = () => performance.now(),
): Promise<void> {
  const interval = 1000 / fps;
  let start = now();
  let index = 0;
  for await (const item of items) {
    if (signal?.aborted) return;
    let due = start + index * interval;
    const wait = due - now();
    if (wait > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      if (signal?.aborted) return;
    } else if (wait < -interval) {
      start = now() - index * interval; // behind: restart the schedule here, no burst to catch up
      due = start + index * interval;
    }
    sink(item, due * 1000);
    index++;
  }
}
