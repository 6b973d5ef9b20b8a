import assert from "node:assert/strict";
import { RtspHeaders } from "../../src/rtsp/headers.ts";

Deno.test("RtspHeaders looks names up case-insensitively and keeps the casing given", () => {
  const h = new RtspHeaders([["CSeq", "1"], ["content-type", "application/sdp"]]);
  assert.equal(h.get("cseq"), "1");
  assert.equal(h.get("CONTENT-TYPE"), "application/sdp");
  assert.equal(h.has("Cseq"), true);
  assert.equal(h.has("Session"), false);
  assert.equal(h.get("Session"), undefined);
  assert.deepEqual([...h.entries()], [["CSeq", "1"], ["content-type", "application/sdp"]]);
});

Deno.test("RtspHeaders keeps repeated fields in order and returns the first from get()", () => {
  const h = new RtspHeaders();
  h.append("Via", "a");
  h.append("CSeq", "2");
  h.append("via", "b");
  assert.equal(h.get("VIA"), "a");
  assert.deepEqual(h.getAll("via"), ["a", "b"]);
  assert.deepEqual(h.getAll("Session"), []);
  assert.equal(h.count, 3);
});

Deno.test("RtspHeaders.set() replaces every field of a name at the position of the first", () => {
  const h = new RtspHeaders([["A", "1"], ["B", "2"], ["a", "3"], ["C", "4"]]);
  h.set("A", "x");
  assert.deepEqual([...h], [["A", "x"], ["B", "2"], ["C", "4"]]);
  h.set("D", "5");
  assert.deepEqual([...h].at(-1), ["D", "5"]);
});

Deno.test("RtspHeaders.delete() removes every field of a name", () => {
  const h = new RtspHeaders([["A", "1"], ["B", "2"], ["a", "3"]]);
  h.delete("a");
  assert.deepEqual([...h], [["B", "2"]]);
  h.delete("missing");
  assert.equal(h.count, 1);
});

Deno.test("RtspHeaders accepts a record as initial fields", () => {
  const h = new RtspHeaders({ CSeq: "3", Session: "abc" });
  assert.deepEqual([...h.entries()], [["CSeq", "3"], ["Session", "abc"]]);
});

Deno.test("RtspHeaders refuses values that could inject a header or a response", () => {
  const h = new RtspHeaders();
  for (const value of ["a\r\nX: 1", "a\nb", "a\rb", "a\x00", "\x1b[2J", "a\x7f", "a\u0085"]) {
    assert.throws(() => h.set("X-A", value), TypeError, JSON.stringify(value));
    assert.throws(() => h.append("X-A", value), TypeError, JSON.stringify(value));
  }
  assert.throws(() => new RtspHeaders({ "X-A": "1\r\n" }), TypeError);
  assert.equal(h.count, 0);
  h.set("X-A", "tab\tand UTF-8 é are fine");
  assert.equal(h.count, 1);
});

Deno.test("RtspHeaders refuses names that are not RFC 2616 tokens", () => {
  const h = new RtspHeaders();
  for (const name of ["", "Bad Name", "Bad:Name", "X\r\nY", "Ünïcode", "a(b)", "a/b"]) {
    assert.throws(() => h.append(name, "v"), TypeError, JSON.stringify(name));
  }
});

Deno.test("RtspHeaders error messages quote the refused value safely", () => {
  try {
    new RtspHeaders().set("X-A", "evil\r\nInjected: yes");
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof TypeError);
    assert.doesNotMatch(e.message, /[\r\n]/);
  }
});
