import assert from "node:assert/strict";
import { ConfigError, parseJsonWithPositions } from "../../src/config/json_with_positions.ts";
import { parseConfig } from "../../src/config/config.ts";
import { seededRandom } from "../support/bytes.ts";

const EXAMPLE = await Deno.readTextFile(new URL("../../examples/rtsp-edge.json", import.meta.url));

const SEEDS = [
  EXAMPLE,
  '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {"c": {}}, "d": []}',
  '{"paths": {"cam1": {"source": "ingest", "token": "t", "bitrate": 500000}}}',
  '[0, -0, 0.5, 1E+2, "\\ud83d\\ude00", "😀", {"": ""}]',
  '/* c */ {"rtspPort": 8554 // x\n}',
];

const ALPHABET = [..."{}[]:,\"\\/*-+.0123456789eEtrufalsn \t\r\nxu'\u0000\ufeff😀é"];

function mutate(text: string, rand: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (out.length + 1));
    const len = Math.floor(rand() * 8);
    switch (Math.floor(rand() * 5)) {
      case 0: // insert a character that means something to JSON
        out = out.slice(0, at) + ALPHABET[Math.floor(rand() * ALPHABET.length)] + out.slice(at);
        break;
      case 1: // delete a run
        out = out.slice(0, at) + out.slice(at + len);
        break;
      case 2: // duplicate a run
        out = out.slice(0, at + len) + out.slice(at, at + len) + out.slice(at + len);
        break;
      case 3: // replace one character
        out = out.slice(0, at) + ALPHABET[Math.floor(rand() * ALPHABET.length)] +
          out.slice(at + 1);
        break;
      default: // cut the end off
        out = out.slice(0, at);
    }
  }
  return out;
}

Deno.test("parseJsonWithPositions() throws only ConfigError and agrees with JSON.parse on mutated text", () => {
  for (let seed = 1; seed <= 20_000; seed++) {
    const rand = seededRandom(seed);
    const text = mutate(SEEDS[seed % SEEDS.length], rand);
    let ours: unknown;
    let oursFailed: ConfigError | undefined;
    try {
      const parsed = parseJsonWithPositions(text);
      ours = parsed.value;
      for (const pos of parsed.positions.values()) {
        assert.ok(pos.offset >= 0 && pos.offset <= text.length, `seed ${seed}: offset`);
      }
    } catch (error) {
      if (!(error instanceof ConfigError)) {
        throw new Error(`seed ${seed}: threw ${error} for ${JSON.stringify(text)}`);
      }
      assert.ok(error.position !== undefined, `seed ${seed}: a syntax error has a position`);
      oursFailed = error;
    }
    // Without "/" there can be no comment, and without a BOM, plain JSON rules apply.
    if (text.includes("/") || text.startsWith("\ufeff")) continue;
    let theirs: unknown;
    let theirsFailed = false;
    try {
      theirs = JSON.parse(text);
    } catch {
      theirsFailed = true;
    }
    if (oursFailed === undefined) {
      assert.ok(!theirsFailed, `seed ${seed}: accepted what JSON.parse refuses: ${text}`);
      assert.deepEqual(ours, theirs, `seed ${seed}`);
    } else if (!theirsFailed) {
      // Duplicate member names are the one thing we refuse that JSON.parse takes.
      assert.match(oursFailed.reason, /is given twice/, `seed ${seed}: ${text}`);
    }
  }
});

Deno.test("parseConfig() throws only ConfigError on mutated config files", () => {
  for (let seed = 1; seed <= 5_000; seed++) {
    const rand = seededRandom(seed * 7919);
    const text = mutate(EXAMPLE, rand);
    try {
      parseConfig(text, "fuzz.json");
    } catch (error) {
      if (!(error instanceof ConfigError)) {
        throw new Error(`seed ${seed}: threw ${error} for ${JSON.stringify(text)}`);
      }
      assert.ok(error.message.startsWith("fuzz.json:"), `seed ${seed}: ${error.message}`);
      assert.ok(!error.message.includes("\n"), `seed ${seed}: one line`);
    }
  }
});
