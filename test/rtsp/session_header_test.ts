import assert from "node:assert/strict";
import { HeaderError } from "../../src/rtsp/header_error.ts";
import { formatSessionHeader, parseSessionHeader } from "../../src/rtsp/session_header.ts";

const is400 = (e: unknown) => e instanceof HeaderError && e.status === 400;

Deno.test("parseSessionHeader() reads ids from real clients and servers", () => {
  assert.deepEqual(parseSessionHeader("12345678"), { id: "12345678" });
  assert.deepEqual(parseSessionHeader("9F2C4E7A1B3D5F6081A2B3C4D5E6F708"), {
    id: "9F2C4E7A1B3D5F6081A2B3C4D5E6F708",
  });
  assert.deepEqual(parseSessionHeader("5A1C3E2F;timeout=65"), { id: "5A1C3E2F", timeout: 65 });
  assert.deepEqual(parseSessionHeader("a$-_.+Z"), { id: "a$-_.+Z" });
});

Deno.test("parseSessionHeader() accepts a client echoing ;timeout= back, with spaces", () => {
  assert.deepEqual(parseSessionHeader("ABC;timeout=60"), { id: "ABC", timeout: 60 });
  assert.deepEqual(parseSessionHeader(" ABC ; Timeout = 60 "), { id: "ABC", timeout: 60 });
  assert.deepEqual(parseSessionHeader("ABC;x-other=1"), { id: "ABC" });
});

Deno.test("parseSessionHeader() rejects ids outside the RFC 2326 §3.4 safe set or too long", () => {
  for (
    const v of ["", " ", ";timeout=60", "a b", "a,b", "a/b", "a\x00b", "é", 'a"b', "x".repeat(257)]
  ) {
    assert.throws(() => parseSessionHeader(v), is400, JSON.stringify(v));
  }
  assert.equal(parseSessionHeader("x".repeat(256)).id.length, 256);
});

Deno.test("parseSessionHeader() rejects a malformed or repeated timeout", () => {
  for (
    const v of [
      "A;timeout=",
      "A;timeout",
      "A;timeout=-1",
      "A;timeout=1.5",
      "A;timeout=99999999999",
      "A;timeout=1;timeout=2",
    ]
  ) {
    assert.throws(() => parseSessionHeader(v), is400, v);
  }
});

Deno.test("formatSessionHeader() round-trips with parseSessionHeader()", () => {
  for (const [id, timeout] of [["ABCDEF0123", 60], ["x", undefined], ["a.b-c_d+e$", 0]] as const) {
    const text = formatSessionHeader(id, timeout);
    const expected = timeout === undefined ? { id } : { id, timeout };
    assert.deepEqual(parseSessionHeader(text), expected);
  }
  assert.equal(formatSessionHeader("ABC", 60), "ABC;timeout=60");
});

Deno.test("formatSessionHeader() refuses a bad id or timeout", () => {
  assert.throws(() => formatSessionHeader("a;b"), TypeError);
  assert.throws(() => formatSessionHeader(""), TypeError);
  assert.throws(() => formatSessionHeader("ok", -1), RangeError);
  assert.throws(() => formatSessionHeader("ok", 1.5), RangeError);
});
