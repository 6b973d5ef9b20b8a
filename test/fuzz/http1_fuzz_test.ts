// Property-based fuzzing of the HTTP/1.1 response parser the camera client reads with (fast-check,
// fixed seed): generated responses (Content-Length, chunked, close-delimited, interim 1xx), plus
// hand-written camera quirks, are mutated, cut at generated points and fed as views in
// sentinel-filled buffers. Events must not depend on the cuts or the bytes around them; only
// HttpParseError may be thrown; memory stays bounded.
import assert from "node:assert/strict";
import fc from "fast-check";
import { HttpParseError } from "../../src/http1/errors.ts";
import { HttpResponseParser } from "../../src/http1/response.ts";
import { parseChallenges } from "../../src/http1/challenge.ts";
import { boundaryCandidates, sniffBoundary } from "../../src/http1/multipart.ts";
import {
  check,
  concat,
  inSentinel,
  latin1,
  mutated,
  outcome,
  randomBytes,
  SEED,
  SENTINELS,
} from "./_support.ts";

const token = fc.stringMatching(/^[A-Za-z0-9-]{1,10}$/);
const response = fc.record({
  status: fc.constantFrom(200, 204, 206, 302, 304, 401, 404, 500),
  interim: fc.boolean(),
  headers: fc.array(fc.tuple(token, fc.stringMatching(/^[ -~]{0,20}$/)), { maxLength: 5 }),
  body: fc.uint8Array({ maxLength: 80 }),
  framing: fc.constantFrom("length", "chunked", "close"),
}).map(({ status, interim, headers, body, framing }) => {
  let head = `${interim ? "HTTP/1.1 100 Continue\r\n\r\n" : ""}HTTP/1.1 ${status} X\r\n`;
  for (const [n, v] of headers) {
    if (!/^(content-length|transfer-encoding)$/i.test(n)) head += `${n}: ${v.trim()}\r\n`;
  }
  if (framing === "length") {
    return concat(latin1(`${head}Content-Length: ${body.length}\r\n\r\n`), body);
  }
  if (framing === "close") return concat(latin1(`${head}\r\n`), body);
  const half = body.length >> 1;
  const chunk = (b: Uint8Array) =>
    b.length ? concat(latin1(`${b.length.toString(16)};x=y\r\n`), b, latin1("\r\n")) : b;
  return concat(
    latin1(`${head}Transfer-Encoding: chunked\r\n\r\n`),
    chunk(body.subarray(0, half)),
    chunk(body.subarray(half)),
    latin1("0\r\nTrailer: t\r\n\r\n"),
  );
});

const SEEDS = [
  "HTTP/1.0 200 OK\nContent-Type: multipart/x-mixed-replace;boundary=frame\n\n--frame\r\n",
  "HTTP/1.1 200\r\nX: a\r\n  folded\r\nContent-Length: 3, 3\r\n\r\nabcEXTRA",
  '\r\nHTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="a", nonce="b"\r\n' +
  "Content-Length: 0\r\n\r\n",
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffff\r\n",
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
  "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
  "\x16\x03\x01\x00\x2a\x02\x00\x00\x26\x03\x03",
  "HTTP/1.1 200 OK\r\nName : value\r\nBad\x01: x\r\n\r\n",
].map(latin1);

const cutsArb = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 12 });

/** Feeds `input` cut at `cuts` (copies, or views amid `sentinel`); body pieces joined. */
function feed(input: Uint8Array, cuts: number[], sentinel?: number): unknown {
  const parser = new HttpResponseParser({ maxHeadBytes: 512, maxHeaders: 8 });
  const events: unknown[] = [];
  let body: number[] | undefined;
  const take = (list: ReturnType<HttpResponseParser["push"]>) => {
    for (const e of list) {
      if (e.kind === "body") {
        if (!body) events.push({ body: body = [] });
        body.push(...e.data);
      } else {
        body = undefined;
        events.push(e);
      }
    }
  };
  let at = 0;
  const result = outcome(HttpParseError, () => {
    for (let i = 0; at < input.length && !parser.done; i++) {
      const n = cuts[i % cuts.length];
      const piece = input.slice(at, at + n);
      const chunk = sentinel === undefined ? piece : inSentinel(piece, sentinel);
      const before = chunk.slice();
      at += n;
      take(parser.push(chunk));
      assert.deepEqual(chunk, before, "push() changed its input");
    }
    take(parser.end());
    return events;
  });
  // Events before an error depend on where the stream was cut; the error itself must not.
  return result;
}

Deno.test("HttpResponseParser: generated and mutated responses give the same events however fed", () => {
  const sample = [...fc.sample(response, { seed: SEED, numRuns: 25 }), ...SEEDS];
  const input = fc.oneof(
    { weight: 1, arbitrary: response },
    { weight: 3, arbitrary: mutated(sample) },
    { weight: 1, arbitrary: randomBytes(200) },
    { weight: 1, arbitrary: fc.constantFrom(...SEEDS) },
  );
  let errors = 0;
  const runs = 500;
  check(fc.tuple(input, cutsArb), runs, ([bytes, cuts]) => {
    const whole = feed(bytes, [bytes.length || 1]);
    assert.deepEqual(feed(bytes, cuts), whole, "depends on the cuts");
    for (const s of SENTINELS) assert.deepEqual(feed(bytes, cuts, s), whole, `sentinel ${s}`);
    if ("error" in (whole as object)) errors++;
  });
  assert.ok(errors > runs / 20 && errors < runs * 0.95, `${errors} of ${runs} failed`);
});

Deno.test("HttpResponseParser holds no more than its head limit of an endless head", () => {
  const parser = new HttpResponseParser({ maxHeadBytes: 1024 });
  parser.push(latin1("HTTP/1.1 200 OK\r\nX: "));
  const line = new Uint8Array(100).fill(0x61);
  assert.throws(() => {
    for (let i = 0; i < 100; i++) parser.push(line);
  }, (e) => e instanceof HttpParseError && e.status === 431);
});

Deno.test("the Content-Type and challenge readers never throw and stay within their input", () => {
  const text = fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.constantFrom(
      'multipart/x-mixed-replace; boundary="a\\"b"',
      "multipart/x-mixed-replace;boundary=--x;charset=y",
      'Digest realm="a", nonce="b", qop="auth,auth-int", Basic realm="c", Negotiate abc==',
      'Digest realm="unterminated',
    ),
  ).chain((seed) => fc.tuple(fc.constant(seed), fc.nat({ max: 200 })));
  check(text, 500, ([value, cut]) => {
    const b = boundaryCandidates(value);
    for (const x of b ?? []) assert.ok(x.length > 0 && x.length <= 200, JSON.stringify(value));
    for (const c of parseChallenges(value.slice(0, cut))) assert.ok(c.scheme.length > 0);
    const s = sniffBoundary(latin1(value));
    if (typeof s === "string") assert.ok(value.includes(`--${s}`));
  });
});
