import assert from "node:assert/strict";
import { parseDuration } from "../../src/base/duration.ts";

Deno.test("parseDuration() reads mediamtx-style durations and bare seconds", () => {
  assert.equal(parseDuration("10s"), 10_000);
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("1m30s"), 90_000);
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration("2.5s"), 2_500);
  assert.equal(parseDuration("0s"), 0);
  assert.equal(parseDuration("15"), 15_000);
});

Deno.test("parseDuration() refuses what is not a duration", () => {
  for (const text of ["", "s", "10 s", "10x", "-1s", "1s-", "ten", "1e3s"]) {
    assert.equal(parseDuration(text), undefined, text);
  }
});
