// Property-based fuzzing of src/rtsp with fast-check (fixed seed). Generated *valid* requests must
// parse back to what was generated, at every split point; captured traffic, mutated or not, and
// random streams must give the same events whether fed whole, split anywhere, or as views into
// sentinel-filled buffers; the header parsers get header-shaped text.
import assert from "node:assert/strict";
import fc from "fast-check";
import { HeaderError } from "../../src/rtsp/header_error.ts";
import { parseCSeq } from "../../src/rtsp/cseq.ts";
import { parseOptionTags } from "../../src/rtsp/option_tags.ts";
import { parseRange } from "../../src/rtsp/range.ts";
import { parseRtpInfo } from "../../src/rtsp/rtp_info.ts";
import { parseSessionHeader } from "../../src/rtsp/session_header.ts";
import { parseTransport } from "../../src/rtsp/transport.ts";
import { parseRtspUrl } from "../../src/rtsp/url.ts";
import { RtspParser } from "../../src/rtsp/parser.ts";
import {
  byteArb,
  check,
  concat,
  fromLatin1,
  fuzzInput,
  inSentinel,
  latin1,
  outcome,
  SENTINELS,
} from "./_support.ts";
import {
  drain,
  parseChunks,
  parseWhole,
  summarize,
  testdata,
  testdataMessages,
} from "../rtsp/_helpers.ts";

const CAPTURED = [
  ...testdataMessages().map(testdata),
  testdata("ffmpeg_publish_tcp_stream.bin").subarray(0, 1500),
];

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const method = fc.oneof(
  fc.constantFrom(
    "OPTIONS",
    "DESCRIBE",
    "SETUP",
    "PLAY",
    "PAUSE",
    "TEARDOWN",
    "ANNOUNCE",
    "RECORD",
  ),
  // "$" at the start of a message is an interleaved frame (RFC 2326 §10.12), never a method.
  token.filter((t) => !t.startsWith("$")),
);
const url = fc.oneof(
  fc.constant("*"),
  fc.stringMatching(/^rtsp:\/\/[a-z0-9.]{1,12}(:[0-9]{1,5})?(\/[A-Za-z0-9._~%=&?-]{0,10}){0,4}$/),
);
// Header values as the parser hands them back: visible text with inner spaces, no edge whitespace.
const value = fc.stringMatching(/^[!-~]([ !-~]{0,30}[!-~])?$/);
const headerName = token.filter((n) => n.toLowerCase() !== "content-length");

interface Generated {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array;
}

const request: fc.Arbitrary<Generated> = fc.record({
  method,
  url,
  headers: fc.array(fc.tuple(headerName, value), { maxLength: 8 }),
  body: fc.oneof(
    fc.constant(new Uint8Array(0)),
    fc.uint8Array({ minLength: 1, maxLength: 80 }),
  ),
});

function encode(r: Generated, cseq: number): Uint8Array {
  let head = `${r.method} ${r.url} RTSP/1.0\r\nCSeq: ${cseq}\r\n`;
  for (const [n, v] of r.headers) head += `${n}: ${v}\r\n`;
  if (r.body.length) head += `Content-Length: ${r.body.length}\r\n`;
  return concat(latin1(head + "\r\n"), r.body);
}

const interleaved = fc.record({
  channel: fc.integer({ min: 0, max: 255 }),
  payload: fc.uint8Array({ maxLength: 60 }),
});

/** A pipelined stream of requests and interleaved frames, and the events it must give. */
const stream = fc.array(fc.oneof(request, interleaved), { minLength: 1, maxLength: 4 }).map(
  (items) => {
    const parts: Uint8Array[] = [];
    const expected: unknown[] = [];
    items.forEach((item, i) => {
      if ("channel" in item) {
        const { channel, payload } = item;
        parts.push(Uint8Array.of(0x24, channel, payload.length >> 8, payload.length & 0xff));
        parts.push(payload);
        expected.push({ kind: "interleaved", channel, payload: Array.from(payload) });
      } else {
        parts.push(encode(item, i + 1));
        const headers: [string, string][] = [["CSeq", String(i + 1)], ...item.headers];
        if (item.body.length) headers.push(["Content-Length", String(item.body.length)]);
        expected.push({
          kind: "request",
          method: item.method,
          url: item.url,
          version: "RTSP/1.0",
          headers,
          body: Array.from(item.body),
        });
      }
    });
    return { bytes: concat(...parts), expected };
  },
);

Deno.test("RtspParser parses generated requests and frames back to exactly what was generated", () => {
  check(stream, 300, ({ bytes, expected }) => {
    assert.deepEqual(parseWhole(bytes), expected);
  });
});

Deno.test("RtspParser gives the same events at every split point of generated requests", () => {
  check(stream, 60, ({ bytes }) => {
    const whole = parseWhole(bytes);
    for (let at = 0; at <= bytes.length; at++) {
      assert.deepEqual(parseChunks([bytes.subarray(0, at), bytes.subarray(at)]), whole, `at ${at}`);
    }
  });
});

/** Every event of one chunking, checked for the parser's own invariants. */
function events(chunks: Uint8Array[]): unknown[] {
  const parser = new RtspParser({ headers: 2048, body: 4096, url: 512 });
  const out: unknown[] = [];
  let fed = 0;
  for (const c of chunks) {
    const before = c.slice();
    parser.feed(c);
    assert.deepEqual(c, before, "feed() changed its input");
    fed += c.length;
    const got = drain(parser);
    for (const e of got) {
      if (e.kind !== "error") continue;
      // An internal failure is the parser's catch-all for a bug, never a verdict on the bytes.
      assert.notEqual(e.error.context, "parser", e.error.message);
      assert.ok(e.error.offset >= 0 && e.error.offset <= fed, `offset ${e.error.offset} > ${fed}`);
      assert.ok(e.error.status >= 400 && e.error.status < 600);
    }
    out.push(...got.map(summarize));
    if (got.at(-1)?.kind === "error") break;
  }
  return out;
}

const cuts = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 });

function cut(
  bytes: Uint8Array,
  sizes: number[],
  wrap: (b: Uint8Array) => Uint8Array,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = i < sizes.length ? sizes[i] : bytes.length;
    out.push(wrap(bytes.slice(at, at + n)));
    at += n;
  }
  return out;
}

Deno.test("RtspParser: mutated and random streams give the same events however they are cut", () => {
  check(fc.tuple(fuzzInput(CAPTURED, 600), cuts), 400, ([bytes, sizes]) => {
    const whole = events([bytes]);
    assert.deepEqual(events(cut(bytes, sizes, (b) => b)), whole, "split");
    for (const s of SENTINELS) {
      assert.deepEqual(events(cut(bytes, sizes, (b) => inSentinel(b, s))), whole, "sentinel");
    }
  });
});

Deno.test("RtspParser holds at most one message plus the last chunk, whatever is fed", () => {
  // Garbage that never completes a line must fail at the limit, not grow the buffer.
  check(fc.tuple(byteArb, fc.integer({ min: 1, max: 512 })), 50, ([b, size]) => {
    const parser = new RtspParser();
    const chunk = new Uint8Array(size).fill(b === 0x0a || b === 0x0d ? 0x41 : b);
    for (let i = 0; i < 20_000 / size + 10; i++) {
      parser.feed(chunk);
      const e = parser.next();
      if (e.kind === "error") return;
      assert.ok(parser.bufferedBytes <= 16384 + 4096 + size, `${parser.bufferedBytes} buffered`);
    }
  });
});

// The header parsers take strings: give them header-shaped text, random Latin-1 and mutations of
// the values found in the captured requests.
const capturedValues: string[] = CAPTURED.flatMap((bytes) =>
  fromLatin1(bytes).split(/\r?\n/).map((l) => l.slice(l.indexOf(":") + 1).trim())
).filter((v) => v.length > 0 && v.length < 300);

/** Characters that mean something to one header grammar or another, and a few that never do. */
const headerChars = fc.constantFrom(
  ...'RTP/AVPTCUunicast;=-,"0123456789:.@[]%?#*\\ \t\r\nxnpt=now\u0000\u0085é',
);
/** Each header's own start, so the parsers get past their first check. */
const headerStart = fc.constantFrom(
  "",
  "RTP/AVP;",
  "npt=",
  "url=rtsp://h/",
  "rtsp://",
  "A;timeout=",
);

const headerText = fc.oneof(
  fuzzInput(capturedValues.map(latin1), 80).map(fromLatin1),
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.tuple(headerStart, fc.string({ unit: headerChars, maxLength: 60 })).map(([a, b]) => a + b),
);

const HEADER_PARSERS: [string, (v: string) => unknown][] = [
  ["parseTransport", parseTransport],
  ["parseSessionHeader", parseSessionHeader],
  ["parseRange", parseRange],
  ["parseRtpInfo", parseRtpInfo],
  ["parseOptionTags", parseOptionTags],
  ["parseRtspUrl", parseRtspUrl],
  ["parseCSeq", parseCSeq],
];

Deno.test("header parsers throw only HeaderError and give the same answer twice", () => {
  check(headerText, 2000, (text) => {
    for (const [name, parse] of HEADER_PARSERS) {
      const first = outcome(HeaderError, () => parse(text));
      assert.deepEqual(outcome(HeaderError, () => parse(text)), first, name);
      if ("error" in first) {
        // HARDENING.md case 5: never reflect raw control bytes back in a message.
        assert.ok(!/[\r\n\0]/.test(first.error), `${name} reflected control bytes: ${first.error}`);
      }
    }
  });
});

Deno.test("RtspParser gives every message of a long pipelined stream of all captured traffic", () => {
  const all = concat(...testdataMessages().map(testdata));
  const once = parseWhole(all);
  assert.ok(once.every((e) => e.kind !== "error"), "the captured messages parse");
  const events = parseWhole(concat(...Array.from({ length: 200 }, () => all)));
  assert.equal(events.length, 200 * once.length);
  assert.deepEqual(events.slice(-once.length), once);
});
