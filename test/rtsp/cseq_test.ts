import assert from "node:assert/strict";
import { formatCSeq, parseCSeq } from "../../src/rtsp/cseq.ts";
import { HeaderError } from "../../src/rtsp/header_error.ts";

Deno.test("parseCSeq() reads decimal digits up to 2^32-1", () => {
  assert.equal(parseCSeq("0"), 0);
  assert.equal(parseCSeq("1"), 1);
  assert.equal(parseCSeq("007"), 7);
  assert.equal(parseCSeq("4294967295"), 4294967295);
});

Deno.test("parseCSeq() rejects a missing, empty, signed, spaced, fractional or huge CSeq with 400", () => {
  for (
    const v of [
      undefined,
      "",
      "-1",
      "+1",
      " 1",
      "1 ",
      "1.0",
      "1e3",
      "0x10",
      "abc",
      "１",
      "4294967296",
      "12345678901",
      "1\x00",
    ]
  ) {
    assert.throws(
      () => parseCSeq(v),
      (e) => e instanceof HeaderError && e.status === 400,
      JSON.stringify(v),
    );
  }
});

Deno.test("formatCSeq() round-trips with parseCSeq() and refuses out-of-range numbers", () => {
  for (const n of [0, 1, 65535, 4294967295]) assert.equal(parseCSeq(formatCSeq(n)), n);
  for (const n of [-1, 1.5, 2 ** 32, NaN]) assert.throws(() => formatCSeq(n), RangeError);
});
