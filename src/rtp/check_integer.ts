/**
 * The range check the packetizers and depacketizers make of their options and timestamps.
 *
 * @module
 */

/** Throws a `RangeError` naming `name` unless `value` is an integer from `min` to `max`. */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
