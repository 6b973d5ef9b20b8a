import assert from "node:assert/strict";
import { type MultipartPart, MultipartSplitter } from "../../src/http1/multipart.ts";
import { HttpParseError } from "../../src/http1/errors.ts";
import { concat, dec, enc, everySplit, pieces, thrown } from "../ingest/_parser_helpers.ts";

const ESP32_BOUNDARY = "123456789000000000000987654321";

/** A small fake JPEG whose data happens to hold line breaks, dashes and a boundary prefix. */
function jpeg(n: number): Uint8Array {
  return concat(
    Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, n),
    enc(`\r\n--12345678\r\n--${ESP32_BOUNDARY}x\n-- frame ${n}\r\n`),
    Uint8Array.of(0x00, 0x0d, 0x0a, 0xff, 0xd9),
  );
}

/**
 * The Arduino CameraWebServer (app_httpd.cpp) stream, byte for byte: each frame is
 * `\r\n--<boundary>\r\n`, the part headers ("X-Timestamp: %d.%06d"), then the JPEG.
 */
function esp32Stream(frames: { jpeg: Uint8Array; sec: number; usec: number }[]): Uint8Array {
  return concat(
    ...frames.flatMap((f) => [
      enc(`\r\n--${ESP32_BOUNDARY}\r\n`),
      enc(
        `Content-Type: image/jpeg\r\nContent-Length: ${f.jpeg.length}\r\n` +
          `X-Timestamp: ${f.sec}.${String(f.usec).padStart(6, "0")}\r\n\r\n`,
      ),
      f.jpeg,
    ]),
  );
}

const FRAMES = [
  { jpeg: jpeg(1), sec: 1234, usec: 567890 },
  { jpeg: jpeg(2), sec: 1234, usec: 601234 },
  { jpeg: jpeg(3), sec: 1235, usec: 42 },
];

function split(
  chunks: Uint8Array[],
  boundary = ESP32_BOUNDARY,
  max = 1 << 20,
): MultipartPart[] {
  const splitter = new MultipartSplitter(boundary, max);
  return chunks.flatMap((c) => splitter.push(c));
}

function summary(
  parts: MultipartPart[],
): { headers: Record<string, string>; body: string; ts?: number }[] {
  return parts.map((p) => ({ headers: { ...p.headers }, body: dec(p.body), ts: p.timestampUs }));
}

function failure(chunks: Uint8Array[], boundary = "frame", max = 1 << 20): HttpParseError {
  const splitter = new MultipartSplitter(boundary, max);
  const e = thrown(() => chunks.forEach((c) => splitter.push(c)));
  assert.ok(e instanceof HttpParseError, `expected an HttpParseError, got ${e}`);
  return e;
}

Deno.test("MultipartSplitter splits an ESP32-CAM CameraWebServer stream into its JPEGs", () => {
  const parts = split([esp32Stream(FRAMES)]);
  assert.equal(parts.length, 3);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(parts[i].body, FRAMES[i].jpeg);
    assert.equal(parts[i].headers["content-type"], "image/jpeg");
  }
  // X-Timestamp: seconds.microseconds, as "%d.%06d" prints it.
  assert.deepEqual(parts.map((p) => p.timestampUs), [1_234_567_890, 1_234_601_234, 1_235_000_042]);
});

Deno.test("MultipartSplitter gives the same parts for every split of an ESP32-CAM stream", () => {
  const stream = esp32Stream(FRAMES);
  const whole = summary(split([stream]));
  for (const [a, b] of everySplit(stream)) {
    assert.deepEqual(summary(split([a, b])), whole, `split at ${a.length}`);
  }
  for (const size of [1, 2, 3, 7, 64]) {
    assert.deepEqual(summary(split(pieces(stream, size))), whole);
  }
});

Deno.test("MultipartSplitter reads the brief's format: no leading CRLF, CRLF after each JPEG", () => {
  const part = (n: number) =>
    concat(
      enc(
        `--${ESP32_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg(n).length}\r\n`,
      ),
      enc("X-Timestamp: 1234.567890\r\n\r\n"),
      jpeg(n),
      enc("\r\n"),
    );
  const parts = split([concat(part(1), part(2))]);
  assert.deepEqual(parts.map((p) => p.body), [jpeg(1), jpeg(2)]);
  assert.equal(parts[0].timestampUs, 1_234_567_890);
});

const DELIMITED =
  "preamble to ignore\r\n--frame\r\nContent-Type: image/jpeg\r\nX-Timestamp-Us: 77\r\n" +
  "\r\nfirst\r\n--frame-not-a-delimiter\r\n--frame\r\n\r\nsecond\n--frame  \n" +
  "Content-Type: image/jpeg\n\n\r\n--frame--\r\nepilogue --frame\r\n\r\nignored";

Deno.test("MultipartSplitter ends a part without Content-Length at the next delimiter", () => {
  const parts = split([enc(DELIMITED)], "frame");
  assert.deepEqual(summary(parts), [
    {
      headers: { "content-type": "image/jpeg", "x-timestamp-us": "77" },
      body: "first\r\n--frame-not-a-delimiter",
      ts: 77,
    },
    { headers: {}, body: "second", ts: undefined },
    { headers: { "content-type": "image/jpeg" }, body: "", ts: undefined },
  ]);
});

Deno.test("MultipartSplitter finds delimiters across every split of a delimiter-framed stream", () => {
  const stream = enc(DELIMITED);
  const whole = summary(split([stream], "frame"));
  for (const [a, b] of everySplit(stream)) {
    assert.deepEqual(summary(split([a, b], "frame")), whole, `split at ${a.length}`);
  }
  assert.deepEqual(summary(split(pieces(stream, 1), "frame")), whole);
});

Deno.test("MultipartSplitter stops at the close delimiter and ignores the epilogue", () => {
  const splitter = new MultipartSplitter("b", 100);
  assert.equal(splitter.push(enc("--b\r\nContent-Length: 1\r\n\r\nx\r\n--b--")).length, 1);
  assert.equal(splitter.done, true);
  assert.deepEqual(splitter.push(enc("\r\n--b\r\nContent-Length: 1\r\n\r\ny\r\n--b--")), []);
  assert.equal(splitter.bufferedBytes, 0);
});

Deno.test("MultipartSplitter prefers X-Timestamp-Us to X-Timestamp", () => {
  const parts = split(
    [enc("--b\r\nX-Timestamp: 1.5\r\nX-Timestamp-Us: 9\r\nContent-Length: 1\r\n\r\nx\r\n--b--")],
    "b",
  );
  assert.equal(parts[0].timestampUs, 9);
  assert.equal(
    split([enc("--b\r\nX-Timestamp: 12.5\r\nContent-Length: 1\r\n\r\nx\r\n--b--")], "b")[0]
      .timestampUs,
    12_500_000,
  );
});

Deno.test("MultipartSplitter rejects malformed timestamps with 400", () => {
  for (
    const h of ["X-Timestamp-Us: -1", "X-Timestamp-Us: 1.5", "X-Timestamp: abc", "X-Timestamp: 1."]
  ) {
    const e = failure([enc(`--b\r\n${h}\r\nContent-Length: 1\r\n\r\nx\r\n`)], "b");
    assert.equal(e.status, 400, h);
  }
  const huge = failure([enc("--b\r\nX-Timestamp-Us: 9999999999999999\r\n\r\n")], "b");
  assert.equal(huge.status, 400);
});

Deno.test("MultipartSplitter refuses a part above the cap by its Content-Length before its body", () => {
  const e = failure([enc("--frame\r\nContent-Length: 101\r\n\r\n")], "frame", 100);
  assert.equal(e.status, 413);
  // At the cap is fine.
  const ok = split(
    [enc(`--frame\r\nContent-Length: 100\r\n\r\n${"x".repeat(100)}\r\n`)],
    "frame",
    100,
  );
  assert.equal(ok[0].body.length, 100);
});

Deno.test("MultipartSplitter refuses a delimited part above the cap, buffering only about the cap", () => {
  const splitter = new MultipartSplitter("frame", 1000);
  splitter.push(enc("--frame\r\n\r\n"));
  let error: unknown;
  let maxBuffered = 0;
  for (let i = 0; i < 100 && !error; i++) {
    error = thrown(() => splitter.push(new Uint8Array(100).fill(0x41)));
    maxBuffered = Math.max(maxBuffered, splitter.bufferedBytes);
  }
  assert.ok(error instanceof HttpParseError && error.status === 413);
  assert.ok(maxBuffered <= 1000 + 100, `buffered ${maxBuffered}`);
  // Exactly at the cap, delimited, is fine.
  const ok = split(
    [enc(`--frame\r\n\r\n${"x".repeat(1000)}\r\n--frame`), enc("\r\n")],
    "frame",
    1000,
  );
  assert.equal(ok[0].body.length, 1000);
});

Deno.test("MultipartSplitter rejects malformed part headers with 400", () => {
  for (
    const h of [
      "No colon here",
      "Space before : colon",
      " Folded: header",
      "Bad\x01: x",
      "X: bad\x00value",
      "Content-Length: 1x",
      "Content-Length: -1",
      "Content-Length: 1\r\nContent-Length: 2",
    ]
  ) {
    assert.equal(failure([enc(`--frame\r\n${h}\r\n\r\nx\r\n--frame`)]).status, 400, h);
  }
});

Deno.test("MultipartSplitter bounds part headers in size and number", () => {
  assert.equal(failure([enc(`--frame\r\nX: ${"a".repeat(9000)}`)]).status, 400);
  const many = Array.from({ length: 40 }, (_, i) => `H${i}: v\r\n`).join("");
  assert.equal(failure([enc(`--frame\r\n${many}\r\n`)]).status, 400);
});

Deno.test("MultipartSplitter rejects bytes after a part's Content-Length that are not a delimiter", () => {
  const e = failure([enc("--frame\r\nContent-Length: 2\r\n\r\nabc\r\n--frame\r\n")]);
  assert.equal(e.status, 400);
  assert.match(e.message, /Content-Length/);
  // Extra blank lines are fine.
  const ok = split([
    enc("--f\r\nContent-Length: 2\r\n\r\nab\r\n\r\n \r\n--f\r\nContent-Length: 1\r\n\r\nc"),
  ], "f");
  assert.deepEqual(ok.map((p) => dec(p.body)), ["ab", "c"]);
});

Deno.test("MultipartSplitter gives up when no delimiter comes within 64 KiB", () => {
  const splitter = new MultipartSplitter("frame", 1 << 20);
  const e = thrown(() => {
    for (let i = 0; i < 100; i++) splitter.push(new Uint8Array(1024).fill(0x2d));
  });
  assert.ok(e instanceof HttpParseError && e.status === 400);
  assert.ok(splitter.bufferedBytes < 1024);
});

Deno.test("MultipartSplitter bodies stay valid and unchanged while later bytes arrive", () => {
  const splitter = new MultipartSplitter(ESP32_BOUNDARY, 1 << 20);
  const stream = esp32Stream(FRAMES);
  const [first] = splitter.push(stream.subarray(0, 200));
  const copy = first.body.slice();
  assert.equal(splitter.push(stream.subarray(200)).length, 2);
  for (let i = 0; i < 50; i++) assert.equal(splitter.push(esp32Stream(FRAMES)).length, 3);
  assert.deepEqual(first.body, copy);
});

Deno.test("MultipartSplitter never modifies the bytes pushed and stays failed after an error", () => {
  const stream = esp32Stream(FRAMES);
  const copy = stream.slice();
  split([stream]);
  assert.deepEqual(stream, copy);
  const splitter = new MultipartSplitter("b", 10);
  const e = thrown(() => splitter.push(enc("--b\r\nContent-Length: 11\r\n\r\n")));
  assert.equal(thrown(() => splitter.push(enc("x"))), e);
});

Deno.test("MultipartSplitter rejects an empty boundary and a cap that is not a positive integer", () => {
  assert.throws(() => new MultipartSplitter("", 10), RangeError);
  assert.throws(() => new MultipartSplitter("b", 0), RangeError);
});

Deno.test("MultipartSplitter takes the first of several candidate boundaries that the stream uses", () => {
  // Announced as boundary=--frame: RFC 2046 wants "----frame" between parts; some cameras write
  // "--frame". Every split of either stream gives the same parts.
  const candidates = ["--frame", "frame"];
  for (const delimiter of ["----frame", "--frame"]) {
    const stream = enc(
      `${delimiter}\r\nContent-Type: image/jpeg\r\n\r\nabc\r\n${delimiter}\r\n\r\nxyz\r\n` +
        `${delimiter}\r\n`,
    );
    for (const [a, b] of everySplit(stream)) {
      const splitter = new MultipartSplitter(candidates, 1024);
      const parts = [...splitter.push(a), ...splitter.push(b)];
      assert.deepEqual(
        parts.map((p) => dec(p.body)),
        ["abc", "xyz"],
        `${delimiter} at ${a.length}`,
      );
    }
  }
  // Once picked, the other candidate is body text, not a delimiter.
  const splitter = new MultipartSplitter(candidates, 1024);
  const parts = splitter.push(enc("--frame\r\n\r\na\r\n----frame\r\nb\r\n--frame\r\n"));
  assert.deepEqual(parts.map((p) => dec(p.body)), ["a\r\n----frame\r\nb"]);
  assert.throws(() => new MultipartSplitter([], 1024), RangeError);
});
