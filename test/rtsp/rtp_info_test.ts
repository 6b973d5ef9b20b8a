import assert from "node:assert/strict";
import { HeaderError } from "../../src/rtsp/header_error.ts";
import { formatRtpInfo, parseRtpInfo, type RtpInfoEntry } from "../../src/rtsp/rtp_info.ts";

const cases: [string, RtpInfoEntry[]][] = [
  ["url=rtsp://h/s/trackID=0;seq=1;rtptime=0", [{
    url: "rtsp://h/s/trackID=0",
    seq: 1,
    rtptime: 0,
  }]],
  [
    "url=rtsp://h/s/trackID=0;seq=65535;rtptime=4294967295,url=rtsp://h/s/trackID=1;seq=0",
    [
      { url: "rtsp://h/s/trackID=0", seq: 65535, rtptime: 4294967295 },
      { url: "rtsp://h/s/trackID=1", seq: 0 },
    ],
  ],
  ["url=rtsp://h/s", [{ url: "rtsp://h/s" }]],
];

Deno.test("formatRtpInfo() writes url;seq;rtptime entries separated by commas", () => {
  for (const [text, entries] of cases) assert.equal(formatRtpInfo(entries), text);
});

Deno.test("parseRtpInfo() round-trips formatRtpInfo()", () => {
  for (const [text, entries] of cases) assert.deepEqual(parseRtpInfo(text), entries, text);
});

Deno.test("parseRtpInfo() tolerates spaces, quoted URLs, unknown parameters and ; or , in URLs", () => {
  assert.deepEqual(
    parseRtpInfo(' url="rtsp://h/a" ; seq = 5 ; ssrc=1234 ; rtptime=9 , url=rtsp://h/b;seq=6'),
    [{ url: "rtsp://h/a", seq: 5, rtptime: 9 }, { url: "rtsp://h/b", seq: 6 }],
  );
  assert.deepEqual(parseRtpInfo("url=rtsp://h/a;b=1,2;seq=3"), [{
    url: "rtsp://h/a;b=1,2",
    seq: 3,
  }]);
});

Deno.test("parseRtpInfo() rejects entries without url or with bad numbers", () => {
  for (
    const v of [
      "seq=1",
      "url=;seq=1",
      "url=rtsp://h/a;seq=65536",
      "url=rtsp://h/a;seq=-1",
      "url=rtsp://h/a;rtptime=4294967296",
      "url=rtsp://h/a;seq=x",
    ]
  ) {
    assert.throws(
      () => parseRtpInfo(v),
      (e) => e instanceof HeaderError && e.status === 400,
      v,
    );
  }
});

Deno.test("formatRtpInfo() refuses out-of-range numbers and unsafe URLs", () => {
  assert.throws(() => formatRtpInfo([{ url: "rtsp://h/a", seq: 65536 }]), RangeError);
  assert.throws(() => formatRtpInfo([{ url: "rtsp://h/a", rtptime: -1 }]), RangeError);
  assert.throws(() => formatRtpInfo([{ url: "rtsp://h/a b" }]), TypeError);
  assert.throws(() => formatRtpInfo([{ url: "rtsp://h/a\r\nX: 1" }]), TypeError);
});
