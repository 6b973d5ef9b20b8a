/**
 * Seeded mutation fuzzing of the ingest parsers: valid inputs are mutated and fed in random
 * pieces. Every case must terminate, throw nothing but the parser's own error class, leave the
 * input unmodified, and give the same result whether each piece is an exact array or a view into a
 * larger buffer full of poison (so no parser reads past the bytes it was given).
 */

import assert from "node:assert/strict";
import { gzipSync, zlibSync } from "fflate";
import { IngestError } from "../../src/ingest/errors.ts";
import { HttpError, HttpRequestParser } from "../../src/ingest/http_request.ts";
import { IngestFormatError, ingestFormatOf } from "../../src/ingest/content_type.ts";
import { MultipartSplitter } from "../../src/ingest/multipart.ts";
import { Decompressor, RawFrameSplitter } from "../../src/ingest/raw_frames.ts";
import { WebSocketError, WebSocketParser } from "../../src/ingest/websocket.ts";
import { concat, dec, enc, seededRandom } from "./_parser_helpers.ts";

const CASES = 300;
const SEED = 0x5eed_1e57;
const INTERESTING = [0x00, 0xff, 0x0d, 0x0a, 0x20, 0x2d, 0x3a, 0x3b, 0x3d, 0x30, 0x39, 0x7f, 0x80];

type Random = () => number;

function int(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** One to four random edits: set, flip, insert, delete, duplicate or truncate. */
function mutate(random: Random, input: Uint8Array): Uint8Array {
  let bytes: Uint8Array = input.slice();
  const edits = 1 + int(random, 4);
  for (let e = 0; e < edits; e++) {
    const at = int(random, bytes.length + 1);
    const len = 1 + int(random, 16);
    switch (int(random, 6)) {
      case 0:
        if (at < bytes.length) {
          bytes[at] = random() < 0.5
            ? INTERESTING[int(random, INTERESTING.length)]
            : int(random, 256);
        }
        break;
      case 1:
        if (at < bytes.length) bytes[at] ^= 1 << int(random, 8);
        break;
      case 2: {
        const extra = Uint8Array.from(
          { length: len },
          () => INTERESTING[int(random, INTERESTING.length)],
        );
        bytes = concat(bytes.subarray(0, at), extra, bytes.subarray(at));
        break;
      }
      case 3:
        bytes = concat(bytes.subarray(0, at), bytes.subarray(at + len));
        break;
      case 4:
        bytes = concat(bytes.subarray(0, at + len), bytes.subarray(at));
        break;
      default:
        bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

/** `bytes` cut at random points. */
function randomPieces(random: Random, bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = 1 + int(random, random() < 0.3 ? 8 : 200);
    out.push(bytes.slice(i, i + n));
    i += n;
  }
  return out;
}

/** The same pieces as views into buffers with poison around them. */
function poisoned(random: Random, chunks: Uint8Array[]): Uint8Array[] {
  return chunks.map((c) => {
    const before = int(random, 32);
    const buffer = new Uint8Array(before + c.length + 64).fill(
      INTERESTING[int(random, INTERESTING.length)],
    );
    buffer.set(c, before);
    return buffer.subarray(before, before + c.length);
  });
}

/**
 * Runs `feed` on mutated seeds: checks the error class, that inputs stay unchanged and that
 * poison around the inputs changes nothing. `feed` returns a JSON-able summary of what came out.
 */
function fuzz(
  name: string,
  seeds: Uint8Array[],
  errorClass: typeof IngestError,
  feed: (chunks: Uint8Array[]) => unknown,
): void {
  const random = seededRandom(SEED ^ name.length);
  let failures = 0;
  for (let n = 0; n < CASES; n++) {
    const input = mutate(random, seeds[n % seeds.length]);
    const chunks = randomPieces(random, input);
    const copies = chunks.map((c) => c.slice());
    const run = (pieces: Uint8Array[]): unknown => {
      try {
        return { ok: feed(pieces) };
      } catch (e) {
        assert.ok(e instanceof errorClass, `${name} case ${n}: threw ${e}`);
        failures++;
        return { error: e.status, message: e.message };
      }
    };
    const exact = run(chunks);
    chunks.forEach((c, i) =>
      assert.deepEqual(c, copies[i], `${name} case ${n} modified its input`)
    );
    assert.deepEqual(run(poisoned(random, copies)), exact, `${name} case ${n} read past its input`);
  }
  // The mutations must reach both outcomes, or the fuzzing proves little.
  assert.ok(failures > 0 && failures < 2 * CASES, `${name}: ${failures} failures`);
}

Deno.test("HttpRequestParser survives mutated requests", () => {
  const seeds = [
    "POST /ingest/cam1?type=image%2Fjpeg HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd",
    "POST /ingest/cam1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n10\r\n" +
    "0123456789abcdef\r\n0\r\nT: v\r\n\r\nGET / HTTP/1.0\r\n\r\n",
    "GET /ingest/x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x82\x80abcd",
  ].map(enc);
  fuzz("http", seeds, HttpError, (chunks) => {
    const parser = new HttpRequestParser({ maxHeaderBytes: 256, maxHeaders: 8 });
    const out: unknown[] = [];
    for (const c of chunks) {
      for (const e of parser.push(c)) {
        out.push(
          e.kind === "head"
            ? { ...e.head, headers: { ...e.head.headers }, query: { ...e.head.query } }
            : e.kind === "body"
            ? dec(e.data)
            : "end",
        );
      }
    }
    return out;
  });
});

Deno.test("ingestFormatOf() survives mutated content types", () => {
  const seeds = [
    "video/x-raw; format=i420; width=640; height=480; framerate=30000/1001",
    'multipart/x-mixed-replace; boundary="123456789000000000000987654321"',
    "video/h264",
    'image/jpeg; q="a\\"b"',
  ].map(enc);
  fuzz("content-type", seeds, IngestFormatError, (chunks) => {
    const format = ingestFormatOf(dec(concat(...chunks)));
    return format;
  });
});

Deno.test("MultipartSplitter survives mutated streams", () => {
  const seeds = [
    "\r\n--b0undary\r\nContent-Type: image/jpeg\r\nContent-Length: 6\r\nX-Timestamp: 12.000345\r\n\r\n" +
    "\xff\xd8ab\xff\xd9\r\n--b0undary\r\nContent-Length: 3\r\n\r\nxyz",
    "pre\r\n--b0undary\r\nX-Timestamp-Us: 5\r\n\r\nbody\r\n--b0undar\r\n--b0undary\n\nz\n--b0undary--\r\n",
  ].map((s) => Uint8Array.from([...s].map((c) => c.charCodeAt(0))));
  fuzz("multipart", seeds, IngestError, (chunks) => {
    const splitter = new MultipartSplitter("b0undary", 64);
    return chunks.flatMap((c) => splitter.push(c)).map((p) => ({
      headers: { ...p.headers },
      body: dec(p.body),
      ts: p.timestampUs,
    }));
  });
});

Deno.test("RawFrameSplitter and Decompressor survive mutated compressed bodies", () => {
  const frames = Uint8Array.from({ length: 3000 }, (_, i) => (i >> 4) & 0xff);
  const seeds = [zlibSync(frames), gzipSync(frames), zlibSync(new Uint8Array(100_000))];
  fuzz("inflate", seeds, IngestError, (chunks) => {
    const d = new Decompressor(chunks[0]?.[0] === 0x1f ? "gzip" : "deflate", 50_000);
    const splitter = new RawFrameSplitter(700);
    const out: string[] = [];
    for (const c of chunks) for (const o of d.push(c)) out.push(...splitter.push(o).map(dec));
    for (const o of d.end()) out.push(...splitter.push(o).map(dec));
    return { frames: out, pending: splitter.pending };
  });
});

Deno.test("WebSocketParser survives mutated frames", () => {
  const mask = [1, 2, 3, 4];
  const frame = (b0: number, payload: number[]) =>
    Uint8Array.from([
      b0,
      0x80 | payload.length,
      ...mask,
      ...payload.map((b, i) => b ^ mask[i & 3]),
    ]);
  const seeds = [
    concat(frame(0x82, [1, 2, 3]), frame(0x81, [0x74, 0x73, 0x3d, 0x31]), frame(0x89, [9])),
    concat(frame(0x02, [1]), frame(0x8a, []), frame(0x80, [0xc3]), frame(0x88, [0x03, 0xe8, 0x41])),
    concat(
      Uint8Array.of(0x82, 0xfe, 0x00, 0x80, ...mask),
      new Uint8Array(128),
      frame(0x01, [0xe2, 0x82]),
      frame(0x80, [0xac]),
    ),
  ];
  fuzz("websocket", seeds, WebSocketError, (chunks) => {
    const parser = new WebSocketParser(100);
    return chunks.flatMap((c) => parser.push(c)).map((m) =>
      "data" in m ? { kind: m.kind, data: dec(m.data) } : m
    );
  });
});
