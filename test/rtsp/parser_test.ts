import assert from "node:assert/strict";
import { DEFAULT_LIMITS, ParseError, RtspParser } from "../../src/rtsp/parser.ts";
import {
  byteByByte,
  bytes,
  concat,
  drain,
  parseChunks,
  parseWhole,
  splitAt,
  testdata,
  testdataMessages,
} from "./_helpers.ts";

const RESPONSE_FILES = new Set([
  "ffmpeg_listen_responses.txt",
  "live555_describe_response.txt",
  "live555_setup_response.txt",
]);

function frame(channel: number, payload: number[]): Uint8Array {
  return Uint8Array.from([0x24, channel, payload.length >> 8, payload.length & 0xff, ...payload]);
}

Deno.test("DEFAULT_LIMITS holds the HARDENING.md defaults", () => {
  assert.deepEqual({ ...DEFAULT_LIMITS }, {
    requestLine: 4096,
    method: 64,
    url: 2048,
    headerLine: 4096,
    headers: 16384,
    headerCount: 255,
    body: 131072,
  });
});

Deno.test("RtspParser parses every captured request file as exactly one request", () => {
  for (const name of testdataMessages()) {
    if (RESPONSE_FILES.has(name)) continue;
    const events = parseWhole(testdata(name));
    assert.equal(events.length, 1, name);
    assert.equal(events[0].kind, "request", name);
    assert.equal(events[0].version, "RTSP/1.0", name);
  }
});

Deno.test("RtspParser reads ffmpeg's SETUP over TCP field by field", () => {
  const [e] = parseWhole(testdata("ffmpeg_setup_tcp.txt"));
  assert.equal(e.method, "SETUP");
  assert.match(e.url as string, /^rtsp:\/\/127\.0\.0\.1:\d+\/stream\/trackID=0$/);
  assert.deepEqual(e.headers, [
    ["Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"],
    ["CSeq", "3"],
    ["User-Agent", "Lavf59.27.100"],
  ]);
  assert.deepEqual(e.body, []);
});

Deno.test("RtspParser returns ffmpeg's ANNOUNCE SDP as the body", () => {
  const input = testdata("ffmpeg_announce.txt");
  const parser = new RtspParser();
  parser.feed(input);
  const e = parser.next();
  assert.equal(e.kind, "request");
  if (e.kind !== "request") return;
  assert.equal(e.request.headers.get("content-length"), "298");
  assert.equal(e.request.body.length, 298);
  assert.ok(new TextDecoder().decode(e.request.body).startsWith("v=0\r\n"));
  assert.equal(parser.next().kind, "need-more");
});

Deno.test("RtspParser parses responses, including a body and ffmpeg's listen-mode replies", () => {
  const [describe] = parseWhole(testdata("live555_describe_response.txt"));
  assert.equal(describe.kind, "response");
  assert.equal(describe.status, 200);
  assert.equal(describe.reason, "OK");
  assert.ok((describe.body as number[]).length > 100);

  const replies = parseWhole(testdata("ffmpeg_listen_responses.txt"));
  assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200, 501]);
  assert.equal(replies[4].reason, "Not Implemented");
  assert.deepEqual(replies[4].headers, []);
});

Deno.test("RtspParser accepts a status line without a reason phrase", () => {
  const events = parseWhole(bytes("RTSP/1.0 200\r\nCSeq: 1\r\n\r\nRTSP/1.0 404 \r\n\r\n"));
  assert.deepEqual(events.map((e) => [e.status, e.reason]), [[200, ""], [404, ""]]);
});

Deno.test("RtspParser gives the same events for every file split at every byte position", () => {
  const files = [...testdataMessages(), "ffmpeg_publish_tcp_stream.bin"];
  for (const name of files) {
    const input = testdata(name);
    const whole = parseWhole(input);
    for (let at = 0; at <= input.length; at++) {
      assert.deepEqual(parseChunks(splitAt(input, at)), whole, `${name} split at ${at}`);
    }
    assert.deepEqual(parseChunks(byteByByte(input)), whole, `${name} byte by byte`);
  }
});

Deno.test("RtspParser parses every captured message back to back in one chunk", () => {
  const names = testdataMessages();
  const all = concat(...names.map(testdata));
  const events = parseWhole(all);
  const expected = names.flatMap((n) => parseWhole(testdata(n)));
  assert.deepEqual(events, expected);
  assert.ok(events.length > names.length); // ffmpeg_listen_responses holds five
});

Deno.test("RtspParser separates requests and interleaved frames in ffmpeg's publish stream", () => {
  const events = parseWhole(testdata("ffmpeg_publish_tcp_stream.bin"));
  const kinds = events.map((e) => e.kind === "request" ? e.method : e.kind);
  assert.deepEqual(kinds.slice(0, 4), ["OPTIONS", "ANNOUNCE", "SETUP", "RECORD"]);
  assert.equal(kinds.at(-1), "TEARDOWN");
  const frames = events.filter((e) => e.kind === "interleaved");
  assert.ok(frames.length >= 10);
  for (const f of frames) {
    assert.ok(f.channel === 0 || f.channel === 1);
    const payload = f.payload as number[];
    assert.equal(payload[0] >> 6, 2, "every payload is RTP/RTCP version 2");
  }
});

Deno.test("RtspParser returns interleaved frames mixed between requests, including empty ones", () => {
  const input = concat(
    frame(0, [1, 2, 3]),
    bytes("GET_PARAMETER rtsp://h/s RTSP/1.0\r\nCSeq: 9\r\n\r\n"),
    frame(1, []),
    frame(255, Array.from({ length: 300 }, (_, i) => i & 0xff)),
    bytes("\r\nTEARDOWN rtsp://h/s RTSP/1.0\r\nCSeq: 10\r\n\r\n"),
  );
  const whole = parseWhole(input);
  assert.deepEqual(
    whole.map((e) => e.kind === "interleaved" ? `$${e.channel}` : e.method),
    ["$0", "GET_PARAMETER", "$1", "$255", "TEARDOWN"],
  );
  assert.deepEqual(whole[0].payload, [1, 2, 3]);
  assert.deepEqual(whole[2].payload, []);
  assert.equal((whole[3].payload as number[]).length, 300);
  for (let at = 0; at <= input.length; at++) {
    assert.deepEqual(parseChunks(splitAt(input, at)), whole, `split at ${at}`);
  }
  assert.deepEqual(parseChunks(byteByByte(input)), whole);
});

Deno.test("RtspParser accepts bare LF line ends and skips empty lines between messages", () => {
  const crlf = parseWhole(bytes("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"));
  const lf = parseWhole(bytes("\n\r\n\nOPTIONS * RTSP/1.0\nCSeq: 1\n\n\r\n"));
  assert.deepEqual(lf, crlf);
});

Deno.test("RtspParser trims white space around header values and keeps name casing", () => {
  const [e] = parseWhole(bytes("OPTIONS * RTSP/1.0\r\ncseq:\t 7 \t\r\nX-Empty:\r\n\r\n"));
  assert.deepEqual(e.headers, [["cseq", "7"], ["X-Empty", ""]]);
});

Deno.test("RtspParser decodes UTF-8 header values and replaces invalid bytes", () => {
  const input = concat(
    bytes("OPTIONS * RTSP/1.0\r\nUser-Agent: caméra\r\nX-Bad: "),
    Uint8Array.of(0xff, 0xfe),
    bytes("\r\n\r\n"),
  );
  const [e] = parseWhole(input);
  assert.deepEqual(e.headers, [["User-Agent", "caméra"], ["X-Bad", "\ufffd\ufffd"]]);
});

Deno.test("RtspParser never mutates the chunks it is fed", () => {
  for (const name of [...testdataMessages(), "ffmpeg_publish_tcp_stream.bin"]) {
    const input = testdata(name);
    const before = input.slice();
    const parser = new RtspParser();
    for (let at = 0; at < input.length; at += 7) {
      parser.feed(input.subarray(at, at + 7));
      drain(parser);
    }
    assert.deepEqual(input, before, name);
  }
});

Deno.test("RtspParser copies fed bytes, so the caller may reuse its read buffer at once", () => {
  const input = bytes("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n");
  const readBuffer = input.slice();
  const parser = new RtspParser();
  parser.feed(readBuffer.subarray(0, 10));
  readBuffer.fill(0x41, 0, 10); // the socket overwrote its buffer
  parser.feed(readBuffer.subarray(10));
  const [e] = drain(parser);
  assert.equal(e.kind, "request");
  if (e.kind === "request") assert.equal(e.request.method, "OPTIONS");
});

Deno.test("RtspParser payload and body views stay unchanged while more bytes are fed", () => {
  const parser = new RtspParser();
  parser.feed(frame(3, [9, 8, 7, 6]));
  const first = parser.next();
  assert.equal(first.kind, "interleaved");
  if (first.kind !== "interleaved") return;
  parser.feed(
    bytes("ANNOUNCE rtsp://h/s RTSP/1.0\r\nCSeq: 2\r\nContent-Length: 5\r\n\r\nhello"),
  );
  const announce = parser.next();
  // Push enough through to force compaction and growth of the internal buffer.
  for (let i = 0; i < 200; i++) {
    parser.feed(frame(0, Array.from({ length: 1000 }, () => i & 0xff)));
    const e = parser.next();
    assert.equal(e.kind, "interleaved");
  }
  assert.deepEqual(Array.from(first.payload), [9, 8, 7, 6]);
  assert.equal(announce.kind, "request");
  if (announce.kind === "request") {
    assert.equal(new TextDecoder().decode(announce.request.body), "hello");
  }
});

Deno.test("RtspParser reports need-more and bufferedBytes for a partial message", () => {
  const parser = new RtspParser();
  assert.equal(parser.next().kind, "need-more");
  parser.feed(bytes("DESCRIBE rtsp://h/s RTSP/1.0\r\nCSeq: 2\r\n"));
  assert.equal(parser.next().kind, "need-more");
  parser.feed(bytes("\r\n$\x00\x00"));
  assert.equal(parser.next().kind, "request");
  assert.equal(parser.next().kind, "need-more");
  assert.equal(parser.bufferedBytes, 3);
  parser.feed(Uint8Array.of(0x01, 0xaa));
  assert.equal(parser.next().kind, "interleaved");
  assert.equal(parser.bufferedBytes, 0);
});

Deno.test("RtspParser stays in the error state after an error and drops what it buffered", () => {
  const parser = new RtspParser();
  parser.feed(bytes(" OPTIONS * RTSP/1.0\r\n\r\nOPTIONS * RTSP/1.0\r\n\r\n"));
  const first = parser.next();
  assert.equal(first.kind, "error");
  parser.feed(bytes("OPTIONS * RTSP/1.0\r\n\r\n"));
  const second = parser.next();
  assert.equal(second.kind, "error");
  if (first.kind === "error" && second.kind === "error") {
    assert.equal(second.error, first.error);
    assert.ok(first.error instanceof ParseError);
  }
  assert.equal(parser.bufferedBytes, 0);
});

Deno.test("RtspParser parses a body of exactly the limit fed one byte at a time", () => {
  const body = new Uint8Array(DEFAULT_LIMITS.body).fill(0x61);
  const input = concat(
    bytes(`SET_PARAMETER rtsp://h/s RTSP/1.0\r\nContent-Length: ${body.length}\r\n\r\n`),
    body,
  );
  const parser = new RtspParser();
  const events = [];
  for (let i = 0; i < input.length; i++) {
    parser.feed(input.subarray(i, i + 1));
    events.push(...drain(parser));
  }
  assert.equal(events.length, 1);
  assert.equal(events[0].kind, "request");
  if (events[0].kind === "request") assert.equal(events[0].request.body.length, body.length);
});

Deno.test("RtspParser honours custom limits and rejects non-positive ones", () => {
  const events = parseWhole(bytes("OPTIONS * RTSP/1.0\r\nA: 1\r\nB: 2\r\n\r\n"), {
    headerCount: 1,
  });
  assert.equal(events[0].kind, "error");
  assert.throws(() => new RtspParser({ body: 0 }), RangeError);
  assert.throws(() => new RtspParser({ url: 1.5 }), RangeError);
  assert.doesNotThrow(() => new RtspParser({ body: undefined }));
});

Deno.test("RtspParser.midMessage is true only while a message or frame is incomplete", () => {
  const parser = new RtspParser();
  assert.equal(parser.midMessage, false);
  parser.feed(bytes("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n"));
  assert.equal(parser.next().kind, "need-more");
  assert.equal(parser.midMessage, true);
  parser.feed(bytes("\r\n"));
  assert.equal(parser.next().kind, "request");
  assert.equal(parser.next().kind, "need-more");
  assert.equal(parser.midMessage, false);
  parser.feed(Uint8Array.of(0x24, 0));
  assert.equal(parser.next().kind, "need-more");
  assert.equal(parser.midMessage, true);
  parser.feed(Uint8Array.of(0, 0));
  assert.equal(parser.next().kind, "interleaved");
  assert.equal(parser.midMessage, false);
});
