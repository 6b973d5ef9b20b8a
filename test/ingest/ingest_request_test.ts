import assert from "node:assert/strict";
import { IngestError } from "../../src/ingest/errors.ts";
import type { HttpRequestHead } from "../../src/ingest/http_request.ts";
import { type IngestPathPolicy, planIngest } from "../../src/ingest/ingest_request.ts";

const POLICY: IngestPathPolicy = {
  jpeg: "h264",
  replace: false,
  bitrate: 1_000_000,
  gop: 30,
  maxFrameBytes: 1 << 20,
};

function head(path: string): HttpRequestHead {
  return {
    method: "POST",
    target: path,
    path,
    query: Object.create(null),
    version: "HTTP/1.1",
    headers: Object.assign(Object.create(null), { "content-type": "image/jpeg" }),
    contentLength: 10,
    chunked: false,
  };
}

Deno.test("planIngest() takes the path names the RTSP side and the config take, and no others", () => {
  assert.equal(planIngest(head("/ingest/garden/cam.2"), () => POLICY).path, "/garden/cam.2");
  for (
    const bad of ["/ingest/..", "/ingest/a/./b", "/ingest/cam%3A1", "/ingest//x", "/ingest/a/"]
  ) {
    assert.throws(
      () => planIngest(head(bad), () => POLICY),
      (e) => e instanceof IngestError && e.status === 404 && /is not a path name/.test(e.message),
      bad,
    );
  }
});
