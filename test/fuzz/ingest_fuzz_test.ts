// Property-based fuzzing of the ingest parsers (fast-check, fixed seed): generated valid requests,
// multipart streams, WebSocket frames and compressed bodies, plus hand-written seeds for what the
// generators do not make (chunk extensions, trailers, pipelining, preambles, near-miss boundaries,
// fragmented UTF-8, gzip, a decompression bomb), are mutated, cut at generated points and fed as
// views in sentinel-filled buffers. Output must not depend on the cuts or the bytes around them.
import assert from "node:assert/strict";
import fc from "fast-check";
import { gzipSync, zlibSync } from "fflate";
import {
  HttpError,
  IngestError,
  IngestFormatError,
  WebSocketError,
} from "../../src/ingest/errors.ts";
import { HttpRequestParser } from "../../src/ingest/http_request.ts";
import { ingestFormatOf, parseContentType } from "../../src/ingest/content_type.ts";
import { audioInputOf } from "../../src/ingest/audio_content_type.ts";
import { HttpParseError } from "../../src/http1/errors.ts";
import { MultipartSplitter } from "../../src/http1/multipart.ts";
import { Decompressor, loadInflate, RawFrameSplitter } from "../../src/ingest/raw_frames.ts";
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

await loadInflate();

// deno-lint-ignore no-explicit-any
type ErrorClass = new (...args: any[]) => Error;

/** A parser under test: takes chunks, and at the end of the stream gives what it still holds. */
interface Feeder {
  push(chunk: Uint8Array): unknown[];
  end?(): unknown[];
}

/** Feeds `input` cut at `cuts`, each piece a copy or a sentinel view; returns the outcome. */
function feed(
  input: Uint8Array,
  cuts: number[],
  sentinel: number | undefined,
  errorClass: ErrorClass,
  make: () => Feeder,
): unknown {
  const parser = make();
  const out: unknown[] = [];
  let at = 0;
  const result = outcome(errorClass, () => {
    for (let i = 0; at < input.length; i++) {
      const n = cuts[i % cuts.length];
      const piece = input.slice(at, at + n);
      const chunk = sentinel === undefined ? piece : inSentinel(piece, sentinel);
      const before = chunk.slice();
      at += n;
      out.push(...toPlain(parser.push(chunk)) as unknown[]);
      assert.deepEqual(chunk, before, "push() changed its input");
    }
    if (parser.end) out.push(...toPlain(parser.end()) as unknown[]);
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

/** What to fuzz and how. */
interface StreamFuzz {
  /** Generated valid streams. */
  generated: fc.Arbitrary<Uint8Array>;
  /** Hand-written streams with what the generator does not make. */
  handSeeds?: Uint8Array[];
  runs: number;
  /** The only error class the parser may throw. */
  errorClass: ErrorClass;
  make: () => Feeder;
  /**
   * The parser bounds what one call may produce, so an error may depend on the cuts: then only
   * streams that succeed both whole and cut must agree.
   */
  capPerCall?: boolean;
}

/**
 * Feeds generated, hand-written, mutated and random streams to a parser, whole and cut, as copies
 * and as sentinel views; all must agree. Both outcomes, a result and an error, must be common, or
 * the fuzzing proves little.
 */
function fuzzStream(f: StreamFuzz): void {
  const handSeeds = f.handSeeds ?? [];
  const sample = [...fc.sample(f.generated, { seed: 42, numRuns: 25 }), ...handSeeds];
  const input = fc.oneof(
    { weight: 1, arbitrary: f.generated },
    { weight: 3, arbitrary: mutated(sample) },
    { weight: 1, arbitrary: randomBytes(200) },
    ...(handSeeds.length ? [{ weight: 1, arbitrary: fc.constantFrom(...handSeeds) }] : []),
  );
  let errors = 0;
  check(fc.tuple(input, cutsArb), f.runs, ([bytes, cuts]) => {
    const run = (cuts: number[], sentinel?: number) =>
      feed(bytes, cuts, sentinel, f.errorClass, f.make);
    const whole = run([bytes.length || 1]);
    const cut = run(cuts);
    const bothOk = "ok" in (whole as object) && "ok" in (cut as object);
    if (!f.capPerCall || bothOk) assert.deepEqual(cut, whole, "depends on the cuts");
    for (const s of SENTINELS) assert.deepEqual(run(cuts, s), cut, `sentinel ${s}`);
    if ("error" in (whole as object)) errors++;
  });
  assert.ok(errors > f.runs / 20 && errors < f.runs * 0.95, `${errors} of ${f.runs} failed`);
}

/** Latin-1 bytes of hand-written seeds (escapes such as \xff stay single bytes). */
function seedsOf(...texts: string[]): Uint8Array[] {
  return texts.map(latin1);
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
  fuzzStream({
    generated: fc.array(httpRequest, { minLength: 1, maxLength: 3 }).map((r) => concat(...r)),
    runs: 400,
    errorClass: HttpError,
    make: () => {
      const p = new HttpRequestParser({ maxHeaderBytes: 512, maxHeaders: 8 });
      return {
        push: (c) =>
          p.push(c).map((e) =>
            e.kind === "head" ? { ...e.head } : e.kind === "body" ? { body: e.data } : e
          ),
      };
    },
    handSeeds: seedsOf(
      "POST /ingest/cam1?type=image%2Fjpeg HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd",
      "POST /ingest/cam1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n10\r\n" +
        "0123456789abcdef\r\n0\r\nT: v\r\n\r\nGET / HTTP/1.0\r\n\r\n",
      "GET /ingest/x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x82\x80abcd",
    ),
  });
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
  fuzzStream({
    generated: multipart,
    runs: 400,
    errorClass: HttpParseError,
    make: () => {
      const s = new MultipartSplitter(boundary, 128);
      return { push: (c) => s.push(c) };
    },
    handSeeds: seedsOf(
      `\r\n--${boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: 6\r\n` +
        `X-Timestamp: 12.000345\r\n\r\n\xff\xd8ab\xff\xd9\r\n--${boundary}\r\n` +
        `Content-Length: 3\r\n\r\nxyz`,
      `pre\r\n--${boundary}\r\nX-Timestamp-Us: 5\r\n\r\nbody\r\n--${boundary.slice(0, -1)}\r\n` +
        `--${boundary}\n\nz\n--${boundary}--\r\n`,
    ),
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
  const mask = [1, 2, 3, 4];
  const frame = (b0: number, payload: number[]) =>
    Uint8Array.of(b0, 0x80 | payload.length, ...mask, ...payload.map((b, i) => b ^ mask[i & 3]));
  fuzzStream({
    generated: wsFrames,
    runs: 400,
    errorClass: WebSocketError,
    make: () => {
      const p = new WebSocketParser(256);
      return { push: (c) => p.push(c) };
    },
    handSeeds: [
      // Binary, text, ping; a fragmented binary message with a pong between its fragments and a
      // close with a status code and reason; a 126-length frame, then text whose UTF-8 character
      // is split across two fragments (RFC 6455 §5.4, §8.1).
      concat(frame(0x82, [1, 2, 3]), frame(0x81, [0x74, 0x73, 0x3d, 0x31]), frame(0x89, [9])),
      concat(frame(0x02, [1]), frame(0x8a, []), frame(0x80, [0xc3]), frame(0x88, [3, 0xe8, 0x41])),
      concat(
        Uint8Array.of(0x82, 0xfe, 0x00, 0x80, ...mask),
        new Uint8Array(128),
        frame(0x01, [0xe2, 0x82]),
        frame(0x80, [0xac]),
      ),
    ],
  });
});

/** A body compressed with zlib (RFC 1950) or gzip (RFC 1952); the first byte tells which. */
const compressed = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.boolean())
  .map(([b, gzip]) => gzip ? gzipSync(b) : zlibSync(b));

Deno.test("Decompressor and RawFrameSplitter: mutated bodies give the same frames however fed", () => {
  const CAP = 2048;
  const frames = Uint8Array.from({ length: 3000 }, (_, i) => (i >> 4) & 0xff);
  fuzzStream({
    generated: compressed,
    runs: 300,
    errorClass: IngestError,
    capPerCall: true,
    make: () => {
      let d: Decompressor | undefined;
      const s = new RawFrameSplitter(50);
      const of = (c: Uint8Array) => d ??= new Decompressor(c[0] === 0x1f ? "gzip" : "deflate", CAP);
      // However small the input, no call gives more than the cap: a bomb cannot exhaust memory.
      const capped = (out: Uint8Array[]) => {
        const bytes = out.reduce((n, o) => n + o.length, 0);
        assert.ok(bytes <= CAP, `${bytes} bytes from one call`);
        return out.flatMap((o) => s.push(o));
      };
      return {
        push: (c) => capped(of(c).push(c)),
        // What the decompressor still holds comes out at the end of the body.
        end: () => [...capped(of(new Uint8Array(0)).end()), { pending: s.pending }],
      };
    },
    // Frames of a pattern, and a bomb: 100 KB of zeros in about 100 bytes, over the 2 KB limit.
    handSeeds: [zlibSync(frames), gzipSync(frames), zlibSync(new Uint8Array(100_000))],
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

Deno.test("audioInputOf() never throws and says why it refuses, with 400 or 415", () => {
  const seeds = [
    "audio/L16;rate=16000;channels=1",
    "audio/x-raw; format=S32LE; rate=44100; channels=2; layout=interleaved",
    'audio/PCMU; rate="8000"',
    "audio/basic",
  ].map(latin1);
  const text = fc.oneof(
    mutated(seeds).map(fromLatin1),
    fc.string({ unit: "binary", maxLength: 80 }),
  );
  let taken = 0;
  check(text, 3000, (t) => {
    const read = audioInputOf(t);
    assert.deepEqual(audioInputOf(t), read, "not deterministic");
    if (read.ok) {
      taken++;
      const { rate, channels } = read.input;
      assert.ok(rate >= 8000 && rate <= 96000 && (channels === 1 || channels === 2), t);
    } else {
      assert.ok(read.status === 400 || read.status === 415);
      const controls = [...read.error].some((c) => c.charCodeAt(0) < 0x20);
      assert.ok(read.error.length > 0 && read.error.length < 300 && !controls, read.error);
    }
  });
  assert.ok(taken > 30 && taken < 2900, `${taken} of 3000 taken`);
});
