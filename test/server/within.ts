/**
 * Bounds a wait in a test: `await within(promise, ms)` gives the promise's value, or `"timer"` when
 * it is still pending after `ms`, so a test fails fast instead of passing at some long timeout.
 *
 * @module
 */

/** Settles `promise` against a short timer: `"timer"` when it is still pending after `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | "timer"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timer">((resolve) => timer = setTimeout(resolve, ms, "timer"));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
