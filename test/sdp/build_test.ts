import assert from "node:assert/strict";
import {
  buildSdp,
  type SdpMediaDescription,
  type SdpSessionDescription,
} from "../../src/sdp/build.ts";
import { parseSdp } from "../../src/sdp/parse.ts";

const FMTP =
  "packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=Z0LAHtkAoC/5cBEAAAMAAQAAAwA8DxYuSA==,aMuDyyA=";

function session(over: Partial<SdpSessionDescription> = {}): SdpSessionDescription {
  return {
    sessionId: "3900000000123",
    sessionVersion: "1",
    originAddress: "192.0.2.10",
    name: "front door",
    media: [{
      kind: "video",
      payloadType: 96,
      encoding: "H264",
      clockRate: 90000,
      control: "trackID=0",
    }],
    ...over,
  };
}

function video(over: Partial<SdpMediaDescription>): SdpMediaDescription {
  return {
    kind: "video",
    payloadType: 96,
    encoding: "H264",
    clockRate: 90000,
    control: "trackID=0",
    ...over,
  };
}

Deno.test("buildSdp() writes a full H.264 + audio description exactly, with CRLF", () => {
  const sdp = buildSdp({
    sessionId: "3900000000123",
    sessionVersion: "7",
    originAddress: "192.0.2.10",
    name: "front door",
    info: "rtsp-edge test pattern",
    tool: "rtsp-edge 0.1.0",
    media: [
      video({ fmtp: FMTP, framerate: 30, width: 640, height: 360 }),
      {
        kind: "audio",
        payloadType: 97,
        encoding: "MPEG4-GENERIC",
        clockRate: 48000,
        channels: 2,
        fmtp:
          "profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190",
        control: "trackID=1",
      },
    ],
  });
  assert.equal(
    sdp,
    [
      "v=0",
      "o=- 3900000000123 7 IN IP4 192.0.2.10",
      "s=front door",
      "i=rtsp-edge test pattern",
      "c=IN IP4 0.0.0.0",
      "t=0 0",
      "a=tool:rtsp-edge 0.1.0",
      "a=range:npt=now-",
      "a=control:*",
      "m=video 0 RTP/AVP 96",
      "a=rtpmap:96 H264/90000",
      `a=fmtp:96 ${FMTP}`,
      "a=framerate:30",
      "a=framesize:96 640-360",
      "a=x-dimensions:640,360",
      "a=control:trackID=0",
      "m=audio 0 RTP/AVP 97",
      "a=rtpmap:97 MPEG4-GENERIC/48000/2",
      "a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190",
      "a=control:trackID=1",
      "",
    ].join("\r\n"),
  );
});

Deno.test("buildSdp() writes the minimum when optional fields are absent", () => {
  assert.equal(
    buildSdp(session({ media: [video({ encoding: "JPEG", payloadType: 26 })] })),
    "v=0\r\no=- 3900000000123 1 IN IP4 192.0.2.10\r\ns=front door\r\nc=IN IP4 0.0.0.0\r\n" +
      "t=0 0\r\na=range:npt=now-\r\na=control:*\r\n" +
      "m=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\na=control:trackID=0\r\n",
  );
});

Deno.test("buildSdp() uses IN IP6 and c=IN IP6 :: for an IPv6 origin", () => {
  for (
    const addr of ["::1", "2001:db8::10", "fe80::1:2:3:4", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8"]
  ) {
    const sdp = buildSdp(session({ originAddress: addr }));
    assert.ok(sdp.includes(`\r\no=- 3900000000123 1 IN IP6 ${addr}\r\n`), addr);
    assert.ok(sdp.includes("\r\nc=IN IP6 ::\r\n"), addr);
  }
});

Deno.test("buildSdp() never puts a multicast address in c=, even for a multicast origin", () => {
  const sdp = buildSdp(session({ originAddress: "239.255.0.1" }));
  assert.deepEqual(sdp.split("\r\n").filter((l) => l.startsWith("c=")), ["c=IN IP4 0.0.0.0"]);
});

Deno.test("buildSdp() writes a=framerate as an integer or with at most 3 decimals", () => {
  const rate = (framerate: number) =>
    buildSdp(session({ media: [video({ framerate })] })).split("\r\n").find((l) =>
      l.startsWith("a=framerate:")
    );
  assert.equal(rate(25), "a=framerate:25");
  assert.equal(rate(30000 / 1001), "a=framerate:29.97");
  assert.equal(rate(24000 / 1001), "a=framerate:23.976");
  assert.equal(rate(12.5), "a=framerate:12.5");
  assert.equal(rate(0.5), "a=framerate:0.5");
  assert.equal(rate(59.9999), "a=framerate:60");
});

Deno.test("buildSdp() writes s=<space> for an empty session name (RFC 4566 §5.3)", () => {
  assert.ok(buildSdp(session({ name: "" })).includes("\r\ns= \r\n"));
});

Deno.test("buildSdp() rejects CR, LF or NUL in any string with a TypeError", () => {
  for (const bad of ["a\r\nm=audio 0 RTP/AVP 0", "a\nb", "a\rb", "a\0b"]) {
    assert.throws(() => buildSdp(session({ name: bad })), TypeError);
    assert.throws(() => buildSdp(session({ info: bad })), TypeError);
    assert.throws(() => buildSdp(session({ tool: bad })), TypeError);
    assert.throws(() => buildSdp(session({ media: [video({ fmtp: bad })] })), TypeError);
    assert.throws(() => buildSdp(session({ media: [video({ control: bad })] })), TypeError);
    assert.throws(() => buildSdp(session({ media: [video({ encoding: bad })] })), TypeError);
  }
});

Deno.test("buildSdp() rejects session ids and versions that are not decimal digits", () => {
  for (const bad of ["", "12a", "-1", "1.5", " 1", "123456789012345678901"]) {
    assert.throws(() => buildSdp(session({ sessionId: bad })), /sessionId must be/);
    assert.throws(() => buildSdp(session({ sessionVersion: bad })), /sessionVersion must be/);
  }
});

Deno.test("buildSdp() rejects an origin that is not an IP literal", () => {
  for (
    const bad of [
      "localhost",
      "192.0.2.256",
      "192.0.2",
      "[::1]",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "::1%eth0",
      "01.2.3.4",
      "",
    ]
  ) {
    assert.throws(() => buildSdp(session({ originAddress: bad })), TypeError, bad);
  }
});

Deno.test("buildSdp() rejects out-of-range numbers with a RangeError", () => {
  const bad: Partial<SdpMediaDescription>[] = [
    { payloadType: 128 },
    { payloadType: -1 },
    { payloadType: 96.5 },
    { clockRate: 0 },
    { clockRate: 2 ** 32 },
    { channels: 0 },
    { framerate: 0 },
    { framerate: NaN },
    { framerate: Infinity },
    { width: 0, height: 360 },
    { width: 640, height: 1.5 },
  ];
  for (const over of bad) {
    assert.throws(
      () => buildSdp(session({ media: [video(over)] })),
      RangeError,
      JSON.stringify(over),
    );
  }
});

Deno.test("buildSdp() rejects a bad kind, encoding or control, and a width without a height", () => {
  const bad: Partial<SdpMediaDescription>[] = [
    { kind: "text" as "video" },
    { encoding: "H264/90000" },
    { encoding: "" },
    { control: "" },
    { control: "track 1" },
    { width: 640 },
    { height: 360 },
  ];
  for (const over of bad) {
    assert.throws(
      () => buildSdp(session({ media: [video(over)] })),
      TypeError,
      JSON.stringify(over),
    );
  }
});

Deno.test("parseSdp() reads back what buildSdp() writes", () => {
  const desc = session({
    info: "info",
    tool: "rtsp-edge",
    media: [
      video({ fmtp: FMTP, framerate: 29.97, width: 1920, height: 1080 }),
      {
        kind: "audio",
        payloadType: 8,
        encoding: "PCMA",
        clockRate: 8000,
        channels: 1,
        control: "trackID=1",
      },
    ],
  });
  const sdp = parseSdp(buildSdp(desc));
  assert.deepEqual(sdp.origin, {
    username: "-",
    sessionId: desc.sessionId,
    sessionVersion: "1",
    netType: "IN",
    addrType: "IP4",
    address: "192.0.2.10",
  });
  assert.equal(sdp.name, "front door");
  assert.equal(sdp.info, "info");
  assert.equal(sdp.control, "*");
  assert.equal(sdp.range, "npt=now-");
  assert.deepEqual(sdp.connection, { netType: "IN", addrType: "IP4", address: "0.0.0.0" });
  assert.equal(sdp.media.length, 2);
  const [v, a] = sdp.media;
  assert.deepEqual([v.kind, v.port, v.protocol, v.formats], ["video", 0, "RTP/AVP", ["96"]]);
  assert.deepEqual(v.rtpmap.get(96), { encoding: "H264", clockRate: 90000 });
  assert.equal(v.fmtp.get(96), FMTP);
  assert.equal(v.control, "trackID=0");
  assert.deepEqual(
    v.attributes.filter(([n]) => n === "framerate" || n.includes("dim") || n === "framesize"),
    [
      ["framerate", "29.97"],
      ["framesize", "96 1920-1080"],
      ["x-dimensions", "1920,1080"],
    ],
  );
  assert.deepEqual(a.rtpmap.get(8), { encoding: "PCMA", clockRate: 8000, channels: 1 });
  assert.equal(a.control, "trackID=1");
});
