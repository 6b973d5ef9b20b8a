import assert from "node:assert/strict";
import { type Config, ConfigError, parseConfig } from "../../src/config/config.ts";
import { normalizePathName } from "../../src/base/path_name.ts";
import { DEFAULTS } from "./defaults.ts";
import { resolveOptions } from "../../src/server/options.ts";

/** The model `modelOf(text, "x.json")` gives. */
function modelOf(text: string, name = "x.json"): Config {
  return parseConfig(text, name).config;
}

/** The message of the ConfigError that `modelOf(text, "rtsp-edge.json")` throws. */
function errorOf(text: string): string {
  try {
    parseConfig(text, "rtsp-edge.json");
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    return error.message;
  }
  assert.fail(`accepted: ${text}`);
}

/** A config with one path `cam1` whose settings are `settings` (JSON members, one line). */
function onePath(settings: string): string {
  return `{ "paths": { "cam1": { ${settings} } } }`;
}

Deno.test("parseConfig() fills in the defaults of every source", () => {
  const config = modelOf(
    `{
      "paths": {
        "/a": { "source": "ingest" },
        "b": { "source": "publisher" },
        "c": { "source": "camera", "device": "/dev/video2", "format": "MJPEG" },
        "d": { "source": "file", "input": "clip.h264", "fps": 12.5 },
        "site/e": { "source": "test-pattern", "size": "640x480", "bitrate": 750000, "gop": 60 },
        "raw": { "source": "file", "input": "-", "format": "yuyv", "size": "320x240" }
      }
    }`,
  );
  const onDemand = { onDemand: false, onDemandCloseAfter: 10_000 };
  const encoding = { bitrate: 2_000_000, gop: 30 };
  assert.deepEqual(config, {
    ...DEFAULTS,
    paths: {
      "/a": {
        source: "ingest",
        jpeg: "h264",
        replace: false,
        ...encoding,
        maxFrameBytes: 8_388_608,
        audio: "l16",
      },
      "/b": { source: "publisher", replace: false },
      "/c": {
        source: "camera",
        device: "/dev/video2",
        size: { width: 1280, height: 720 },
        fps: 30,
        format: "mjpeg",
        ...encoding,
        ...onDemand,
      },
      "/d": { source: "file", input: "clip.h264", fps: 12.5, ...encoding, ...onDemand },
      "/site/e": {
        source: "test-pattern",
        size: { width: 640, height: 480 },
        fps: 30,
        bitrate: 750_000,
        gop: 60,
        ...onDemand,
      },
      "/raw": {
        source: "file",
        input: "-",
        format: "yuyv",
        size: { width: 320, height: 240 },
        ...encoding,
        ...onDemand,
      },
    },
  });
});

Deno.test("parseConfig() reads every server setting, tls and limits", () => {
  const config = modelOf(`{
    "rtspPort": 554, "bind": "127.0.0.1", "rtpPort": 5000, "payloadSize": 1200,
    "logLevel": "debug", "ingestPort": 9000,
    "tls": { "cert": "c.pem", "key": "k.pem" },
    "limits": { "maxConnections": 10, "headerTimeout": "2s", "sessionTimeout": 30 }
  }`);
  assert.deepEqual(config, {
    ...DEFAULTS,
    rtspPort: 554,
    bind: "127.0.0.1",
    rtpPort: 5000,
    payloadSize: 1200,
    logLevel: "debug",
    httpPort: 9000,
    tls: { port: 8322, cert: "c.pem", key: "k.pem" },
    limits: { ...DEFAULTS.limits, maxConnections: 10, headerTimeout: 2000, sessionTimeout: 30_000 },
  });
  assert.equal(
    errorOf('{ "rtpPort": 5001 }'),
    "rtsp-edge.json:1:14: rtpPort must be even, got 5001",
  );
  assert.equal(
    errorOf('{ "tls": { "cert": "c.pem" } }'),
    "rtsp-edge.json:1:10: tls needs a key file",
  );
  assert.equal(
    errorOf('{ "rtspPort": 8322, "tls": { "cert": "c", "key": "k" } }'),
    "rtsp-edge.json:1:28: tls.port must differ from the RTSP port, both are 8322",
  );
  assert.equal(
    errorOf('{ "limits": { "headerTimeout": 0 } }'),
    'rtsp-edge.json:1:32: limits.headerTimeout must be a duration such as "10s", "500ms" or ' +
      '"2m", above 0 and at most a day, got 0',
  );
  assert.equal(
    errorOf('{ "limits": { "maxSession": 5 } }'),
    "rtsp-edge.json:1:15: limits.maxSession is not a setting; did you mean maxSessions?",
  );
});

Deno.test("parseConfig() takes onDemand with a close-after as a duration or seconds", () => {
  const paths = modelOf(
    onePath('"source": "test-pattern", "onDemand": true, "onDemandCloseAfter": "1m30s"') +
      "",
    "x.json",
  ).paths;
  assert.deepEqual(
    [paths["/cam1"]].map((p) => "onDemand" in p && [p.onDemand, p.onDemandCloseAfter]),
    [[true, 90_000]],
  );
  const seconds = modelOf(
    onePath(
      '"source": "camera", "device": "/dev/video0", "onDemand": true, "onDemandCloseAfter": 5',
    ),
    "x.json",
  ).paths["/cam1"];
  assert.equal("onDemandCloseAfter" in seconds && seconds.onDemandCloseAfter, 5_000);
  assert.match(
    errorOf(onePath('"source": "test-pattern", "onDemand": true, "onDemandCloseAfter": "soon"')),
    /onDemandCloseAfter must be a duration such as "10s", "500ms" or "2m", at most a day, got "soon"/,
  );
  assert.match(
    errorOf(onePath('"source": "test-pattern", "onDemandCloseAfter": "5s"')),
    /paths\.cam1\.onDemandCloseAfter goes with onDemand: true$/,
  );
  assert.match(
    errorOf(onePath('"source": "ingest", "onDemand": true')),
    /onDemand is not a setting of an ingest path/,
  );
});

Deno.test("parseConfig() takes an empty object, and comments anywhere", () => {
  assert.deepEqual(modelOf("{}", "x.json"), DEFAULTS);
  assert.deepEqual(
    modelOf('/* a */ { // b\n "logLevel": /* c */ "debug" } // d', "x.json"),
    { ...DEFAULTS, logLevel: "debug" },
  );
});

Deno.test("parseConfig() names file, line, column and setting of a wrong choice", () => {
  const text = `{
  "paths": {
    "cam1": {
      "source": "ingest",
      "token": "secret",
      "bitrate": "1M",
      "jpeg": "png"
    }
  }
}`;
  assert.equal(
    errorOf(text),
    'rtsp-edge.json:7:15: paths.cam1.jpeg must be "h264" or "rtp-jpeg", got "png"',
  );
});

Deno.test("parseConfig() points at an unknown setting's name and suggests the one meant", () => {
  assert.equal(
    errorOf(onePath('"source": "ingest", "tokn": "x"')),
    "rtsp-edge.json:1:44: paths.cam1.tokn is not a setting; did you mean token?",
  );
  assert.equal(
    errorOf('{\n  "rtspport": 554\n}'),
    "rtsp-edge.json:2:3: rtspport is not a setting; did you mean rtspPort?",
  );
  assert.equal(
    errorOf('{ "paths": {}, "colour": 1 }'),
    "rtsp-edge.json:1:16: colour is not a setting; did you mean tls?",
  );
});

Deno.test("parseConfig() reads auth with users, methods, rights and per-path overrides", () => {
  const config = modelOf(
    `{
      "auth": {
        "users": {
          "alice": { "password": "wonder" },
          "bob": { "ha1": "0123456789abcdef0123456789ABCDEF" }
        },
        "methods": ["digest", "basic"],
        "allowBasicWithoutTls": false,
        "read": ["alice", "bob"],
        "publish": ["bob"],
        "allow": ["192.168.1.0/24", "::1/128"]
      },
      "paths": {
        "lobby": { "source": "publisher", "read": "anyone" },
        "cam1": { "source": "publisher", "allow": ["10.0.0.0/8"] },
        "cam2": { "source": "publisher" }
      }
    }`,
    "rtsp-edge.json",
  );
  assert.deepEqual(config.auth, {
    users: { alice: { password: "wonder" }, bob: { ha1: "0123456789abcdef0123456789ABCDEF" } },
    methods: ["digest", "basic"],
    allowBasicWithoutTls: false,
    read: ["alice", "bob"],
    publish: ["bob"],
    allow: ["192.168.1.0/24", "::1/128"],
    paths: { "/lobby": { read: "anyone" }, "/cam1": { allow: ["10.0.0.0/8"] } },
  });
  assert.deepEqual(config.paths["/cam2"], { source: "publisher", replace: false });
});

Deno.test("parseConfig() names the file, line, column and setting of auth mistakes", () => {
  assert.equal(
    errorOf('{ "auth": {} }'),
    "rtsp-edge.json:1:11: auth needs users, e.g. users: { alice: { password: ... } }",
  );
  assert.equal(
    errorOf('{ "auth": { "users": { "alice": { "pasword": "x" } } } }'),
    'rtsp-edge.json:1:33: auth.users.alice must have exactly one of "password", "ha1" or "hash"',
  );
  assert.equal(
    errorOf('{ "auth": { "users": { "alice": { "ha1": "abc" } } } }'),
    "rtsp-edge.json:1:33: auth.users.alice ha1 must be 32 hex digits: MD5(user:realm:password)",
  );
  assert.match(
    errorOf('{ "auth": { "users": { "a:b": { "password": "x" } } } }'),
    /^rtsp-edge\.json:1:24: auth\.users: "a:b" cannot be a user name/,
  );
  assert.equal(
    errorOf('{ "auth": { "users": { "a": { "password": "x" } }, "read": ["a", "carol"] } }'),
    'rtsp-edge.json:1:66: auth.read names "carol", who is not in auth.users',
  );
  assert.equal(
    errorOf('{ "auth": { "users": { "a": { "password": "x" } }, "methods": ["ntlm"] } }'),
    "rtsp-edge.json:1:63: auth.methods must be [digest], [basic] or [digest, basic], got an array",
  );
  assert.equal(
    errorOf('{ "auth": { "users": { "a": { "password": "x" } }, "allow": ["10.0.0.0/33"] } }'),
    'rtsp-edge.json:1:62: auth.allow must hold CIDR blocks like "192.168.1.0/24" or "::1/128", got "10.0.0.0/33"',
  );
  assert.equal(
    errorOf(onePath('"source": "publisher", "read": ["alice"]')),
    "rtsp-edge.json:1:47: paths.cam1.read needs an auth section with users",
  );
  assert.equal(
    errorOf(
      '{ "auth": { "users": { "a": { "password": "x" } } }, ' +
        '"paths": { "cam1": { "source": "publisher", "publish": "everyone" } } }',
    ),
    'rtsp-edge.json:1:109: paths.cam1.publish must be "anyone" or a list of user names, got "everyone"',
  );
});

Deno.test("parseConfig() says which source a misplaced setting belongs to", () => {
  assert.equal(
    errorOf(onePath('"source": "ingest", "device": "/dev/video0"')),
    "rtsp-edge.json:1:44: paths.cam1.device is not a setting of an ingest path; " +
      "it belongs to camera paths",
  );
  assert.equal(
    errorOf(onePath('"source": "publisher", "fps": 5')),
    "rtsp-edge.json:1:47: paths.cam1.fps is not a setting of a publisher path; " +
      "it belongs to camera paths and file paths and test-pattern paths and http:// paths",
  );
});

Deno.test("parseConfig() names the expected type when a setting has the wrong one", () => {
  const cases: [string, string][] = [
    ['{ "rtspPort": "8554" }', 'rtspPort must be a whole number from 0 to 65535, got "8554"'],
    ['{ "bind": 0 }', "bind must be text: an address like 0.0.0.0 or ::, got 0"],
    [
      '{ "logLevel": "verbose" }',
      'logLevel must be "debug", "info", "warn" or "error", got "verbose"',
    ],
    ['{ "paths": [] }', "paths must be a mapping, got an array"],
    ['{ "paths": { "cam1": "ingest" } }', 'paths.cam1 must be a mapping, got "ingest"'],
    [
      onePath('"source": "publisher", "replace": "yes"'),
      'paths.cam1.replace must be true or false, got "yes"',
    ],
    [
      onePath('"source": "ingest", "token": 1234'),
      "paths.cam1.token must be text: letters, digits and - . _ ~ + / (RFC 6750 §2.1 " +
      'b64token), optionally ending in "=", got 1234',
    ],
    [
      onePath('"source": "ingest", "gop": null'),
      "paths.cam1.gop must be a whole number from 1 to 1000, got null",
    ],
    [
      onePath('"source": "test-pattern", "size": { "width": 640 }'),
      'paths.cam1.size must be "WIDTHxHEIGHT" with even numbers from 16 to 4096, like "640x480", got an object',
    ],
    [
      onePath('"source": "ingest", "bitrate": true'),
      'paths.cam1.bitrate must be bits per second from 10000 to 100000000, as a number or as text like "2M" or "500k", got true',
    ],
  ];
  for (const [text, reason] of cases) {
    assert.match(errorOf(text), /^rtsp-edge\.json:1:\d+: /, text);
    assert.equal(errorOf(text).replace(/^rtsp-edge\.json:1:\d+: /, ""), reason, text);
  }
  assert.equal(
    errorOf("[]"),
    "rtsp-edge.json:1:1: the file must be a mapping of settings, got an array",
  );
});

Deno.test("parseConfig() refuses numbers out of range, naming the range", () => {
  const cases: [string, string][] = [
    ['{ "ingestPort": 70000 }', "ingestPort must be a whole number from 0 to 65535, got 70000"],
    ['{ "rtspPort": 8554.5 }', "rtspPort must be a whole number from 0 to 65535, got 8554.5"],
    ['{ "rtspPort": -1 }', "rtspPort must be a whole number from 0 to 65535, got -1"],
    [
      onePath('"source": "file", "input": "a.y4m", "fps": 0'),
      "paths.cam1.fps must be a number above 0 and at most 240, got 0",
    ],
    [
      onePath('"source": "file", "input": "a.y4m", "fps": 241'),
      "paths.cam1.fps must be a number above 0 and at most 240, got 241",
    ],
    [
      onePath('"source": "ingest", "gop": 0'),
      "paths.cam1.gop must be a whole number from 1 to 1000, got 0",
    ],
    [
      onePath('"source": "ingest", "bitrate": 5000'),
      'paths.cam1.bitrate must be bits per second from 10000 to 100000000, as a number or as text like "2M" or "500k", got 5000',
    ],
    [
      onePath('"source": "ingest", "bitrate": "2G"'),
      'paths.cam1.bitrate must be bits per second from 10000 to 100000000, as a number or as text like "2M" or "500k", got "2G"',
    ],
    [
      onePath('"source": "ingest", "maxFrameBytes": 100'),
      "paths.cam1.maxFrameBytes must be a whole number from 1024 to 268435456, got 100",
    ],
    [
      onePath('"source": "ingest", "audio": "g711"'),
      'paths.cam1.audio must be "l16", "pcmu" or "pcma", got "g711"',
    ],
    [
      onePath('"source": "publisher", "audio": "pcmu"'),
      "paths.cam1.audio is not a setting of a publisher path; it belongs to ingest paths",
    ],
    [
      onePath('"source": "test-pattern", "size": "641x480"'),
      'paths.cam1.size must be "WIDTHxHEIGHT" with even numbers from 16 to 4096, like "640x480", got "641x480"',
    ],
    [
      onePath('"source": "test-pattern", "size": "8192x4096"'),
      'paths.cam1.size must be "WIDTHxHEIGHT" with even numbers from 16 to 4096, like "640x480", got "8192x4096"',
    ],
  ];
  for (const [text, reason] of cases) {
    assert.equal(errorOf(text).replace(/^rtsp-edge\.json:1:\d+: /, ""), reason, text);
  }
});

Deno.test("parseConfig() reads bitrates as numbers and as text with k or M", () => {
  const rate = (v: string) => {
    const path = modelOf(onePath(`"source": "ingest", "bitrate": ${v}`), "x.json").paths["/cam1"];
    return path.source === "ingest" ? path.bitrate : NaN;
  };
  assert.equal(rate("800000"), 800_000);
  assert.equal(rate('"500k"'), 500_000);
  assert.equal(rate('"2.5M"'), 2_500_000);
});

Deno.test("parseConfig() requires a source, a camera's device and a file's input", () => {
  assert.equal(
    errorOf('{ "paths": { "cam1": {} } }'),
    'rtsp-edge.json:1:22: paths.cam1 needs a source: "camera", "file", "test-pattern", ' +
      `"ingest", "publisher", or a camera's URL (rtsp://, rtsps://, http://, https://)`,
  );
  assert.equal(
    errorOf(onePath('"source": "usb"')),
    'rtsp-edge.json:1:34: paths.cam1.source must be "camera", "file", "test-pattern", ' +
      `"ingest", "publisher", or a camera's URL (rtsp://, rtsps://, http://, https://), got "usb"`,
  );
  assert.equal(
    errorOf(onePath('"source": "camera"')),
    "rtsp-edge.json:1:22: paths.cam1 needs a device, e.g. /dev/video0",
  );
  assert.equal(
    errorOf(onePath('"source": "file"')),
    "rtsp-edge.json:1:22: paths.cam1 needs an input file",
  );
  assert.equal(
    errorOf(onePath('"source": "file", "input": "movie.mp4"')),
    "rtsp-edge.json:1:51: paths.cam1.input: movie.mp4: MP4 is not read: give H.264 Annex B " +
      "(.h264, .264) or Y4M (.y4m), e.g. ffmpeg -i in.mp4 -c:v copy -f h264 in.h264, or raw " +
      "pictures with a format",
  );
  assert.match(
    errorOf(onePath('"source": "camera", "device": "/dev/video0", "format": "h265"')),
    /paths\.cam1\.format must be one of yuyv, .*mjpeg.*, got "h265"$/,
  );
});

Deno.test("parseConfig() refuses tokens a device could not send in a Bearer header", () => {
  assert.match(
    errorOf(onePath('"source": "ingest", "token": "two words"')),
    /^rtsp-edge\.json:1:53: paths\.cam1\.token must be letters, digits .* got "two words"$/,
  );
  assert.match(errorOf(onePath('"source": "ingest", "token": ""')), /paths\.cam1\.token must be/);
  const path = modelOf(onePath('"source": "ingest", "token": "a-b.c_d~e+f/g=="'), "x.json")
    .paths["/cam1"];
  assert.equal(path.source === "ingest" && path.token, "a-b.c_d~e+f/g==");
});

Deno.test("parseConfig() checks path names and points at the bad one", () => {
  assert.equal(
    errorOf('{ "paths": {\n  "cam 1": { "source": "publisher" } } }'),
    'rtsp-edge.json:2:3: paths: "cam 1" is not a valid path name; use letters, digits, ".", ' +
      '"_", "~" and "-", with "/" between segments',
  );
  for (const bad of ["", "/", "a//b", "a/", "../x", "a/./b", "cam?1", "caméra"]) {
    assert.match(
      errorOf(`{ "paths": { ${JSON.stringify(bad)}: { "source": "publisher" } } }`),
      /is not a valid path name/,
      bad,
    );
  }
  assert.equal(
    errorOf(
      '{ "paths": { "cam1": { "source": "publisher" }, "/cam1": { "source": "publisher" } } }',
    ),
    'rtsp-edge.json:1:49: paths: "/cam1" and "cam1" name the same path',
  );
});

Deno.test("normalizePathName() adds the leading slash and refuses what URLs would rewrite", () => {
  assert.equal(normalizePathName("cam1"), "/cam1");
  assert.equal(normalizePathName("/cam1"), "/cam1");
  assert.equal(normalizePathName("site-1/cam_2.hd~x"), "/site-1/cam_2.hd~x");
  assert.equal(normalizePathName(".."), undefined);
  assert.equal(normalizePathName("a b"), undefined);
});

Deno.test("parseConfig() keeps a message on one line whatever the key holds", () => {
  const message = errorOf('{ "paths": { "cam1": { "source": "ingest", "a\\nb": 1 } } }');
  assert.equal(
    message,
    'rtsp-edge.json:1:44: paths.cam1."a\\nb" is not a setting; did you mean gop?',
  );
});

Deno.test("parseConfig() reports a syntax error with the file's name and position", () => {
  assert.equal(
    errorOf('{\n  "paths": {},\n}'),
    "rtsp-edge.json:3:1: a trailing comma before } is not allowed",
  );
});

Deno.test("the model's defaults are the server's, so a setting left out means the same in both", () => {
  const server = resolveOptions({});
  const { limits } = DEFAULTS;
  assert.deepEqual(
    [DEFAULTS.rtspPort, DEFAULTS.bind, DEFAULTS.rtpPort, DEFAULTS.payloadSize],
    [server.port, server.hostname, server.rtpPort, server.maxPayloadSize],
  );
  assert.deepEqual(
    [
      limits.maxConnections,
      limits.maxConnectionsPerIp,
      limits.maxSessions,
      limits.maxSessionsPerIp,
      limits.headerTimeout / 1000,
      limits.sessionTimeout / 1000,
      limits.queueBytes,
    ],
    [
      server.maxConnections,
      server.maxConnectionsPerIp,
      server.maxSessions,
      server.maxSessionsPerIp,
      server.headerTimeout,
      server.sessionTimeout,
      server.maxQueueBytes,
    ],
  );
});
