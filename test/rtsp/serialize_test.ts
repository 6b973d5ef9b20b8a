import assert from "node:assert/strict";
import { RtspHeaders } from "../../src/rtsp/headers.ts";
import { RtspParser } from "../../src/rtsp/parser.ts";
import { formatRequest, formatResponse } from "../../src/rtsp/serialize.ts";
import { bytes, drain, testdata, testdataMessages } from "./_helpers.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("formatRequest() and formatResponse() reproduce every captured message byte for byte", () => {
  for (const name of testdataMessages()) {
    const input = testdata(name);
    const parser = new RtspParser();
    parser.feed(input);
    const out = drain(parser).map((e) => {
      if (e.kind === "request") return formatRequest(e.request);
      if (e.kind === "response") return formatResponse(e.response);
      throw new Error(`unexpected ${e.kind}`);
    });
    assert.equal(text(out.reduce((a, b) => new Uint8Array([...a, ...b]))), text(input), name);
  }
});

Deno.test("formatResponse() fills an empty reason from STATUS_TEXT", () => {
  const res = {
    status: 461,
    reason: "",
    version: "RTSP/1.0",
    headers: new RtspHeaders({ CSeq: "3" }),
    body: new Uint8Array(0),
  };
  assert.equal(text(formatResponse(res)), "RTSP/1.0 461 Unsupported transport\r\nCSeq: 3\r\n\r\n");
  assert.equal(text(formatResponse({ ...res, status: 299 })), "RTSP/1.0 299 \r\nCSeq: 3\r\n\r\n");
});

Deno.test("formatRequest() computes Content-Length from the body and ignores a stale one", () => {
  const req = {
    method: "SET_PARAMETER",
    url: "rtsp://h/s",
    version: "RTSP/1.0",
    headers: new RtspHeaders([["CSeq", "4"], ["Content-Length", "999"]]),
    body: bytes("a: b\r\n"),
  };
  assert.equal(
    text(formatRequest(req)),
    "SET_PARAMETER rtsp://h/s RTSP/1.0\r\nCSeq: 4\r\nContent-Length: 6\r\n\r\na: b\r\n",
  );
  assert.equal(
    text(formatRequest({ ...req, body: new Uint8Array(0) })),
    "SET_PARAMETER rtsp://h/s RTSP/1.0\r\nCSeq: 4\r\n\r\n",
  );
});

Deno.test("formatRequest() output parses back to the same request", () => {
  const req = {
    method: "ANNOUNCE",
    url: "rtsp://[::1]:8554/pub?x=1",
    version: "RTSP/1.0",
    headers: new RtspHeaders([["CSeq", "2"], ["Content-Type", "application/sdp"]]),
    body: bytes("v=0\r\n"),
  };
  const parser = new RtspParser();
  parser.feed(formatRequest(req));
  const e = parser.next();
  assert.equal(e.kind, "request");
  if (e.kind !== "request") return;
  assert.equal(e.request.method, req.method);
  assert.equal(e.request.url, req.url);
  assert.deepEqual([...e.request.headers], [...req.headers, ["Content-Length", "5"]]);
  assert.equal(text(e.request.body), "v=0\r\n");
});

Deno.test("formatRequest() and formatResponse() refuse start lines that would break framing", () => {
  const base = {
    method: "OPTIONS",
    url: "*",
    version: "RTSP/1.0",
    headers: new RtspHeaders(),
    body: new Uint8Array(0),
  };
  assert.throws(() => formatRequest({ ...base, method: "OPT IONS" }), TypeError);
  assert.throws(() => formatRequest({ ...base, method: "" }), TypeError);
  assert.throws(() => formatRequest({ ...base, url: "rtsp://h/a b" }), TypeError);
  assert.throws(() => formatRequest({ ...base, url: "rtsp://h/\r\nX: 1" }), TypeError);
  assert.throws(() => formatRequest({ ...base, url: "" }), TypeError);
  assert.throws(() => formatRequest({ ...base, version: "RTSP/1.0\r\n" }), TypeError);
  const res = {
    status: 200,
    reason: "OK",
    version: "RTSP/1.0",
    headers: base.headers,
    body: base.body,
  };
  assert.throws(() => formatResponse({ ...res, reason: "OK\r\nX: 1" }), TypeError);
  assert.throws(() => formatResponse({ ...res, status: 20 }), TypeError);
  assert.throws(() => formatResponse({ ...res, status: 200.5 }), TypeError);
  assert.throws(() => formatResponse({ ...res, version: "HTTP 1.1" }), TypeError);
});
