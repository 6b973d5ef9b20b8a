// Property-based fuzzing of parseJsonWithPositions() (fast-check, fixed seed). Builds on
// test/config/json_fuzz_test.ts: here generated JSON must round-trip exactly, and mutations must
// end in a value or a ConfigError whose position lies inside the text.
import assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError, parseJsonWithPositions } from "../../src/config/json_with_positions.ts";
import { check, fromLatin1, fuzzInput, latin1, outcome } from "./_support.ts";

const json = fc.jsonValue({ maxDepth: 5 });

Deno.test("parseJsonWithPositions() returns exactly what JSON.parse() does for generated JSON", () => {
  check(fc.tuple(json, fc.boolean()), 500, ([value, pretty]) => {
    const text = JSON.stringify(value, null, pretty ? 2 : undefined);
    assert.deepEqual(parseJsonWithPositions(text).value, JSON.parse(text));
  });
});

Deno.test("parseJsonWithPositions() ends mutated JSON in a value or a ConfigError inside the text", () => {
  const seeds = fc.sample(json, { seed: 42, numRuns: 30 }).map((v) => JSON.stringify(v, null, 1))
    .concat(['{"paths":{"/cam":{"source":"test-pattern","publish":true}},"rtspPort":8554}'])
    .map(latin1);
  const deep = fc.integer({ min: 1, max: 5000 }).map((n) => "[".repeat(n) + "]".repeat(n));
  const text = fc.oneof(fuzzInput(seeds, 200).map(fromLatin1), deep);
  check(text, 1500, (t) => {
    const got = outcome(ConfigError, () => parseJsonWithPositions(t), (v) => v.value);
    if ("ok" in got) {
      // The config dialect is a superset (comments), so compare only where JSON.parse agrees.
      let plain: unknown;
      try {
        plain = JSON.parse(t);
      } catch {
        return;
      }
      assert.deepEqual(got.ok, plain);
    } else {
      try {
        parseJsonWithPositions(t);
      } catch (e) {
        const at = (e as ConfigError).position?.offset;
        if (at !== undefined) assert.ok(at >= 0 && at <= t.length, `position ${at}`);
      }
    }
  });
});
