/**
 * Durations as people write them in flags and config files, mediamtx-style: `10s`, `500ms`,
 * `1m30s`, `2h`; a bare number is seconds.
 *
 * @module
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds in `text` (`"10s"`, `"1m30s"`, `"250ms"`, `"2.5s"`, or `"10"` for seconds).
 * Returns undefined when `text` is not a duration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./duration.ts";
 *
 * assert.equal(parseDuration("1m30s"), 90_000);
 * assert.equal(parseDuration("10"), 10_000);
 * assert.equal(parseDuration("soon"), undefined);
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, , unit] of trimmed.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * UNIT_MS[unit];
  }
  return total;
}

/**
 * `ms` as {@link parseDuration} reads it back, largest units first: `90_000` → `"1m30s"`,
 * `1500` → `"1s500ms"`, `0` → `"0s"`. A fraction of a millisecond is written in `ms` alone, so
 * `parseDuration(formatDuration(ms)) === ms` for every finite `ms` of at least 0. Throws
 * `RangeError` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration, parseDuration } from "./duration.ts";
 *
 * assert.equal(formatDuration(90_000), "1m30s");
 * assert.equal(formatDuration(10_000), "10s");
 * assert.equal(formatDuration(500), "500ms");
 * assert.equal(formatDuration(7_200_000), "2h");
 * assert.equal(parseDuration(formatDuration(3_723_004)), 3_723_004);
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration: ${ms}`);
  if (!Number.isSafeInteger(ms)) return `${decimal(ms)}ms`;
  if (ms === 0) return "0s";
  let rest = ms;
  let text = "";
  for (const unit of ["h", "m", "s", "ms"]) {
    const amount = Math.floor(rest / UNIT_MS[unit]);
    rest -= amount * UNIT_MS[unit];
    if (amount > 0) text += `${amount}${unit}`;
  }
  return text;
}

/** `n` (finite, at least 0) in plain decimal digits, no exponent: the same decimal as `String(n)`. */
function decimal(n: number): string {
  const [mantissa, exponent] = String(n).split("e");
  if (exponent === undefined) return mantissa;
  const [whole, fraction = ""] = mantissa.split(".");
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  if (point <= 0) return `0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + "0".repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
