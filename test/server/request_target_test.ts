import assert from "node:assert/strict";
import { contentBase, normalizePath, parseRequestTarget } from "../../src/server/request_target.ts";
import { RtspError } from "../../src/rtsp/status.ts";

Deno.test("parseRequestTarget() reads the three track URL layouts and the aggregate", () => {
  const cases: [string, string, number | undefined][] = [
    ["rtsp://h:8554/stream/trackID=0", "/stream", 0],
    ["rtsp://h:8554/stream?token=abc/trackID=0", "/stream", 0],
    ["rtsp://h:8554/a/b/trackID=2", "/a/b", 2],
    ["rtsp://h:8554/stream", "/stream", undefined],
    ["rtsp://h:8554/stream/", "/stream", undefined],
    ["rtsp://user:pw@[::1]:8554/stream?x=1", "/stream", undefined],
    ["rtsp://h", "/", undefined],
  ];
  for (const [url, path, track] of cases) {
    assert.deepEqual(parseRequestTarget(url), { path, track }, url);
  }
});

Deno.test("parseRequestTarget() refuses *, non-RTSP URLs and dot segments with 400", () => {
  for (const url of ["*", "http://h/stream", "rtsp://h/../etc", "garbage", ""]) {
    assert.throws(
      () => parseRequestTarget(url),
      (e) => e instanceof RtspError && e.status === 400,
      url,
    );
  }
});

Deno.test("normalizePath() keeps one spelling and rejects what cannot name a stream", () => {
  assert.equal(normalizePath("/stream/"), "/stream");
  assert.equal(normalizePath("//cam//1/"), "/cam/1");
  assert.equal(normalizePath("/"), "/");
  for (const bad of ["stream", "/a/../b", "/a b", "/a?b"]) {
    assert.throws(() => normalizePath(bad), RangeError, bad);
  }
});

Deno.test("contentBase() ends in / and carries no credentials", () => {
  assert.equal(contentBase("rtsp://u:p@h:8554/stream"), "rtsp://h:8554/stream/");
  assert.equal(contentBase("rtsp://h/stream/"), "rtsp://h/stream/");
  assert.equal(contentBase("rtsp://h/stream?t=1"), "rtsp://h/stream?t=1/");
});
