import assert from "node:assert/strict";
import { HeaderError } from "../../src/rtsp/header_error.ts";
import {
  formatTransport,
  formatTransports,
  parseTransport,
  type TransportSpec,
} from "../../src/rtsp/transport.ts";
import { RtspParser } from "../../src/rtsp/parser.ts";
import { testdata } from "./_helpers.ts";

const spec = (fields: Partial<TransportSpec>): TransportSpec => ({
  protocol: "RTP",
  profile: "AVP",
  lowerTransport: "UDP",
  extra: [],
  ...fields,
});

function transportOf(file: string): string {
  const parser = new RtspParser();
  parser.feed(testdata(file));
  const e = parser.next();
  if (e.kind === "request") return e.request.headers.get("Transport")!;
  if (e.kind === "response") return e.response.headers.get("Transport")!;
  throw new Error(`no message in ${file}`);
}

// [header value, parsed specs, canonical formatted form]
const cases: [string, TransportSpec[], string][] = [
  [
    transportOf("ffmpeg_setup_tcp.txt"), // RTP/AVP/TCP;unicast;interleaved=0-1
    [spec({ lowerTransport: "TCP", delivery: "unicast", interleaved: [0, 1] })],
    "RTP/AVP/TCP;unicast;interleaved=0-1",
  ],
  [
    transportOf("ffmpeg_setup_udp.txt"), // RTP/AVP/UDP;unicast;client_port=12092-12093
    [spec({ delivery: "unicast", clientPort: [12092, 12093] })],
    "RTP/AVP;unicast;client_port=12092-12093",
  ],
  [
    transportOf("gstreamer_setup_udp.txt"), // RTP/AVP;unicast;client_port=58718-58719
    [spec({ delivery: "unicast", clientPort: [58718, 58719] })],
    "RTP/AVP;unicast;client_port=58718-58719",
  ],
  [
    transportOf("ffmpeg_setup_record.txt"),
    [spec({ lowerTransport: "TCP", delivery: "unicast", interleaved: [0, 1], mode: ["RECORD"] })],
    "RTP/AVP/TCP;unicast;interleaved=0-1;mode=RECORD",
  ],
  [
    transportOf("live555_setup_response.txt"),
    [spec({
      delivery: "unicast",
      destination: "192.168.1.30",
      source: "192.168.1.20",
      clientPort: [50862, 50863],
      serverPort: [6970, 6971],
    })],
    "RTP/AVP;unicast;destination=192.168.1.30;source=192.168.1.20;client_port=50862-50863;server_port=6970-6971",
  ],
  [
    'RTP/AVP;unicast;client_port=3456-3457;mode="PLAY", RTP/AVP/TCP;unicast;interleaved=0-1',
    [
      spec({ delivery: "unicast", clientPort: [3456, 3457], mode: ["PLAY"] }),
      spec({ lowerTransport: "TCP", delivery: "unicast", interleaved: [0, 1] }),
    ],
    "RTP/AVP;unicast;client_port=3456-3457;mode=PLAY",
  ],
  [
    "RTP/AVP;multicast;destination=225.219.201.15;port=7000-7001;ttl=127",
    [spec({ delivery: "multicast", destination: "225.219.201.15", port: [7000, 7001], ttl: 127 })],
    "RTP/AVP;multicast;destination=225.219.201.15;port=7000-7001;ttl=127",
  ],
  [
    'rtp/avp/tcp; Unicast; INTERLEAVED = 2-3 ;Mode="play, record";append',
    [spec({
      lowerTransport: "TCP",
      delivery: "unicast",
      interleaved: [2, 3],
      mode: ["PLAY", "RECORD"],
      append: true,
    })],
    'RTP/AVP/TCP;unicast;interleaved=2-3;mode="PLAY,RECORD";append',
  ],
  [
    // gortsplib's cases: single ports, short SSRC from cameras.
    "RTP/AVP/UDP;unicast;server_port=8052;client_port=14186;ssrc=0B6020AD;mode=PLAY",
    [spec({
      delivery: "unicast",
      clientPort: [14186, 14187],
      serverPort: [8052, 8053],
      ssrc: 0x0b6020ad,
      mode: ["PLAY"],
    })],
    "RTP/AVP;unicast;client_port=14186-14187;server_port=8052-8053;ssrc=0B6020AD;mode=PLAY",
  ],
  [
    "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=     D93FF",
    [spec({ lowerTransport: "TCP", delivery: "unicast", interleaved: [0, 1], ssrc: 0xd93ff })],
    "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=000D93FF",
  ],
  [
    "RTP/AVP;unicast;client_port=14236;source=172.16.8.2;server_port=56002;ssrc=1449463210",
    [spec({
      delivery: "unicast",
      source: "172.16.8.2",
      clientPort: [14236, 14237],
      serverPort: [56002, 56003],
      extra: [["ssrc", "1449463210"]],
    })],
    "RTP/AVP;unicast;source=172.16.8.2;client_port=14236-14237;server_port=56002-56003;ssrc=1449463210",
  ],
  [
    'client_port=3456-3457;RTP/AVP;mode="PLAY";unicast',
    [spec({ delivery: "unicast", clientPort: [3456, 3457], mode: ["PLAY"] })],
    "RTP/AVP;unicast;client_port=3456-3457;mode=PLAY",
  ],
  [
    "RTP/AVP/UDP;unicast;source=;destination;client_port=32560-32561",
    [spec({ delivery: "unicast", clientPort: [32560, 32561] })],
    "RTP/AVP;unicast;client_port=32560-32561",
  ],
  [
    "RTP/AVP/TCP;unicast;mode=receive;interleaved=0-1",
    [spec({ lowerTransport: "TCP", delivery: "unicast", interleaved: [0, 1], mode: ["RECORD"] })],
    "RTP/AVP/TCP;unicast;interleaved=0-1;mode=RECORD",
  ],
  [
    'RTP/SAVP;unicast;client_port=5000-5001;layers=2;x-foo;x-bar="a;b"',
    [spec({
      profile: "SAVP",
      delivery: "unicast",
      clientPort: [5000, 5001],
      extra: [["layers", "2"], ["x-foo", undefined], ["x-bar", "a;b"]],
    })],
    'RTP/SAVP;unicast;client_port=5000-5001;layers=2;x-foo;x-bar="a;b"',
  ],
  [
    "RTP/AVP;unicast;client_port=65534-65535,,",
    [spec({ delivery: "unicast", clientPort: [65534, 65535] })],
    "RTP/AVP;unicast;client_port=65534-65535",
  ],
  [
    "RTP/AVP/TCP;interleaved=254;ttl=0",
    [spec({ lowerTransport: "TCP", interleaved: [254, 255], ttl: 0 })],
    "RTP/AVP/TCP;interleaved=254-255;ttl=0",
  ],
];

Deno.test("parseTransport() reads real and RFC 2326 Transport headers", () => {
  for (const [value, expected] of cases) {
    assert.deepEqual(parseTransport(value), expected, value);
  }
});

Deno.test("formatTransport() writes a canonical form that parses back to the same spec", () => {
  for (const [value, expected, formatted] of cases) {
    assert.equal(formatTransport(expected[0]), formatted, value);
    assert.deepEqual(parseTransport(formatted), [expected[0]], formatted);
  }
});

Deno.test("formatTransports() joins alternatives with commas", () => {
  const value = "RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;unicast;interleaved=0-1";
  assert.equal(formatTransports(parseTransport(value)), value);
});

Deno.test("parseTransport() answers 461 to an empty header or one without a usable protocol", () => {
  for (
    const v of [
      "",
      "   ",
      ",",
      "unicast;client_port=5000-5001",
      "RTP/AVP/SCTP;unicast",
      "RTP;unicast",
      "RTP/AVP/TCP/X",
    ]
  ) {
    assert.throws(
      () => parseTransport(v),
      (e) => e instanceof HeaderError && e.status === 461,
      JSON.stringify(v),
    );
  }
});

Deno.test("parseTransport() answers 400 to malformed parameters", () => {
  const bad = [
    "RTP/AVP;unicast;client_port=5001-5000", // reversed range
    "RTP/AVP;unicast;client_port=0-1", // port 0
    "RTP/AVP;unicast;client_port=0", // port 0
    "RTP/AVP;unicast;client_port=65535", // implies RTCP port 65536
    "RTP/AVP;unicast;client_port=65536-65537",
    "RTP/AVP;unicast;client_port=99999",
    "RTP/AVP;unicast;client_port=",
    "RTP/AVP;unicast;client_port",
    "RTP/AVP;unicast;client_port=abc",
    "RTP/AVP;unicast;client_port=1-2-3",
    "RTP/AVP;unicast;client_port=-5",
    "RTP/AVP;unicast;client_port=5000-",
    "RTP/AVP;unicast;client_port=5000-5001;client_port=6000-6001", // duplicate
    "RTP/AVP;unicast;server_port=70000",
    "RTP/AVP;multicast;port=0-1",
    "RTP/AVP/TCP;interleaved=256-257",
    "RTP/AVP/TCP;interleaved=255", // implies channel 256
    "RTP/AVP/TCP;interleaved=1-0",
    "RTP/AVP/TCP;interleaved=x",
    "RTP/AVP;unicast;multicast",
    "RTP/AVP;multicast;ttl=256",
    "RTP/AVP;multicast;ttl=-1",
    "RTP/AVP;unicast;mode=",
    'RTP/AVP;unicast;mode=""',
    'RTP/AVP;unicast;mode="PLAY',
    'RTP/AVP;unicast;mode="PL AY"',
    "RTP/AVP;unicast;destination=evil host",
    "RTP/AVP;unicast;destination=a/b",
    "RTP/AVP;unicast;bad name=1",
    "RTP/AVP;unicast;x=a\x00b",
  ];
  for (const v of bad) {
    assert.throws(
      () => parseTransport(v),
      (e) => e instanceof HeaderError && e.status === 400,
      JSON.stringify(v),
    );
  }
});

Deno.test("parseTransport() error messages never echo raw control characters", () => {
  try {
    parseTransport("RTP/AVP;unicast;client_port=\r\nX: 1");
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof HeaderError);
    assert.doesNotMatch(e.message, /[\r\n]/);
  }
});

Deno.test("parseTransport() does not mutate its input and never throws other errors", () => {
  const inputs = cases.map(([v]) => v);
  const seeds = ["", ";", "=", "/", '"', "RTP/AVP;=;", 'RTP/AVP;a="b"c"', "\u0000", "ü/ß"];
  for (const base of [...inputs, ...seeds]) {
    for (let cut = 0; cut <= base.length; cut++) {
      const v = base.slice(0, cut);
      try {
        parseTransport(v);
      } catch (e) {
        assert.ok(e instanceof HeaderError, `${JSON.stringify(v)}: ${e}`);
      }
    }
  }
});

Deno.test("formatTransport() refuses values that are out of range or break the header", () => {
  assert.throws(() => formatTransport(spec({ clientPort: [0, 1] })), RangeError);
  assert.throws(() => formatTransport(spec({ clientPort: [5001, 5000] })), RangeError);
  assert.throws(() => formatTransport(spec({ interleaved: [255, 256] })), RangeError);
  assert.throws(() => formatTransport(spec({ ssrc: 2 ** 32 })), RangeError);
  assert.throws(() => formatTransport(spec({ ttl: 300 })), RangeError);
  assert.throws(() => formatTransport(spec({ destination: "1.2.3.4;evil" })), TypeError);
  assert.throws(() => formatTransport(spec({ mode: ["PLAY,RECORD"] })), TypeError);
  assert.throws(() => formatTransport(spec({ extra: [["x", "a\r\nb"]] })), TypeError);
  assert.throws(() => formatTransport(spec({ extra: [["x y", undefined]] })), TypeError);
});
