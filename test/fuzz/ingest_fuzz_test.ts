// Property-based fuzzing of the ingest parsers (fast-check, fixed seed). Builds on
// test/ingest/fuzz_test.ts: here the seeds are *generated* valid requests, multipart streams and
// WebSocket frames, mutated, cut at generated points and fed as views in sentinel-filled buffers.
import assert from "node:assert/strict";
import fc from "fast-check";
import { zlibSync } from "fflate";
import {
  HttpError,
  IngestError,
  IngestFormatError,
  WebSocketError,
} from "../../src/ingest/errors.ts";
import { HttpRequestParser } from "../../src/ingest/http_request.ts";
import { ingestFormatOf, parseContentType } from "../../src/ingest/content_type.ts";
import { MultipartSplitter } from "../../src/ingest/multipart.ts";
import { Decompressor, RawFrameSplitter } from "../../src/ingest/raw_frames.ts";
import { WebSocketParser } from "../../src/ingest/websocket.ts";
import {
  check,
  concat,
  fromLatin1,
  inSentinel,
  latin1,
  mutated,
  outcome,
  randomBytes,
  SENTINELS,
  toPlain,
} from "./_support.ts";

type ErrorClass = typeof IngestError;

/** Feeds `input` cut at `cuts`, each piece a copy or a sentinel view; returns the outcome. */
function feed(
  input: Uint8Array,
  cuts: number[],
  sentinel: number | undefined,
  errorClass: ErrorClass,
  make: () => (chunk: Uint8Array) => unknown[],
): unknown {
  const push = make();
  const out: unknown[] = [];
  let at = 0;
  const result = outcome(errorClass, () => {
    for (let i = 0; at < input.length; i++) {
      const n = cuts[i % cuts.length];
      const piece = input.slice(at, at + n);
      const chunk = sentinel === undefined ? piece : inSentinel(piece, sentinel);
      const before = chunk.slice();
      at += n;
      out.push(...toPlain(push(chunk)) as unknown[]);
      assert.deepEqual(chunk, before, "push() changed its input");
    }
    return out;
  });
  // Output before an error depends on where the stream was cut; the error itself must not.
  return "ok" in result ? { ok: coalesce(out) } : result;
}

/** Joins consecutive body pieces, which streaming parsers emit per chunk. */
function coalesce(events: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const e of events) {
    const last = out.at(-1) as { body?: number[] } | undefined;
    const body = (e as { body?: number[] }).body;
    if (body && last?.body && Object.keys(e as object).length === 1) last.body.push(...body);
    else out.push(body && Object.keys(e as object).length === 1 ? { body: [...body] } : e);
  }
  return out;
}

const cutsArb = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 12 });

function fuzzStream(
  seeds: fc.Arbitrary<Uint8Array>,
  numRuns: number,
  errorClass: ErrorClass,
  make: () => (chunk: Uint8Array) => unknown[],
): void {
  const sample = fc.sample(seeds, { seed: 42, numRuns: 25 });
  const input = fc.oneof(
    { weight: 1, arbitrary: seeds },
    { weight: 3, arbitrary: mutated(sample) },
    { weight: 1, arbitrary: randomBytes(200) },
  );
  check(fc.tuple(input, cutsArb), numRuns, ([bytes, cuts]) => {
    const whole = feed(bytes, [bytes.length || 1], undefined, errorClass, make);
    assert.deepEqual(feed(bytes, cuts, undefined, errorClass, make), whole, "depends on the cuts");
    for (const s of SENTINELS) {
      assert.deepEqual(feed(bytes, cuts, s, errorClass, make), whole, `sentinel ${s}`);
    }
  });
}

const token = fc.stringMatching(/^[A-Za-z0-9-]{1,10}$/);
const httpRequest = fc.record({
  method: fc.constantFrom("POST", "PUT", "GET"),
  path: fc.stringMatching(/^\/ingest\/[a-z0-9]{1,8}(\?type=image%2Fjpeg)?$/),
  headers: fc.array(fc.tuple(token, fc.stringMatching(/^[ -~]{0,20}$/)), { maxLength: 5 }),
  body: fc.uint8Array({ maxLength: 60 }),
  chunked: fc.boolean(),
}).map(({ method, path, headers, body, chunked }) => {
  let head = `${method} ${path} HTTP/1.1\r\nHost: cam\r\n`;
  for (const [n, v] of headers) {
    if (!/^(content-length|transfer-encoding)$/i.test(n)) head += `${n}: ${v.trim()}\r\n`;
  }
  if (!chunked) return concat(latin1(`${head}Content-Length: ${body.length}\r\n\r\n`), body);
  const hex = body.length.toString(16);
  const chunk = body.length ? concat(latin1(`${hex}\r\n`), body, latin1("\r\n")) : new Uint8Array();
  return concat(latin1(`${head}Transfer-Encoding: chunked\r\n\r\n`), chunk, latin1("0\r\n\r\n"));
});

Deno.test("HttpRequestParser: generated and mutated requests give the same events however fed", () => {
  fuzzStream(
    fc.array(httpRequest, { minLength: 1, maxLength: 3 }).map((r) => concat(...r)),
    400,
    HttpError,
    () => {
      const p = new HttpRequestParser({ maxHeaderBytes: 512, maxHeaders: 8 });
      return (c) =>
        p.push(c).map((e) =>
          e.kind === "head" ? { ...e.head } : e.kind === "body" ? { body: e.data } : e
        );
    },
  );
});

const boundary = "frame-b0undary";
const multipart = fc.array(
  fc.record({ body: fc.uint8Array({ maxLength: 40 }), withLength: fc.boolean() }),
  { minLength: 1, maxLength: 4 },
).map((parts) =>
  concat(
    ...parts.map(({ body, withLength }) =>
      concat(
        latin1(`--${boundary}\r\nContent-Type: image/jpeg\r\n`),
        latin1(withLength ? `Content-Length: ${body.length}\r\n\r\n` : "\r\n"),
        body,
        latin1("\r\n"),
      )
    ),
    latin1(`--${boundary}--\r\n`),
  )
);

Deno.test("MultipartSplitter: generated and mutated streams give the same parts however fed", () => {
  fuzzStream(multipart, 400, IngestError, () => {
    const s = new MultipartSplitter(boundary, 128);
    return (c) => s.push(c);
  });
});

const wsFrames = fc.array(
  fc.record({
    opcode: fc.constantFrom(0x1, 0x2, 0x8, 0x9, 0xa, 0x0),
    fin: fc.boolean(),
    payload: fc.uint8Array({ maxLength: 140 }),
    mask: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 4 },
).map((frames) =>
  concat(...frames.map(({ opcode, fin, payload, mask }) => {
    const len = payload.length;
    const head = len < 126 ? [0x80 | len] : [0x80 | 126, len >> 8, len & 0xff];
    return Uint8Array.of(
      (fin ? 0x80 : 0) | opcode,
      ...head,
      ...mask,
      ...payload.map((b, i) => b ^ mask[i & 3]),
    );
  }))
);

Deno.test("WebSocketParser: generated and mutated frames give the same messages however fed", () => {
  fuzzStream(wsFrames, 400, WebSocketError, () => {
    const p = new WebSocketParser(256);
    return (c) => p.push(c);
  });
});

Deno.test("Decompressor and RawFrameSplitter: mutated deflate gives the same frames however fed", () => {
  const deflated = fc.uint8Array({ minLength: 1, maxLength: 400 }).map((b) => zlibSync(b));
  fuzzStream(deflated, 300, IngestError, () => {
    const d = new Decompressor("deflate", 2048);
    const s = new RawFrameSplitter(50);
    return (c) => d.push(c).flatMap((o) => s.push(o));
  });
});

Deno.test("parseContentType() and ingestFormatOf() throw only IngestFormatError", () => {
  const seeds = [
    "video/x-raw; format=i420; width=640; height=480; framerate=30000/1001",
    'multipart/x-mixed-replace; boundary="123456789000000000000987654321"',
    "video/h264",
    'image/jpeg; q="a\\"b"',
  ].map(latin1);
  const text = fc.oneof(
    mutated(seeds).map(fromLatin1),
    fc.string({ unit: "binary", maxLength: 80 }),
  );
  check(text, 3000, (t) => {
    const a = outcome(IngestFormatError, () => ingestFormatOf(t));
    assert.deepEqual(outcome(IngestFormatError, () => ingestFormatOf(t)), a);
    outcome(IngestError, () => parseContentType(t));
  });
});
