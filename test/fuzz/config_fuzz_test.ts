// Property-based fuzzing of the configuration front-end (fast-check, fixed seed): generated JSON
// must round-trip exactly; mutated JSON, comments, BOMs, escapes and non-Latin-1 text must end in a
// value JSON.parse agrees with or a ConfigError whose position lies inside the text; and a mutated
// example config, JSON or YAML, must give one line that names the file, whatever is wrong with it.
import assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError, parseJsonWithPositions } from "../../src/config/json_with_positions.ts";
import { parseConfig } from "../../src/config/config.ts";
import { check } from "./_support.ts";

const EXAMPLE = Deno.readTextFileSync(new URL("../../examples/rtsp-edge.json", import.meta.url));
const EXAMPLE_YAML = Deno.readTextFileSync(
  new URL("../../examples/rtsp-edge.yml", import.meta.url),
);

const json = fc.jsonValue({ maxDepth: 5 });

/** Hand-written seeds: every value kind, escapes, surrogate pairs, comments, an empty key. */
const SEEDS = [
  EXAMPLE,
  '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {"c": {}}, "d": []}',
  '{"paths": {"cam1": {"source": "ingest", "token": "t", "bitrate": 500000}}}',
  '[0, -0, 0.5, 1E+2, "\\ud83d\\ude00", "😀", {"": ""}]',
  '/* c */ {"rtspPort": 8554 // x\n}',
  '{"paths":{"/cam":{"source":"test-pattern","publish":true}},"rtspPort":8554}',
];

/** Characters that mean something to JSON or its comments, and some that never may appear. */
const ALPHABET = [..."{}[]:,\"\\/*-+.0123456789eEtrufalsn \t\r\nxu'\u0000\ufeff😀é"];

/** Characters that mean something to YAML: indicators, anchors, tags, scalars, indentation. */
const YAML_ALPHABET = [..."{}[]:,-?#&*!|>'\"%@` \t\n\r$0123456789.xyn~\ufeff\u0000😀é"];

const editArb = fc.record({
  op: fc.integer({ min: 0, max: 4 }),
  at: fc.nat(),
  len: fc.integer({ min: 0, max: 8 }),
  char: fc.constantFrom(...ALPHABET),
});
const yamlEditArb = fc.record({
  op: fc.integer({ min: 0, max: 4 }),
  at: fc.nat(),
  len: fc.integer({ min: 0, max: 8 }),
  char: fc.constantFrom(...YAML_ALPHABET),
});

/** One of `seeds` with one to four edits made on characters, not bytes. */
function mutatedText(seeds: readonly string[], alphabet = ALPHABET): fc.Arbitrary<string> {
  return fc.tuple(
    fc.integer({ min: 0, max: seeds.length - 1 }),
    fc.array(alphabet === ALPHABET ? editArb : yamlEditArb, { minLength: 1, maxLength: 4 }),
  ).map(([i, edits]) => {
    let out = seeds[i];
    for (const { op, at: rawAt, len, char } of edits) {
      const at = rawAt % (out.length + 1);
      if (op === 0) out = out.slice(0, at) + char + out.slice(at); // insert
      else if (op === 1) out = out.slice(0, at) + out.slice(at + len); // delete a run
      else if (op === 2) {
        out = out.slice(0, at + len) + out.slice(at, at + len) + out.slice(at + len);
      } else if (op === 3) out = out.slice(0, at) + char + out.slice(at + 1); // replace
      else out = out.slice(0, at); // cut the end off
    }
    return out;
  });
}

Deno.test("parseJsonWithPositions() returns exactly what JSON.parse() does for generated JSON", () => {
  check(fc.tuple(json, fc.boolean()), 500, ([value, pretty]) => {
    const text = JSON.stringify(value, null, pretty ? 2 : undefined);
    assert.deepEqual(parseJsonWithPositions(text).value, JSON.parse(text));
  });
});

Deno.test("parseJsonWithPositions() ends mutated JSON in JSON.parse's value or a ConfigError inside the text", () => {
  const generated = fc.sample(json, { seed: 42, numRuns: 30 }).map((v) =>
    JSON.stringify(v, null, 1)
  );
  const deep = fc.integer({ min: 1, max: 5000 }).map((n) => "[".repeat(n) + "]".repeat(n));
  const text = fc.oneof(
    { weight: 4, arbitrary: mutatedText([...SEEDS, ...generated]) },
    { weight: 1, arbitrary: fc.constantFrom(...SEEDS) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 60 }) },
    { weight: 1, arbitrary: deep },
  );
  check(text, 3000, (t) => {
    let ours: unknown;
    let refused: ConfigError | undefined;
    try {
      const parsed = parseJsonWithPositions(t);
      ours = parsed.value;
      for (const p of parsed.positions.values()) {
        assert.ok(p.offset >= 0 && p.offset <= t.length, `position ${p.offset} outside the text`);
      }
    } catch (e) {
      assert.ok(e instanceof ConfigError, `threw ${e instanceof Error ? e.stack : String(e)}`);
      const at = e.position?.offset;
      assert.ok(at !== undefined, `a syntax error without a position: ${e.message}`);
      assert.ok(at >= 0 && at <= t.length, `error position ${at} outside the text`);
      refused = e;
    }
    // Comments and a leading BOM are the dialect's own; elsewhere plain JSON rules apply.
    if (t.includes("/") || t.startsWith("\ufeff")) return;
    let theirs: unknown;
    let theyRefused = false;
    try {
      theirs = JSON.parse(t);
    } catch {
      theyRefused = true;
    }
    if (refused === undefined) {
      assert.ok(!theyRefused, `accepted what JSON.parse refuses: ${JSON.stringify(t)}`);
      assert.deepEqual(ours, theirs);
    } else if (!theyRefused) {
      // What JSON.parse takes but a config refuses: a member name given twice, nesting deeper
      // than the limit, and a number too large for a double (JSON.parse makes it Infinity).
      assert.match(
        refused.reason,
        /is given twice|nesting is deeper than|is too large/,
        JSON.stringify(t),
      );
    }
  });
});

Deno.test("parseConfig() answers a mutated config file with a value or one line naming the file", () => {
  check(mutatedText([EXAMPLE]), 1500, (t) => {
    try {
      parseConfig(t, "fuzz.json");
    } catch (e) {
      assert.ok(e instanceof ConfigError, `threw ${e instanceof Error ? e.stack : String(e)}`);
      assert.ok(e.message.startsWith("fuzz.json:"), e.message);
      assert.ok(!e.message.includes("\n"), `more than one line: ${e.message}`);
    }
  });
});

Deno.test("parseConfig() answers a mutated YAML config with a value or one line naming the file", () => {
  check(mutatedText([EXAMPLE_YAML], YAML_ALPHABET), 1500, (t) => {
    try {
      parseConfig(t, "fuzz.yml", { env: { NAME: "x" } });
    } catch (e) {
      assert.ok(e instanceof ConfigError, `threw ${e instanceof Error ? e.stack : String(e)}`);
      assert.ok(e.message.startsWith("fuzz.yml:"), e.message);
      assert.ok(!e.message.includes("\n"), `more than one line: ${e.message}`);
    }
  });
});

Deno.test("parseConfig() stops a YAML file whose aliases would expand without bound", () => {
  const laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 0; i < 8; i++) {
    const name = String.fromCharCode(98 + i);
    const before = String.fromCharCode(97 + i);
    laughs.push(`${name}: &${name} [${Array(10).fill(`*${before}`).join(", ")}]`);
  }
  assert.throws(() => parseConfig(laughs.join("\n"), "laughs.yml"), {
    name: "ConfigError",
    message: /^laughs\.yml(:\d+:\d+)?: .*(expands to more than|alias)/,
  });
});
