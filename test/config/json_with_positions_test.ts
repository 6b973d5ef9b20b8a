import assert from "node:assert/strict";
import {
  ConfigError,
  jsonPointer,
  parseJsonWithPositions,
} from "../../src/config/json_with_positions.ts";

/** The message of the ConfigError that parsing `text` throws. */
function errorOf(text: string, fileName?: string): string {
  try {
    parseJsonWithPositions(text, { fileName });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    return error.message;
  }
  assert.fail(`parsed without error: ${text}`);
}

Deno.test("parseJsonWithPositions() gives the same values as JSON.parse for plain JSON", () => {
  const texts = [
    '{"a": [1, -2.5, 3e2, 0, -0.125E-2], "b": {"c": null, "d": true, "e": false}}',
    '"text with \\"escapes\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00"',
    "[]",
    "{}",
    " \t\r\n 42 \n",
    '[[[[["deep"]]]]]',
    '"é and 😀 as they are"',
  ];
  for (const text of texts) {
    assert.deepEqual(parseJsonWithPositions(text).value, JSON.parse(text), text);
  }
});

Deno.test("parseJsonWithPositions() records value and member name positions by JSON Pointer", () => {
  const text = '{\n  "paths": {\n    "a/b~c": [10,\n      {"x": "y"}]\n  }\n}';
  const { positions, keyPositions } = parseJsonWithPositions(text);
  const at = (p: Map<string, unknown> | ReadonlyMap<string, unknown>, key: string) => {
    const pos = p.get(key) as { line: number; column: number } | undefined;
    return pos && `${pos.line}:${pos.column}`;
  };
  assert.equal(at(positions, ""), "1:1");
  assert.equal(at(keyPositions, "/paths"), "2:3");
  assert.equal(at(positions, "/paths"), "2:12");
  assert.equal(jsonPointer(["paths", "a/b~c"]), "/paths/a~1b~0c");
  assert.equal(at(keyPositions, "/paths/a~1b~0c"), "3:5");
  assert.equal(at(positions, "/paths/a~1b~0c/0"), "3:15");
  assert.equal(at(positions, "/paths/a~1b~0c/1/x"), "4:13");
});

Deno.test("parseJsonWithPositions() counts columns in code points and lines at LF, CRLF and CR", () => {
  const { positions } = parseJsonWithPositions('{"😀": 1,\r\n"b":\r2, "é😀": 3}');
  assert.deepEqual(positions.get("/😀"), { line: 1, column: 7, offset: 7 });
  assert.deepEqual(positions.get("/b"), { line: 3, column: 1, offset: 16 });
  assert.deepEqual(positions.get("/é😀"), { line: 3, column: 10, offset: 26 });
});

Deno.test("parseJsonWithPositions() skips // and /* */ comments and counts their lines", () => {
  const text = '// head\n{ /* one\n two */ "a": 1, // tail\n "b": /**/ 2 }\n/* end */';
  const { value, positions } = parseJsonWithPositions(text);
  assert.deepEqual(value, { a: 1, b: 2 });
  assert.deepEqual(positions.get("/b"), { line: 4, column: 12, offset: 52 });
});

Deno.test("parseJsonWithPositions() skips a leading byte order mark", () => {
  const { value, positions } = parseJsonWithPositions('\ufeff{"a": 1}');
  assert.deepEqual(value, { a: 1 });
  assert.equal(positions.get("")?.column, 1);
});

Deno.test("parseJsonWithPositions() keeps __proto__ as an ordinary member name", () => {
  const { value } = parseJsonWithPositions('{"__proto__": {"polluted": true}}');
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.keys(value as object), ["__proto__"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("parseJsonWithPositions() names file, line and column of each syntax error", () => {
  const cases: [string, string][] = [
    ['{"a": 1,}', "x.json:1:9: a trailing comma before } is not allowed"],
    ["[1, 2,\n]", "x.json:2:1: a trailing comma before ] is not allowed"],
    ['{"a": 1 "b": 2}', "x.json:1:9: expected , or }"],
    ["[1 2]", "x.json:1:4: expected , or ]"],
    ['{"a" 1}', "x.json:1:6: expected : after the member name"],
    ["{a: 1}", "x.json:1:2: expected a member name in double quotes"],
    ["{'a': 1}", "x.json:1:2: expected a member name in double quotes"],
    ["['a']", "x.json:1:2: strings take double quotes, not single quotes"],
    ['{"a": 1, "a": 2}', 'x.json:1:10: "a" is given twice'],
    ['"abc', "x.json:1:5: a string is never closed"],
    ['"a\tb"', "x.json:1:3: a string holds control character U+0009; write it as an escape"],
    ['"\\x"', "x.json:1:2: unknown escape \\x in a string"],
    ['"\\u12G4"', "x.json:1:2: \\u needs four hexadecimal digits"],
    ["[01]", "x.json:1:2: not a valid number (JSON numbers look like 12, -3, 0.5 or 1e6)"],
    ["[1.]", "x.json:1:2: not a valid number (JSON numbers look like 12, -3, 0.5 or 1e6)"],
    ["[-]", "x.json:1:2: not a valid number (JSON numbers look like 12, -3, 0.5 or 1e6)"],
    ["[2M]", "x.json:1:2: not a valid number (JSON numbers look like 12, -3, 0.5 or 1e6)"],
    ["[1e999]", "x.json:1:2: the number 1e999 is too large"],
    [
      "[NaN]",
      "x.json:1:2: expected a value (an object, array, string, number, true, false or null)",
    ],
    ["[,1]", 'x.json:1:2: expected a value, got ","'],
    ["", "x.json:1:1: the file holds no value"],
    ["// only a comment\n", "x.json:2:1: the file holds no value"],
    ["{} {}", "x.json:1:4: unexpected text after the value"],
    ['{"a": ', "x.json:1:7: the text ends where a value should be"],
    ['{"a": 1', "x.json:1:8: the text ends inside an object"],
    ["[1", "x.json:1:3: the text ends inside an array"],
    ["[1] /* open", "x.json:1:5: a /* comment is never closed"],
    ["[1] / 2", "x.json:1:5: unexpected text after the value"],
  ];
  for (const [text, message] of cases) assert.equal(errorOf(text, "x.json"), message, text);
});

Deno.test("parseJsonWithPositions() leaves out the file name when it has none", () => {
  assert.equal(errorOf("[1,]"), "1:4: a trailing comma before ] is not allowed");
});

Deno.test("parseJsonWithPositions() refuses nesting deeper than its limit", () => {
  assert.equal(
    errorOf("[".repeat(65) + "]".repeat(65)),
    "1:65: nesting is deeper than 64",
  );
  assert.deepEqual(
    parseJsonWithPositions("[[[]]]", { maxDepth: 3 }).value,
    [[[]]],
  );
  assert.throws(() => parseJsonWithPositions("[[[[]]]]", { maxDepth: 3 }), ConfigError);
  // Far beyond the limit: refused, not a stack overflow.
  assert.throws(() => parseJsonWithPositions("[".repeat(100_000)), ConfigError);
});

Deno.test("parseJsonWithPositions() refuses text longer than its limit", () => {
  assert.throws(() => parseJsonWithPositions(`"${"a".repeat(20)}"`, { maxLength: 10 }), {
    name: "ConfigError",
    message: "is longer than 10 characters",
  });
});

Deno.test("parseJsonWithPositions() takes a long single line in linear time", () => {
  const text = `[${Array.from({ length: 200_000 }, (_, i) => i).join(",")}]`;
  const { positions } = parseJsonWithPositions(text, { maxLength: 2_000_000 });
  assert.equal(positions.get("/199999")?.column, text.length - 6);
});
