// HARDENING.md items 1-7 (the parsing part): every malformed input is a ParseError with the
// status the server must answer, at a byte offset that does not depend on how the bytes arrive.
import assert from "node:assert/strict";
import { DEFAULT_LIMITS, RtspParser } from "../../src/rtsp/parser.ts";
import {
  byteByByte,
  bytes,
  concat,
  drain,
  parseChunks,
  parseWhole,
  raw,
  splitAt,
} from "./_helpers.ts";

interface Case {
  name: string;
  input: Uint8Array;
  status: number;
  /** Expected ParseError.offset, when the case pins it down. */
  offset?: number;
  context?: string;
}

const OPTIONS = "OPTIONS rtsp://cam/live RTSP/1.0\r\n";
const withHeaders = (...lines: string[]) =>
  raw(OPTIONS + lines.map((l) => l + "\r\n").join("") + "\r\n");

const cases: Case[] = [
  // 1. Start line starting with white space, or garbage.
  {
    name: "request line starting with a space",
    input: raw(" OPTIONS * RTSP/1.0\r\n\r\n"),
    status: 400,
    offset: 0,
  },
  {
    name: "request line starting with a tab",
    input: raw("\tOPTIONS * RTSP/1.0\r\n\r\n"),
    status: 400,
    offset: 0,
  },
  {
    name: "pure text garbage",
    input: raw("hello there\r\n\r\n"),
    status: 400,
    offset: 0,
    context: "request line",
  },
  {
    name: "binary garbage (a TLS ClientHello)",
    input: raw("\x16\x03\x01\x02\x00\x01\x00"),
    status: 400,
    offset: 0,
  },
  {
    name: "a lone CR between messages",
    input: raw("\rOPTIONS * RTSP/1.0\r\n\r\n"),
    status: 400,
    offset: 1,
  },
  {
    name: "two spaces between method and URL",
    input: raw("OPTIONS  * RTSP/1.0\r\n\r\n"),
    status: 400,
  },
  {
    name: "a fourth field on the request line",
    input: raw("OPTIONS * RTSP/1.0 x\r\n\r\n"),
    status: 400,
  },
  { name: "a request line without version", input: raw("OPTIONS *\r\n\r\n"), status: 400 },
  {
    name: "a method that is not a token",
    input: raw("OPT{IONS * RTSP/1.0\r\n\r\n"),
    status: 400,
    offset: 3,
  },
  { name: "a lower-case version", input: raw("OPTIONS * rtsp/1.0\r\n\r\n"), status: 400 },
  { name: "a status line with a bad code", input: raw("RTSP/1.0 2000 OK\r\n\r\n"), status: 400 },
  // 2. Over-long method, URL, header line (complete lines; the no-CRLF forms are tested below).
  {
    name: "a 65-byte method",
    input: raw("M".repeat(65) + " * RTSP/1.0\r\n\r\n"),
    status: 400,
    offset: 64,
  },
  {
    name: "a 2049-byte URL",
    input: raw("OPTIONS rtsp://h/" + "a".repeat(2049 - 9) + " RTSP/1.0\r\n\r\n"),
    status: 414,
    offset: 8 + 2048,
  },
  {
    name: "a request line above 4096 bytes",
    input: raw("OPTIONS * RTSP/1.0" + "0".repeat(4096) + "\r\n\r\n"),
    status: 400,
    offset: 4096,
  },
  {
    name: "a header line above 4096 bytes",
    input: withHeaders("X-A: " + "a".repeat(4092)),
    status: 400,
  },
  {
    name: "non-ASCII bytes in the URL",
    input: raw("OPTIONS rtsp://h/caf\xc3\xa9 RTSP/1.0\r\n\r\n"),
    status: 400,
  },
  // 3. Too many headers, too many header bytes.
  {
    name: "256 headers",
    input: withHeaders(...Array.from({ length: 256 }, (_, i) => `X-${i}: ${i}`)),
    status: 400,
    context: "header section",
  },
  {
    name: "more than 16 KiB of headers",
    input: withHeaders(...Array.from({ length: 5 }, (_, i) => `X-${i}: ${"v".repeat(4000)}`)),
    status: 400,
    context: "header section",
  },
  // 4. Content-Length.
  { name: "Content-Length: -1", input: withHeaders("Content-Length: -1"), status: 400 },
  { name: "Content-Length: abc", input: withHeaders("Content-Length: abc"), status: 400 },
  { name: "Content-Length: 1e9", input: withHeaders("Content-Length: 1e9"), status: 400 },
  { name: "Content-Length: +5", input: withHeaders("Content-Length: +5"), status: 400 },
  { name: "Content-Length: 0x10", input: withHeaders("Content-Length: 0x10"), status: 400 },
  { name: "Content-Length: 1 2", input: withHeaders("Content-Length: 1 2"), status: 400 },
  { name: "Content-Length: 5.0", input: withHeaders("Content-Length: 5.0"), status: 400 },
  { name: "an empty Content-Length", input: withHeaders("Content-Length:"), status: 400 },
  {
    name: "two equal Content-Length headers",
    input: withHeaders("Content-Length: 0", "content-length: 0"),
    status: 400,
    context: "Content-Length header",
  },
  {
    name: "a Content-Length one above the body cap",
    input: withHeaders(`Content-Length: ${DEFAULT_LIMITS.body + 1}`),
    status: 413,
    offset: OPTIONS.length,
  },
  {
    name: "a 30-digit Content-Length",
    input: withHeaders("Content-Length: " + "9".repeat(30)),
    status: 413,
  },
  // 5. NUL and control bytes.
  {
    name: "NUL in the request line",
    input: raw("OPTIONS *\x00 RTSP/1.0\r\n\r\n"),
    status: 400,
    offset: 9,
  },
  {
    name: "NUL in the URL",
    input: raw("OPTIONS rtsp://h/\x00 RTSP/1.0\r\n\r\n"),
    status: 400,
    offset: 17,
  },
  {
    name: "a tab in the request line",
    input: raw("OPTIONS\t* RTSP/1.0\r\n\r\n"),
    status: 400,
    offset: 7,
  },
  { name: "DEL in the request line", input: raw("OPTIONS *\x7f RTSP/1.0\r\n\r\n"), status: 400 },
  {
    name: "NUL in a CSeq value",
    input: withHeaders("CSeq: 1\x00"),
    status: 400,
    offset: OPTIONS.length + 7,
  },
  { name: "ESC in a header value", input: withHeaders("User-Agent: a\x1b[31mb"), status: 400 },
  {
    name: "a bare CR inside a header value",
    input: withHeaders("CSeq: 1\rInjected: 1"),
    status: 400,
  },
  {
    name: "a C1 control (U+0085) in a header value",
    input: withHeaders("X-A: a\xc2\x85b"),
    status: 400,
  },
  {
    name: "a folded header line",
    input: withHeaders("CSeq: 1", " 2"),
    status: 400,
    offset: OPTIONS.length + 9,
  },
  {
    name: "a header line starting with a tab",
    input: withHeaders("CSeq: 1", "\tX: 2"),
    status: 400,
  },
  { name: "white space before the colon", input: withHeaders("CSeq : 1"), status: 400 },
  { name: "a header line without colon", input: withHeaders("CSeq 1"), status: 400 },
  { name: "a header with an empty name", input: withHeaders(": 1"), status: 400 },
  { name: "a header name with a separator", input: withHeaders("C(Seq): 1"), status: 400 },
  // 7. Other versions and HTTP.
  { name: "RTSP/2.0", input: raw("OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n"), status: 505 },
  { name: "an RTSP/2.0 status line", input: raw("RTSP/2.0 200 OK\r\n\r\n"), status: 505 },
  {
    name: "an HTTP/1.1 request on the RTSP port",
    input: raw("GET / HTTP/1.1\r\nHost: cam\r\n\r\n"),
    status: 400,
    offset: 6,
    context: "request line",
  },
  { name: "an HTTP/1.0 request", input: raw("GET /index.html HTTP/1.0\r\n\r\n"), status: 400 },
  { name: "an HTTP response", input: raw("HTTP/1.1 200 OK\r\n\r\n"), status: 400 },
  { name: "an HTTP/2 preface", input: raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), status: 400 },
];

for (const c of cases) {
  Deno.test(`RtspParser answers ${c.status} to ${c.name}, however the bytes are split`, () => {
    const whole = parseWhole(c.input);
    const error = whole.at(-1);
    assert.ok(error, "an event");
    assert.equal(error.kind, "error", JSON.stringify(whole));
    assert.equal(error.status, c.status);
    if (c.offset !== undefined) assert.equal(error.offset, c.offset);
    if (c.context !== undefined) assert.equal(error.context, c.context);
    for (let at = 0; at <= c.input.length; at += c.input.length > 600 ? 97 : 1) {
      assert.deepEqual(parseChunks(splitAt(c.input, at)), whole, `split at ${at}`);
    }
    if (c.input.length < 5000) assert.deepEqual(parseChunks(byteByByte(c.input)), whole);
  });
}

Deno.test("ParseError messages never carry raw control bytes from the peer", () => {
  for (const c of cases) {
    const parser = new RtspParser();
    parser.feed(c.input);
    const e = drain(parser).at(-1);
    assert.equal(e?.kind, "error");
    if (e?.kind !== "error") continue;
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(e.error.message, /[\x00-\x1f\x7f-\x9f]/, c.name);
    assert.ok(e.error.message.length < 400, c.name);
  }
});

Deno.test("RtspParser rejects a binary start line before any line end arrives", () => {
  const parser = new RtspParser();
  parser.feed(raw("\x16\x03"));
  const e = parser.next();
  assert.equal(e.kind, "error");
});

Deno.test("RtspParser rejects a too-large Content-Length without waiting for the body", () => {
  const parser = new RtspParser();
  parser.feed(bytes(`ANNOUNCE rtsp://h/s RTSP/1.0\r\nContent-Length: 999999999\r\n\r\n`));
  const e = parser.next();
  assert.equal(e.kind, "error");
  if (e.kind === "error") assert.equal(e.error.status, 413);
  assert.equal(parser.bufferedBytes, 0);
});

// 2. An over-long line with no CRLF: the error comes at the limit and memory stays bounded.
const floods: { name: string; prefix: string; fill: string; status: number; limit: number }[] = [
  { name: "method", prefix: "", fill: "A", status: 400, limit: DEFAULT_LIMITS.method },
  { name: "URL", prefix: "DESCRIBE ", fill: "a", status: 414, limit: 9 + DEFAULT_LIMITS.url },
  {
    name: "request line",
    prefix: "DESCRIBE * RTSP/1.0",
    fill: "0",
    status: 400,
    limit: DEFAULT_LIMITS.requestLine,
  },
  {
    name: "header line",
    prefix: OPTIONS + "X-Long: ",
    fill: "b",
    status: 400,
    limit: OPTIONS.length + DEFAULT_LIMITS.headerLine,
  },
];

for (const f of floods) {
  Deno.test(`RtspParser stops a 1 MiB ${f.name} without CRLF at the limit`, () => {
    const chunkSize = 1024;
    const total = 1024 * 1024;
    const parser = new RtspParser();
    parser.feed(bytes(f.prefix));
    let fed = f.prefix.length;
    let error;
    const chunk = bytes(f.fill.repeat(chunkSize));
    while (fed < total) {
      parser.feed(chunk);
      fed += chunk.length;
      const e = parser.next();
      if (e.kind === "error") {
        error = e.error;
        break;
      }
      assert.equal(e.kind, "need-more");
      assert.ok(parser.bufferedBytes <= f.limit, `buffered ${parser.bufferedBytes}`);
    }
    assert.ok(error, "an error before 1 MiB");
    assert.equal(error.status, f.status);
    assert.equal(error.offset, f.limit);
    assert.ok(fed <= f.limit + chunkSize, `failed only after ${fed} bytes`);
    assert.equal(parser.bufferedBytes, 0);
    parser.feed(chunk); // the rest of the flood is dropped
    assert.equal(parser.bufferedBytes, 0);
  });
}

Deno.test("RtspParser stops a header flood fed one byte at a time at the 16 KiB limit", () => {
  const line = "X-Pad: " + "p".repeat(1000) + "\r\n";
  const input = bytes(OPTIONS + line.repeat(40));
  const parser = new RtspParser();
  let at = 0;
  for (; at < input.length; at++) {
    parser.feed(input.subarray(at, at + 1));
    const e = parser.next();
    if (e.kind === "error") break;
    assert.ok(parser.bufferedBytes <= DEFAULT_LIMITS.headerLine);
  }
  assert.equal(at, OPTIONS.length + DEFAULT_LIMITS.headers);
});

Deno.test("RtspParser accepts exactly 255 headers and exactly 16 KiB of headers", () => {
  const many = parseWhole(withHeaders(...Array.from({ length: 255 }, (_, i) => `X-${i}: ${i}`)));
  assert.equal(many[0].kind, "request");
  const line = (v: string) => `X: ${v}\r\n`;
  const filler = line("v".repeat(4000));
  const last = line("w".repeat(DEFAULT_LIMITS.headers - 4 * filler.length - 5));
  const input = bytes(OPTIONS + filler.repeat(4) + last + "\r\n");
  assert.equal(input.length - OPTIONS.length - 2, DEFAULT_LIMITS.headers);
  assert.equal(parseWhole(input)[0].kind, "request");
});

Deno.test("RtspParser accepts a Content-Length with leading zeros", () => {
  const events = parseWhole(concat(withHeaders("Content-Length: 003"), bytes("abc")));
  assert.equal(events[0].kind, "request");
  assert.deepEqual(events[0].body, [0x61, 0x62, 0x63]);
});
