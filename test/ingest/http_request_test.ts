import assert from "node:assert/strict";
import {
  formatResponse,
  HttpError,
  type HttpEvent,
  type HttpRequestHead,
  HttpRequestParser,
} from "../../src/ingest/http_request.ts";
import { IngestError } from "../../src/ingest/errors.ts";
import { concat, dec, enc, everySplit, thrown } from "./_parser_helpers.ts";

/** A request as the events describe it: head, body bytes (joined), whether it ended. */
interface Request {
  head: HttpRequestHead;
  body: string;
  ended: boolean;
}

function collect(events: HttpEvent[], into: Request[] = []): Request[] {
  for (const e of events) {
    if (e.kind === "head") into.push({ head: e.head, body: "", ended: false });
    else if (e.kind === "body") into[into.length - 1].body += dec(e.data);
    else into[into.length - 1].ended = true;
  }
  return into;
}

function parse(...chunks: (string | Uint8Array)[]): Request[] {
  const parser = new HttpRequestParser();
  const out: Request[] = [];
  for (const c of chunks) collect(parser.push(typeof c === "string" ? enc(c) : c), out);
  return out;
}

function failure(text: string, parser = new HttpRequestParser()): HttpError {
  const error = thrown(() => parser.push(enc(text)));
  assert.ok(error instanceof HttpError, `expected an HttpError, got ${error}`);
  return error;
}

const CL_POST = "POST /ingest/cam1 HTTP/1.1\r\nHost: edge\r\nContent-Type: image/jpeg\r\n" +
  "Content-Length: 5\r\nX-Timestamp-Us: 123\r\n\r\nhello";
const CHUNKED_POST =
  "POST /ingest/cam1 HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: chunked\r\n\r\n" +
  "5;name=value\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: dropped\r\n\r\n";
const WS_GET = "GET /ingest/cam1?type=image%2Fjpeg&token=a+b HTTP/1.1\r\nHost: edge\r\n" +
  "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: x\r\n\r\n";

Deno.test("HttpRequestParser parses a Content-Length POST into head, body and end", () => {
  const [r] = parse(CL_POST);
  assert.equal(r.head.method, "POST");
  assert.equal(r.head.target, "/ingest/cam1");
  assert.equal(r.head.path, "/ingest/cam1");
  assert.equal(r.head.version, "HTTP/1.1");
  assert.equal(r.head.contentLength, 5);
  assert.equal(r.head.chunked, false);
  assert.equal(r.head.upgrade, undefined);
  assert.deepEqual({ ...r.head.headers }, {
    host: "edge",
    "content-type": "image/jpeg",
    "content-length": "5",
    "x-timestamp-us": "123",
  });
  assert.equal(r.body, "hello");
  assert.equal(r.ended, true);
});

Deno.test("HttpRequestParser decodes a chunked body, ignoring extensions and dropping trailers", () => {
  const [r] = parse(CHUNKED_POST);
  assert.equal(r.head.chunked, true);
  assert.equal(r.head.contentLength, undefined);
  assert.equal(r.body, "hello, world!!!");
  assert.equal(r.ended, true);
  assert.equal(r.head.headers["x-trailer"], undefined);
});

Deno.test("HttpRequestParser gives a chunk's ts= extension to its first piece only", () => {
  const text = "POST /ingest/cam/audio HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
    '4;ts=1000\r\nabcd\r\n2 ; foo=bar; TS = "2000"\r\nef\r\n2;ts=soon\r\ngh\r\n0\r\n\r\n';
  const stamps = (events: HttpEvent[]) =>
    events.flatMap((e) => e.kind === "body" ? [[dec(e.data), e.chunkTimestampUs]] : []);
  const parser = new HttpRequestParser();
  assert.deepEqual(stamps(parser.push(enc(text))), [
    ["abcd", 1000],
    ["ef", 2000],
    ["gh", undefined],
  ]);
  // Split inside a chunk: the stamp stays with the chunk's first piece.
  const split = new HttpRequestParser();
  const at = text.indexOf("abcd") + 2;
  assert.deepEqual(
    [...stamps(split.push(enc(text.slice(0, at)))), ...stamps(split.push(enc(text.slice(at))))],
    [["ab", 1000], ["cd", undefined], ["ef", 2000], ["gh", undefined]],
  );
});

Deno.test("HttpRequestParser gives the same requests for every split of three requests", () => {
  for (const text of [CL_POST, CHUNKED_POST, WS_GET]) {
    const whole = parse(text);
    for (const [a, b] of everySplit(enc(text))) {
      assert.deepEqual(parse(a, b), whole, `split at ${a.length}`);
    }
    // And one byte at a time.
    assert.deepEqual(parse(...[...enc(text)].map((b) => Uint8Array.of(b))), whole);
  }
});

Deno.test("HttpRequestParser reads keep-alive requests one after another on a connection", () => {
  const GET = "GET /status HTTP/1.1\r\nHost: edge\r\n\r\n";
  const all = parse(CL_POST + CHUNKED_POST + "\r\n" + GET + CL_POST);
  assert.deepEqual(all.map((r) => [r.head.method, r.body, r.ended]), [
    ["POST", "hello", true],
    ["POST", "hello, world!!!", true],
    ["GET", "", true],
    ["POST", "hello", true],
  ]);
  // A body that arrives over several pushes, the next request after it.
  const parser = new HttpRequestParser();
  const out = collect(parser.push(enc(CL_POST.slice(0, -3))));
  assert.equal(out[0].ended, false);
  collect(parser.push(enc("llo" + GET)), out);
  assert.deepEqual(out.map((r) => [r.body, r.ended]), [["hello", true], ["", true]]);
});

Deno.test("HttpRequestParser hands body data out as views of the pushed chunk, not copies", () => {
  const chunk = enc(CL_POST);
  const events = new HttpRequestParser().push(chunk);
  const body = events.find((e) => e.kind === "body");
  assert.ok(body?.kind === "body");
  assert.equal(body.data.buffer, chunk.buffer);
  assert.equal(body.data.byteOffset, chunk.length - 5);
});

Deno.test("HttpRequestParser ends a GET without framing at once, and an empty POST too", () => {
  assert.deepEqual(parse("GET / HTTP/1.1\r\n\r\n").map((r) => [r.body, r.ended]), [["", true]]);
  const [r] = parse("POST /ingest/a HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  assert.equal(r.head.contentLength, 0);
  assert.equal(r.ended, true);
});

Deno.test("HttpRequestParser accepts bare LF line ends and empty lines before a request", () => {
  const [r] = parse("\r\n\nPOST /ingest/a HTTP/1.0\nContent-Length: 2\n\nok");
  assert.equal(r.head.version, "HTTP/1.0");
  assert.equal(r.body, "ok");
});

Deno.test("HttpRequestParser joins repeated headers with a comma and lower-cases names", () => {
  const [r] = parse("GET / HTTP/1.1\r\nAccept: a\r\nACCEPT: b\r\nX-Empty:\r\n\r\n");
  assert.equal(r.head.headers.accept, "a, b");
  assert.equal(r.head.headers["x-empty"], "");
});

Deno.test("HttpRequestParser keeps headers and query parameters named __proto__ as plain keys", () => {
  const [r] = parse("GET /a?__proto__=x&constructor=y HTTP/1.1\r\n__proto__: z\r\n\r\n");
  assert.equal(r.head.headers["__proto__"], "z");
  assert.equal(r.head.query["__proto__"], "x");
  assert.equal(r.head.query["constructor"], "y");
  assert.equal(r.head.headers["constructor"], undefined);
});

Deno.test("HttpRequestParser decodes the query; the first of repeated names wins", () => {
  const [r] = parse(
    WS_GET.replace("token=a+b", "token=a+b&token=c&type2=video%2Fx-raw%3Bwidth%3D640"),
  );
  assert.equal(r.head.path, "/ingest/cam1");
  assert.equal(r.head.query.type, "image/jpeg");
  assert.equal(r.head.query.token, "a b");
  assert.equal(r.head.query.type2, "video/x-raw;width=640");
});

Deno.test("HttpRequestParser takes an absolute-form target's path and query", () => {
  const [r] = parse("GET http://edge:8080/ingest/x?a=1 HTTP/1.1\r\n\r\n");
  assert.equal(r.head.path, "/ingest/x");
  assert.equal(r.head.query.a, "1");
  assert.equal(parse("GET http://edge HTTP/1.1\r\n\r\n")[0].head.path, "/");
  assert.equal(parse("OPTIONS * HTTP/1.1\r\n\r\n")[0].head.path, "*");
});

Deno.test("HttpRequestParser accepts duplicate Content-Length headers with the same value", () => {
  const [r] = parse("POST /a HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok");
  assert.equal(r.head.contentLength, 2);
  assert.equal(parse("POST /a HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nok")[0].body, "ok");
});

Deno.test("HttpRequestParser rejects Content-Length headers with different values", () => {
  const e = failure("POST /a HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok");
  assert.equal(e.status, 400);
  assert.equal(failure("POST /a HTTP/1.1\r\nContent-Length: 2, 3\r\n\r\n").status, 400);
});

Deno.test("HttpRequestParser rejects Content-Length that is not a plain decimal", () => {
  for (const v of ["-1", "+5", "1e3", "abc", "0x10", "", "5 5"]) {
    assert.equal(failure(`POST /a HTTP/1.1\r\nContent-Length: ${v}\r\n\r\n`).status, 400, v);
  }
  assert.equal(
    failure("POST /a HTTP/1.1\r\nContent-Length: 99999999999999999\r\n\r\n").status,
    413,
  );
  assert.equal(parse("POST /a HTTP/1.1\r\nContent-Length: 0002\r\n\r\nok")[0].body, "ok");
});

Deno.test("HttpRequestParser rejects Transfer-Encoding with Content-Length (request smuggling)", () => {
  const e = failure(
    "POST /a HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  );
  assert.equal(e.status, 400);
  assert.match(e.message, /Transfer-Encoding and Content-Length/);
});

Deno.test("HttpRequestParser answers 501 to a transfer coding it does not know", () => {
  assert.equal(failure("POST /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").status, 501);
  assert.equal(failure("POST /a HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n").status, 400);
  assert.equal(failure("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n").status, 400);
  assert.equal(
    failure("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n").status,
    400,
  );
  assert.equal(failure("POST /a HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n").status, 400);
  assert.equal(
    parse("POST /a HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n")[0].ended,
    true,
  );
});

Deno.test("HttpRequestParser rejects Transfer-Encoding in an HTTP/1.0 request", () => {
  assert.equal(failure("POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n").status, 400);
});

Deno.test("HttpRequestParser answers 411 to a POST or PUT without Content-Length or chunked", () => {
  const e = failure("POST /ingest/a HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(e.status, 411);
  assert.equal(e.message, "a POST needs Content-Length or Transfer-Encoding: chunked");
  assert.equal(failure("PUT /ingest/a HTTP/1.1\r\n\r\n").status, 411);
});

Deno.test("HttpRequestParser answers 505 to HTTP/2 and to versions other than 1.0 and 1.1", () => {
  const e = failure("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  assert.equal(e.status, 505);
  assert.equal(failure("GET / HTTP/1.2\r\n\r\n").status, 505);
  assert.equal(failure("GET / HTTP/3.0\r\n\r\n").status, 505);
  assert.equal(failure("GET / HTTP/0.9\r\n\r\n").status, 505);
  assert.equal(failure("OPTIONS * RTSP/1.0\r\n\r\n").status, 400);
  assert.equal(failure("GET / HTTP/1.10\r\n\r\n").status, 400);
});

Deno.test("HttpRequestParser rejects malformed request lines with 400", () => {
  for (
    const line of [
      "GET  / HTTP/1.1",
      " GET / HTTP/1.1",
      "GET / HTTP/1.1 ",
      "GET /",
      "G(T / HTTP/1.1",
      "GET /a\x00b HTTP/1.1",
      "GET /caf\xe9 HTTP/1.1",
      "GET relative HTTP/1.1",
      "GET * HTTP/1.1",
      "GET /a#frag HTTP/1.1",
    ]
  ) {
    const bytes = Uint8Array.from([...line + "\r\n\r\n"].map((c) => c.charCodeAt(0)));
    const error = thrown(() => new HttpRequestParser().push(bytes));
    assert.ok(error instanceof HttpError && error.status === 400, JSON.stringify(line));
  }
});

Deno.test("HttpRequestParser rejects folded lines, space before a colon and control bytes", () => {
  assert.equal(failure("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n").status, 400);
  assert.equal(failure("GET / HTTP/1.1\r\nHost : x\r\n\r\n").status, 400);
  assert.equal(failure("GET / HTTP/1.1\r\nA: b\x00c\r\n\r\n").status, 400);
  assert.equal(failure("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n").status, 400);
  assert.equal(failure("GET / HTTP/1.1\r\nNoColon\r\n\r\n").status, 400);
  assert.equal(failure("GET / HTTP/1.1\r\n: empty name\r\n\r\n").status, 400);
});

Deno.test("HttpRequestParser rejects a request with two Host headers", () => {
  assert.equal(failure("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status, 400);
});

Deno.test("HttpRequestParser answers 431 for a head above maxHeaderBytes before its end arrives", () => {
  const parser = new HttpRequestParser({ maxHeaderBytes: 1024 });
  parser.push(enc("GET / HTTP/1.1\r\n"));
  // No line end yet: the limit trips on the bytes alone, so nothing unbounded is buffered.
  const e = failure("X-Big: " + "a".repeat(1100), parser);
  assert.equal(e.status, 431);
  assert.ok(e instanceof IngestError);
  // The default is 16 KiB.
  assert.equal(failure(`GET / HTTP/1.1\r\nA: ${"b".repeat(16 * 1024)}\r\n\r\n`).status, 431);
  assert.equal(parse(`GET / HTTP/1.1\r\nA: ${"b".repeat(16 * 1024 - 40)}\r\n\r\n`).length, 1);
});

Deno.test("HttpRequestParser answers 414 for a request line above maxHeaderBytes", () => {
  const e = failure("GET /" + "a".repeat(20_000));
  assert.equal(e.status, 414);
});

Deno.test("HttpRequestParser answers 431 for more than maxHeaders header fields", () => {
  const headers = (n: number) => Array.from({ length: n }, (_, i) => `H${i}: v\r\n`).join("");
  assert.equal(parse(`GET / HTTP/1.1\r\n${headers(64)}\r\n`).length, 1);
  assert.equal(failure(`GET / HTTP/1.1\r\n${headers(65)}\r\n`).status, 431);
  const few = new HttpRequestParser({ maxHeaders: 2 });
  assert.equal(failure(`GET / HTTP/1.1\r\n${headers(3)}\r\n`, few).status, 431);
});

Deno.test("HttpRequestParser refuses a chunk size above 2^31 with 413 and bad chunk sizes with 400", () => {
  const post = "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  assert.equal(failure(post + "80000001\r\n").status, 413);
  assert.equal(failure(post + "ffffffffffffffffffffffff\r\n").status, 413);
  // 2^31 itself is allowed: the head and the first body bytes arrive.
  const parser = new HttpRequestParser();
  const events = parser.push(enc(post + "80000000\r\nabc"));
  assert.deepEqual(events.map((e) => e.kind), ["head", "body"]);
  for (const bad of ["xyz", "", "-1", "5 x", "5\x00"]) {
    assert.equal(failure(`${post}${bad}\r\nhello\r\n0\r\n\r\n`).status, 400, JSON.stringify(bad));
  }
  assert.equal(parse(post + "5 ; ext=1\r\nhello\r\n0\r\n\r\n")[0].body, "hello");
  assert.equal(parse(post + "000000000000000000005\r\nhello\r\n0\r\n\r\n")[0].body, "hello");
});

Deno.test("HttpRequestParser rejects chunk data longer than its size", () => {
  const e = failure(
    "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
  );
  assert.equal(e.status, 400);
  assert.match(e.message, /longer than its chunk size/);
});

Deno.test("HttpRequestParser bounds the chunk-size line and the trailer section", () => {
  const post = "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  assert.equal(failure(post + "5;" + "x".repeat(5000)).status, 400);
  assert.equal(failure(post + "0\r\nT: " + "x".repeat(17_000)).status, 431);
  assert.equal(failure(post + "0\r\nbad trailer\r\n\r\n").status, 400);
});

Deno.test("HttpRequestParser reports the stream offset of the offending byte", () => {
  const parser = new HttpRequestParser();
  parser.push(enc("GET / HTTP/1.1\r\n"));
  const e = failure("A: b\x00\r\n\r\n", parser);
  assert.equal(e.offset, 16 + 4);
});

Deno.test("HttpRequestParser stays failed and throws the same error again", () => {
  const parser = new HttpRequestParser();
  const first = failure("BROKEN\r\n\r\n", parser);
  assert.equal(thrown(() => parser.push(enc("GET / HTTP/1.1\r\n\r\n"))), first);
});

Deno.test("HttpRequestParser sets upgrade only for HTTP/1.1 with Connection: upgrade", () => {
  assert.equal(parse(WS_GET)[0].head.upgrade, "websocket");
  assert.equal(parse("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")[0].head.upgrade, undefined);
  assert.equal(
    parse("GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n")[0].head.upgrade,
    undefined,
  );
});

Deno.test("HttpRequestParser holds the bytes after an upgrade request for takeRemainder()", () => {
  const parser = new HttpRequestParser();
  const frame = Uint8Array.of(0x82, 0x80, 1, 2, 3, 4);
  const events = parser.push(concat(enc(WS_GET), frame));
  assert.deepEqual(events.map((e) => e.kind), ["head", "end"]);
  assert.deepEqual(parser.takeRemainder(), frame);
  // Detached: later bytes are held, not parsed as HTTP.
  assert.deepEqual(parser.push(enc("not http")), []);
  assert.equal(dec(parser.takeRemainder()), "not http");
});

Deno.test("HttpRequestParser goes on with HTTP when the server does not switch protocols", () => {
  const parser = new HttpRequestParser();
  const h2c = "GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n";
  const first = collect(parser.push(enc(h2c + "GET /next HTTP/1.1\r\n")));
  assert.equal(first.length, 1);
  assert.equal(first[0].head.upgrade, "h2c");
  const next = collect(parser.push(enc("\r\n")));
  assert.equal(next[0].head.path, "/next");
  assert.equal(next[0].ended, true);
});

Deno.test("HttpRequestParser never modifies the bytes pushed", () => {
  const chunk = enc(CHUNKED_POST);
  const copy = chunk.slice();
  new HttpRequestParser().push(chunk);
  assert.deepEqual(chunk, copy);
});

Deno.test("HttpRequestParser rejects limits that are not positive integers", () => {
  assert.throws(() => new HttpRequestParser({ maxHeaderBytes: 0 }), RangeError);
  assert.throws(() => new HttpRequestParser({ maxHeaders: 1.5 }), RangeError);
});

Deno.test("formatResponse writes the status line, headers, Content-Length and body", () => {
  const bytes = formatResponse(400, "Bad Request", { "Content-Type": "text/plain" }, enc("why\n"));
  assert.equal(
    dec(bytes),
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nwhy\n",
  );
  assert.equal(dec(formatResponse(200, "OK", {})), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
});

Deno.test("formatResponse adds no Content-Length to 101, 204 and 304 or when one is given", () => {
  assert.equal(
    dec(formatResponse(101, "Switching Protocols", { Upgrade: "websocket" })),
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
  );
  assert.equal(dec(formatResponse(204, "No Content", {})), "HTTP/1.1 204 No Content\r\n\r\n");
  assert.equal(
    dec(formatResponse(200, "OK", { "content-length": "9" })),
    "HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n",
  );
});

Deno.test("formatResponse refuses CRLF injection, bad names, bad statuses and bodies on a 204", () => {
  assert.throws(() => formatResponse(200, "OK\r\nX: y", {}), RangeError);
  assert.throws(() => formatResponse(200, "OK", { A: "b\r\nSet-Cookie: x" }), RangeError);
  assert.throws(() => formatResponse(200, "OK", { "Bad Name": "x" }), RangeError);
  assert.throws(() => formatResponse(200, "OK", { A: "\u0100" }), RangeError);
  assert.throws(() => formatResponse(99, "?", {}), RangeError);
  assert.throws(() => formatResponse(204, "No Content", {}, enc("x")), RangeError);
});

Deno.test("HttpRequestParser marks the body piece that completes each chunk", () => {
  const parser = new HttpRequestParser();
  const events = parser.push(
    enc("POST /ingest/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\nde"),
  );
  const more = parser.push(enc("fg\r\n0\r\n\r\n"));
  const bodies = [...events, ...more].flatMap((e) =>
    e.kind === "body" ? [[dec(e.data), e.chunkEnd ?? false]] : []
  );
  assert.deepEqual(bodies, [["abc", true], ["de", false], ["fg", true]]);
});

Deno.test("HttpRequestParser names the path of the request being read, until it ends", () => {
  const p = new HttpRequestParser();
  assert.equal(p.requestPath, undefined);
  p.push(enc("POST /ingest/cam%201?token=x HTTP/1.1\r\nHost: a\r\n"));
  assert.equal(p.requestPath, "/ingest/cam%201", "the query (and any token in it) left out");
  p.push(enc("Content-Length: 2\r\n\r\nab"));
  assert.equal(p.requestPath, undefined, "the request ended");
  assert.throws(() => p.push(enc("POST /ingest/cam2 HTTP/1.1\r\nHost: a\r\n\r\n")), {
    status: 411,
  });
  assert.equal(p.requestPath, "/ingest/cam2", "still there once the parser has failed");
});

Deno.test("HttpRequestParser says when a request head is part-way in", () => {
  const p = new HttpRequestParser();
  assert.equal(p.inHead, false);
  p.push(enc("\r\n"));
  assert.equal(p.inHead, true, "a blank line before the request line begins a head");
  p.push(enc("POST /ingest/cam HTTP/1.1\r\nContent-"));
  assert.equal(p.inHead, true);
  p.push(enc("Length: 4\r\n\r\nab"));
  assert.equal(p.inHead, false, "the body is not the head");
  p.push(enc("cdP"));
  assert.equal(p.inHead, true, "the next request's first byte");
  p.push(enc("OST /ingest/cam HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
  assert.equal(p.inHead, false);
});
