import assert from "node:assert/strict";
import { HeaderError } from "../../src/rtsp/header_error.ts";
import { parseRtspUrl, stripCredentials } from "../../src/rtsp/url.ts";

Deno.test("parseRtspUrl() splits the URLs real clients send", () => {
  assert.deepEqual(parseRtspUrl("rtsp://127.0.0.1:18554/stream/trackID=0"), {
    scheme: "rtsp",
    host: "127.0.0.1",
    port: 18554,
    path: "/stream/trackID=0",
    query: "",
    hasCredentials: false,
  });
  // ffmpeg may put a query before the track part (INTEROP.md).
  assert.deepEqual(parseRtspUrl("rtsp://cam/live?token=abc/trackID=1"), {
    scheme: "rtsp",
    host: "cam",
    path: "/live",
    query: "token=abc/trackID=1",
    hasCredentials: false,
  });
});

Deno.test("parseRtspUrl() handles *, IPv6 literals, empty paths and scheme case", () => {
  assert.deepEqual(parseRtspUrl("*"), { star: true });
  assert.deepEqual(parseRtspUrl("rtsp://[::1]:8554/cam"), {
    scheme: "rtsp",
    host: "[::1]",
    port: 8554,
    path: "/cam",
    query: "",
    hasCredentials: false,
  });
  assert.deepEqual(parseRtspUrl("RTSPS://[fe80::1%25eth0]"), {
    scheme: "rtsps",
    host: "[fe80::1%25eth0]",
    path: "/",
    query: "",
    hasCredentials: false,
  });
  assert.deepEqual(parseRtspUrl("rtspu://Cam.Local:"), {
    scheme: "rtspu",
    host: "Cam.Local",
    path: "/",
    query: "",
    hasCredentials: false,
  });
  const q = parseRtspUrl("rtsp://h?x=1");
  assert.ok(!("star" in q));
  assert.equal(q.path, "/");
  assert.equal(q.query, "x=1");
});

Deno.test("parseRtspUrl() reports credentials without returning them", () => {
  const u = parseRtspUrl("rtsp://admin:s3cr%40t@cam:554/live");
  assert.ok(!("star" in u));
  assert.equal(u.hasCredentials, true);
  assert.equal(u.host, "cam");
  assert.equal(u.port, 554);
  assert.doesNotMatch(JSON.stringify(u), /s3cr|admin/);
  // A raw "@" in the password: the last "@" ends the userinfo.
  const raw = parseRtspUrl("rtsp://admin:p@ss@cam/live");
  assert.ok(!("star" in raw));
  assert.equal(raw.host, "cam");
});

Deno.test("parseRtspUrl() keeps the raw path: no percent-decoding, no dot-segment removal", () => {
  const u = parseRtspUrl("rtsp://h/a/%2e%2e/b/../c%20d");
  assert.ok(!("star" in u));
  assert.equal(u.path, "/a/%2e%2e/b/../c%20d");
});

Deno.test("parseRtspUrl() rejects anything else with HeaderError 400", () => {
  const bad = [
    "",
    "**",
    "/relative/path",
    "trackID=0",
    "http://cam/live",
    "rtsp:/cam/live",
    "rtsp:cam",
    "rtsp://",
    "rtsp:///path",
    "rtsp://cam:0/live",
    "rtsp://cam:65536/live",
    "rtsp://cam:port/live",
    "rtsp://cam:-1/live",
    "rtsp://[::1/live",
    "rtsp://[::1]x/live",
    "rtsp://[zz]/live",
    "rtsp://c am/live",
    "rtsp://cam/li ve",
    "rtsp://cam/live#frag",
    "rtsp://cam/a%zz",
    "rtsp://cam/a%2",
    "rtsp://cam/a\\b",
    "rtsp://cam/a<b>",
    "rtsp://cam/\x00",
    "rtsp://cam/caf\u00e9",
    "rtsp://cam/a\r\nX: 1",
  ];
  for (const v of bad) {
    assert.throws(
      () => parseRtspUrl(v),
      (e) => e instanceof HeaderError && e.status === 400,
      JSON.stringify(v),
    );
  }
});

Deno.test("parseRtspUrl() error messages never contain a password or raw control bytes", () => {
  for (
    const v of ["rtsp://admin:hunter2@cam:99999/", "rtsp://admin:hun/ter2@cam/", "rtsp://h/\r\n"]
  ) {
    try {
      parseRtspUrl(v);
      assert.fail(`accepted ${v}`);
    } catch (e) {
      assert.ok(e instanceof HeaderError);
      assert.doesNotMatch(e.message, /hunter2|hun|ter2|[\r\n]/);
    }
  }
});

Deno.test("parseRtspUrl() only ever throws HeaderError, for every prefix of tricky URLs", () => {
  const seeds = [
    "rtsp://user:pw@[2001:db8::1]:8554/a/b?c=d",
    "rtsps://h:1/%41?x",
    "rtspu://a.b.c/",
  ];
  for (const s of seeds) {
    for (let i = 0; i <= s.length; i++) {
      try {
        parseRtspUrl(s.slice(0, i));
      } catch (e) {
        assert.ok(e instanceof HeaderError, String(e));
      }
    }
  }
});

Deno.test("stripCredentials() removes user:password@ and leaves other text alone", () => {
  assert.equal(stripCredentials("rtsp://admin:pw@cam:554/live?x=1"), "rtsp://cam:554/live?x=1");
  assert.equal(stripCredentials("rtsp://admin:p@ss@cam/live"), "rtsp://cam/live");
  assert.equal(stripCredentials("rtsp://cam/live@x"), "rtsp://cam/live@x");
  assert.equal(stripCredentials("rtsp://[::1]:8554/"), "rtsp://[::1]:8554/");
  assert.equal(stripCredentials("*"), "*");
  assert.equal(stripCredentials("not a url"), "not a url");
  assert.equal(stripCredentials(""), "");
});
