/**
 * The YAML front-end of the config file: YAML 1.2 text (core schema, as mediamtx, Frigate and
 * go2rtc files are written) → the same values and positions the JSON front-end gives, so one
 * checker serves both. Parsed by npm `yaml`, which keeps every node's place in the text. Pure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYamlWithPositions } from "./yaml_with_positions.ts";
 *
 * const parsed = parseYamlWithPositions("# the RTSP port\nrtspPort: 8554\n");
 * assert.deepEqual(parsed.value, { rtspPort: 8554 });
 * assert.deepEqual(parsed.positions.get("/rtspPort"), { line: 2, column: 11, offset: 26 });
 * assert.deepEqual(parsed.keyPositions.get("/rtspPort"), { line: 2, column: 1, offset: 16 });
 * ```
 *
 * @module
 */

import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import {
  ConfigError,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_LENGTH,
  jsonPointer,
  type JsonPosition,
  type JsonValue,
  type ParsedJson,
} from "./json_with_positions.ts";

/** Most values one file may expand to, aliases included (a "billion laughs" file stops here). */
const MAX_VALUES = 100_000;

/**
 * Parses YAML text, recording the position of every value and mapping key by JSON Pointer.
 * Refuses, with a {@link ConfigError} at the line and column: a syntax error, a duplicate key, a
 * key that is not text, a tag or value outside the core schema, and more than one document.
 */
export function parseYamlWithPositions(text: string, fileName?: string): ParsedJson {
  if (text.length > DEFAULT_MAX_LENGTH) {
    throw new ConfigError(`is longer than ${DEFAULT_MAX_LENGTH} characters`, undefined, fileName);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    schema: "core",
    merge: false,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const at = (offset: number): JsonPosition => {
    const { line } = lines.linePos(offset);
    // linePos counts UTF-16 units; columns are code points, as in the JSON front-end.
    const start = lines.lineStarts[line - 1] ?? 0;
    return { line, column: [...text.slice(start, offset)].length + 1, offset };
  };
  const fail = (reason: string, offset?: number): never => {
    throw new ConfigError(reason, offset === undefined ? undefined : at(offset), fileName);
  };
  const [problem] = [...doc.errors, ...doc.warnings];
  if (problem) fail(explain(problem.code, problem.message, text, problem.pos[0]), problem.pos[0]);
  const positions = new Map<string, JsonPosition>();
  const keyPositions = new Map<string, JsonPosition>();
  let count = 0;
  const walk = (node: unknown, pointer: (string | number)[], depth: number): JsonValue => {
    if (++count > MAX_VALUES) fail(`expands to more than ${MAX_VALUES} values`);
    if (depth > DEFAULT_MAX_DEPTH) fail(`nests deeper than ${DEFAULT_MAX_DEPTH} levels`);
    const here = jsonPointer(pointer);
    const range = (node as Node | null)?.range;
    if (range) positions.set(here, at(range[0]));
    if (isAlias(node)) return walk(node.resolve(doc), pointer, depth + 1);
    if (isMap(node)) {
      const out: { [key: string]: JsonValue } = {};
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key) || typeof key.value !== "string" && typeof key.value !== "number") {
          return fail("a key must be text", (key as Node | null)?.range?.[0] ?? range?.[0]);
        }
        const name = String(key.value);
        const child = [...pointer, name];
        if (key.range) keyPositions.set(jsonPointer(child), at(key.range[0]));
        if (pair.value === null && key.range) positions.set(jsonPointer(child), at(key.range[1]));
        out[name] = walk(pair.value, child, depth + 1);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((item, i) => walk(item, [...pointer, i], depth + 1));
    if (node === null || node === undefined) return null;
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || typeof v === "boolean" || typeof v === "string") return v;
      if (typeof v === "number" && Number.isFinite(v)) return v;
      return fail(`${describeScalar(node.source ?? v)} is not a value a setting takes`, range?.[0]);
    }
    return fail("holds a value outside YAML's core schema", range?.[0]);
  };
  const value = walk(doc.contents, [], 0);
  return { value, positions, keyPositions };
}

function describeScalar(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * The library's message in one line, and in our words where a user is likely to stumble: a key
 * given twice is named, and `${NAME}` unquoted inside `{ }` (where `{` and `}` are YAML's own
 * brackets) gets the fix.
 */
function explain(code: string, message: string, text: string, offset: number): string {
  if (code === "DUPLICATE_KEY") {
    const key = /^[^:\s]+/.exec(text.slice(offset))?.[0];
    if (key) return `${key} is given twice in the same mapping`;
  }
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const lineEnd = text.indexOf("\n", offset);
  const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  if (/[{[][^}\]]*\$\{/.test(line)) {
    return `${firstLine(message)}; inside { } or [ ] write a variable in quotes: "\${NAME}"`;
  }
  return firstLine(message);
}

/** The library's messages end with a code excerpt on later lines; a message here is one line. */
function firstLine(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "").trim();
}
