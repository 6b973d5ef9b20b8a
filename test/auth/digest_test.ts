import assert from "node:assert/strict";
import { parseAuthorization } from "../../src/auth/authorization.ts";
import {
  constantTimeEqual,
  digestHa1,
  digestResponse,
  digestUriMatches,
  verifyDigest,
} from "../../src/auth/digest.ts";

Deno.test("verifyDigest() accepts the RFC 2617 §3.5 example (qop=auth)", () => {
  const c = parseAuthorization(
    'Digest username="Mufasa", realm="testrealm@host.com", ' +
      'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, ' +
      'nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", ' +
      'opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  );
  assert.equal(c.scheme, "digest");
  if (c.scheme !== "digest") return;
  const ha1 = digestHa1("Mufasa", "testrealm@host.com", "Circle Of Life");
  assert.ok(verifyDigest(c, ha1, "GET"));
  assert.ok(!verifyDigest(c, ha1, "POST"), "the method is covered");
  assert.ok(!verifyDigest(c, digestHa1("Mufasa", "testrealm@host.com", "circle of life"), "GET"));
});

Deno.test("verifyDigest() accepts an RFC 2069 response without qop (GStreamer, live555)", () => {
  const ha1 = digestHa1("alice", "rtsp-edge", "pw");
  const uri = "rtsp://h/stream";
  const response = digestResponse({ ha1, method: "DESCRIBE", uri, nonce: "n" });
  const creds = { username: "alice", realm: "rtsp-edge", nonce: "n", uri, response };
  assert.ok(verifyDigest(creds, ha1, "DESCRIBE"));
  assert.ok(verifyDigest({ ...creds, response: response.toUpperCase() }, ha1, "DESCRIBE"));
  assert.ok(!verifyDigest({ ...creds, nonce: "m" }, ha1, "DESCRIBE"));
});

Deno.test("constantTimeEqual() tells equal strings from different ones of any length", () => {
  assert.ok(constantTimeEqual("abc", "abc"));
  assert.ok(constantTimeEqual("", ""));
  assert.ok(!constantTimeEqual("abc", "abd"));
  assert.ok(!constantTimeEqual("abc", "ab"));
  assert.ok(!constantTimeEqual("", "a"));
  assert.ok(!constantTimeEqual("a", ""));
});

Deno.test("digestUriMatches() takes the request URI, the aggregate URL and VLC's trailing slash", () => {
  const track = "rtsp://h:8554/cam/trackID=0";
  const base = "rtsp://h:8554/cam";
  assert.ok(digestUriMatches(track, track, base));
  assert.ok(digestUriMatches("rtsp://h:8554/cam/", track, base), "VLC SETUP: base with a slash");
  assert.ok(digestUriMatches(base, track, base));
  assert.ok(digestUriMatches("/cam/trackID=0", track, base), "abs_path form");
  assert.ok(digestUriMatches("rtsp://h:8554/cam", "rtsp://u:p@h:8554/cam"), "credentials stripped");
});

Deno.test("digestUriMatches() refuses another path, host, track or query", () => {
  const track = "rtsp://h:8554/cam/trackID=0";
  const base = "rtsp://h:8554/cam";
  assert.ok(!digestUriMatches("rtsp://h:8554/other", track, base));
  assert.ok(!digestUriMatches("rtsp://x:8554/cam", track, base));
  assert.ok(!digestUriMatches("rtsp://h:8554/cam/trackID=1", track, base));
  assert.ok(!digestUriMatches("rtsp://h:8554/cam?a=1", track, base));
  assert.ok(!digestUriMatches("/other", track, base));
  assert.ok(!digestUriMatches("", track, base));
});
