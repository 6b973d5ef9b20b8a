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
