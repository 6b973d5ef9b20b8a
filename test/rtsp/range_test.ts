import assert from "node:assert/strict";
import { HeaderError } from "../../src/rtsp/header_error.ts";
import { formatRange, parseRange, type RangeValue } from "../../src/rtsp/range.ts";

const cases: [string, RangeValue, string][] = [
  ["npt=0-", { unit: "npt", start: 0 }, "npt=0.000-"],
  ["npt=0.000-", { unit: "npt", start: 0 }, "npt=0.000-"],
  ["npt=now-", { unit: "npt", start: "now" }, "npt=now-"],
  ["npt=1.5-3.25", { unit: "npt", start: 1.5, end: 3.25 }, "npt=1.500-3.250"],
  ["npt=00:01:02.5-", { unit: "npt", start: 62.5 }, "npt=62.500-"],
  ["npt=1:00:00-1:00:01", { unit: "npt", start: 3600, end: 3601 }, "npt=3600.000-3601.000"],
  ["npt=-20", { unit: "npt", end: 20 }, "npt=-20.000"],
  ["npt=5.-", { unit: "npt", start: 5 }, "npt=5.000-"],
  ["NPT = 7 - 9", { unit: "npt", start: 7, end: 9 }, "npt=7.000-9.000"],
  [
    "npt=0-;time=19970123T153600Z",
    { unit: "npt", start: 0, time: "19970123T153600Z" },
    "npt=0.000-;time=19970123T153600Z",
  ],
  [
    "clock=19961108T143720.25Z-",
    { unit: "clock", raw: "19961108T143720.25Z-" },
    "clock=19961108T143720.25Z-",
  ],
  [
    "smpte=10:12:33:20-",
    { unit: "smpte", format: "smpte", raw: "10:12:33:20-" },
    "smpte=10:12:33:20-",
  ],
  [
    "smpte-30-drop=10:07:33-10:07:35",
    { unit: "smpte", format: "smpte-30-drop", raw: "10:07:33-10:07:35" },
    "smpte-30-drop=10:07:33-10:07:35",
  ],
];

Deno.test("parseRange() reads NPT ranges and recognises SMPTE and clock ranges", () => {
  for (const [text, expected] of cases) assert.deepEqual(parseRange(text), expected, text);
});

Deno.test("formatRange() writes NPT with milliseconds and round-trips through parseRange()", () => {
  for (const [text, value, formatted] of cases) {
    assert.equal(formatRange(value), formatted, text);
    assert.deepEqual(parseRange(formatted), value, formatted);
  }
});

Deno.test("parseRange() rejects malformed ranges with 400", () => {
  for (
    const v of [
      "",
      "npt",
      "npt=",
      "npt=-",
      "npt=5",
      "npt=abc-",
      "npt=1e3-",
      "npt=-1-",
      "npt=00:60:00-",
      "npt=00:00:60-",
      "npt=1:2-",
      "npt=0-,npt=5-",
      "npt=" + "9".repeat(40) + "-",
      "bytes=0-100",
      "npt=0-;foo=bar",
      "clock=\x00",
    ]
  ) {
    assert.throws(
      () => parseRange(v),
      (e) => e instanceof HeaderError && e.status === 400,
      JSON.stringify(v),
    );
  }
});

Deno.test("parseRange() answers 457 to an NPT range that ends before it starts", () => {
  assert.throws(
    () => parseRange("npt=10-5"),
    (e) => e instanceof HeaderError && e.status === 457,
  );
});

Deno.test("formatRange() refuses negative, infinite or reversed NPT times", () => {
  assert.throws(() => formatRange({ unit: "npt", start: -1 }), RangeError);
  assert.throws(() => formatRange({ unit: "npt", start: Infinity }), RangeError);
  assert.throws(() => formatRange({ unit: "npt", start: 5, end: 1 }), RangeError);
  assert.throws(() => formatRange({ unit: "npt" }), RangeError);
  assert.throws(() => formatRange({ unit: "clock", raw: "x;y" }), TypeError);
  assert.throws(() => formatRange({ unit: "smpte", format: "smpte;x", raw: "1-" }), TypeError);
});
