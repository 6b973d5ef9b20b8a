import assert from "node:assert/strict";
import fc from "fast-check";
import { formatDuration, parseDuration } from "../../src/base/duration.ts";

Deno.test("formatDuration() writes the largest units first", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(1), "1ms");
  assert.equal(formatDuration(1500), "1s500ms");
  assert.equal(formatDuration(60_000), "1m");
  assert.equal(formatDuration(86_400_000), "24h");
  assert.equal(formatDuration(3_723_004), "1h2m3s4ms");
  assert.equal(formatDuration(2.5), "2.5ms");
});

Deno.test("formatDuration() refuses what is not a duration", () => {
  for (const ms of [-1, NaN, Infinity]) assert.throws(() => formatDuration(ms), RangeError);
});

Deno.test("parseDuration() reads back every formatDuration()", () => {
  for (const ms of [1100.0000000000002, 1e-7, 0.1, 5e-324, 1.5e-300, 1e21, 1.25e22, 2 ** 53 + 2]) {
    assert.equal(parseDuration(formatDuration(ms)), ms, String(ms));
  }
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), (ms) => {
      assert.equal(parseDuration(formatDuration(ms)), ms);
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 86_400_000 }), (ms) => {
      assert.equal(parseDuration(formatDuration(ms)), ms);
    }),
  );
});
