import assert from "node:assert/strict";
import {
  type Config,
  ConfigError,
  normalizePathName,
  parseConfig,
} from "../../src/config/config.ts";

/** The message of the ConfigError that `parseConfig(text, "rtsp-edge.json")` throws. */
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

Deno.test("parseConfig() reads the example config with every kind of path", async () => {
  const text = await Deno.readTextFile(new URL("../../examples/rtsp-edge.json", import.meta.url));
  const expected: Config = {
    rtspPort: 8554,
    ingestPort: 8080,
    bind: "0.0.0.0",
    logLevel: "info",
    auth: {
      users: {
        frigate: { password: "change-me-frigate" },
        studio: { password: "change-me-studio" },
      },
      read: ["frigate", "studio"],
      publish: ["studio"],
      allow: ["192.168.0.0/16", "::1/128"],
      paths: {},
    },
    paths: {
      "/esp32cam": {
        source: "ingest",
        token: "change-me-cam",
        jpeg: "h264",
        replace: false,
        bitrate: 1_000_000,
        gop: 30,
        maxFrameBytes: 8 * 1024 * 1024,
      },
      "/esp32p4": {
        source: "ingest",
        token: "change-me-p4",
        jpeg: "h264",
        replace: false,
        bitrate: 2_000_000,
        gop: 30,
        maxFrameBytes: 4 * 1024 * 1024,
      },
      "/openmv": {
        source: "ingest",
        token: "change-me-openmv",
        jpeg: "rtp-jpeg",
        replace: true,
        bitrate: 2_000_000,
        gop: 30,
        maxFrameBytes: 8 * 1024 * 1024,
      },
      "/usbcam": {
        source: "camera",
        device: "/dev/video0",
        size: { width: 1280, height: 720 },
        fps: 30,
        bitrate: 2_000_000,
        gop: 30,
        onDemand: false,
        onDemandCloseAfter: 10_000,
      },
      "/ffmpeg": { source: "publish", replace: false },
    },
  };
  assert.deepEqual(parseConfig(text, "rtsp-edge.json"), expected);
  assert.deepEqual(Object.keys(parseConfig(text, "x").paths), Object.keys(expected.paths));
});

Deno.test("parseConfig() fills in the defaults of every source", () => {
  const config = parseConfig(
    `{
      "paths": {
        "/a": { "source": "ingest" },
        "b": { "source": "publish" },
        "c": { "source": "camera", "device": "/dev/video2", "format": "MJPEG" },
        "d": { "source": "file", "input": "clip.h264", "fps": 12.5 },
        "site/e": { "source": "test-pattern", "size": "640x480", "bitrate": 750000, "gop": 60 }
      }
    }`,
    "x.json",
  );
  assert.deepEqual(config, {
    paths: {
      "/a": {
        source: "ingest",
        jpeg: "h264",
        replace: false,
        bitrate: 2_000_000,
        gop: 30,
        maxFrameBytes: 8_388_608,
      },
      "/b": { source: "publish", replace: false },
      "/c": {
        source: "camera",
        device: "/dev/video2",
        format: "mjpeg",
        bitrate: 2_000_000,
        gop: 30,
        onDemand: false,
        onDemandCloseAfter: 10_000,
      },
      "/d": {
        source: "file",
        input: "clip.h264",
        fps: 12.5,
        onDemand: false,
        onDemandCloseAfter: 10_000,
      },
      "/site/e": {
        source: "test-pattern",
        size: { width: 640, height: 480 },
        bitrate: 750_000,
        gop: 60,
        onDemand: false,
        onDemandCloseAfter: 10_000,
      },
    },
  });
});

Deno.test("parseConfig() takes onDemand with a close-after as a duration or seconds", () => {
  const paths = parseConfig(
    onePath('"source": "test-pattern", "onDemand": true, "onDemandCloseAfter": "1m30s"') +
      "",
    "x.json",
  ).paths;
  assert.deepEqual(
    [paths["/cam1"]].map((p) => "onDemand" in p && [p.onDemand, p.onDemandCloseAfter]),
    [[true, 90_000]],
  );
  const seconds = parseConfig(
    onePath(
      '"source": "camera", "device": "/dev/video0", "onDemand": true, "onDemandCloseAfter": 5',
    ),
    "x.json",
  ).paths["/cam1"];
  assert.equal("onDemandCloseAfter" in seconds && seconds.onDemandCloseAfter, 5_000);
  assert.match(
    errorOf(onePath('"source": "test-pattern", "onDemand": true, "onDemandCloseAfter": "soon"')),
    /onDemandCloseAfter must be a duration such as "10s", "500ms" or "2m", got "soon"/,
  );
  assert.match(
    errorOf(onePath('"source": "test-pattern", "onDemandCloseAfter": "5s"')),
    /onDemandCloseAfter goes with "onDemand": true/,
  );
  assert.match(
    errorOf(onePath('"source": "ingest", "onDemand": true')),
    /onDemand is not a setting of an ingest path/,
  );
});

Deno.test("parseConfig() takes an empty object, and comments anywhere", () => {
  assert.deepEqual(parseConfig("{}", "x"), { paths: {} });
  assert.deepEqual(
    parseConfig('/* a */ { // b\n "logLevel": /* c */ "debug" } // d', "x"),
    { logLevel: "debug", paths: {} },
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
    "rtsp-edge.json:1:16: colour is not a setting",
  );
});

Deno.test("parseConfig() reads auth with users, methods, rights and per-path overrides", () => {
  const config = parseConfig(
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
        "lobby": { "source": "publish", "read": "anyone" },
        "cam1": { "source": "publish", "allow": ["10.0.0.0/8"] },
        "cam2": { "source": "publish" }
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
  assert.deepEqual(config.paths["/cam2"], { source: "publish", replace: false });
});

Deno.test("parseConfig() names the file, line, column and setting of auth mistakes", () => {
  assert.equal(
    errorOf('{ "auth": {} }'),
    'rtsp-edge.json:1:11: auth needs users, e.g. "users": { "alice": { "password": "..." } }',
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
    'rtsp-edge.json:1:63: auth.methods must be ["digest"], ["basic"] or ["digest", "basic"], got an array',
  );
  assert.equal(
    errorOf('{ "auth": { "users": { "a": { "password": "x" } }, "allow": ["10.0.0.0/33"] } }'),
    'rtsp-edge.json:1:62: auth.allow must hold CIDR blocks like "192.168.1.0/24" or "::1/128", got "10.0.0.0/33"',
  );
  assert.equal(
    errorOf(onePath('"source": "publish", "read": ["alice"]')),
    'rtsp-edge.json:1:45: paths.cam1.read needs an "auth" section with users',
  );
  assert.equal(
    errorOf(
      '{ "auth": { "users": { "a": { "password": "x" } } }, ' +
        '"paths": { "cam1": { "source": "publish", "publish": "everyone" } } }',
    ),
    'rtsp-edge.json:1:107: paths.cam1.publish must be "anyone" or a list of user names, got "everyone"',
  );
});

Deno.test("parseConfig() says which source a misplaced setting belongs to", () => {
  assert.equal(
    errorOf(onePath('"source": "ingest", "device": "/dev/video0"')),
    "rtsp-edge.json:1:44: paths.cam1.device is not a setting of an ingest path; " +
      "it belongs to camera paths",
  );
  assert.equal(
    errorOf(onePath('"source": "publish", "fps": 5')),
    "rtsp-edge.json:1:45: paths.cam1.fps is not a setting of a publish path; " +
      "it belongs to camera paths and file paths and test-pattern paths",
  );
});

Deno.test("parseConfig() names the expected type when a setting has the wrong one", () => {
  const cases: [string, string][] = [
    ['{ "rtspPort": "8554" }', 'rtspPort must be a whole number from 0 to 65535, got "8554"'],
    ['{ "bind": 0 }', "bind must be a string: an address like 0.0.0.0 or ::, got 0"],
    [
      '{ "logLevel": "verbose" }',
      'logLevel must be "debug", "info", "warn" or "error", got "verbose"',
    ],
    ['{ "paths": [] }', "paths must be an object, got an array"],
    ['{ "paths": { "cam1": "ingest" } }', 'paths.cam1 must be an object, got "ingest"'],
    [
      onePath('"source": "publish", "replace": "yes"'),
      'paths.cam1.replace must be true or false, got "yes"',
    ],
    [
      onePath('"source": "ingest", "token": 1234'),
      "paths.cam1.token must be a string: letters, digits and - . _ ~ + / (RFC 6750 §2.1 " +
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
  assert.equal(errorOf("[]"), "rtsp-edge.json:1:1: the file must be an object, got an array");
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
    const path = parseConfig(onePath(`"source": "ingest", "bitrate": ${v}`), "x").paths["/cam1"];
    return path.source === "ingest" ? path.bitrate : NaN;
  };
  assert.equal(rate("800000"), 800_000);
  assert.equal(rate('"500k"'), 500_000);
  assert.equal(rate('"2.5M"'), 2_500_000);
});

Deno.test("parseConfig() requires a source, a camera's device and a file's input", () => {
  assert.equal(
    errorOf('{ "paths": { "cam1": {} } }'),
    'rtsp-edge.json:1:22: paths.cam1 needs a source: "ingest", "publish", "camera", "file" or ' +
      '"test-pattern"',
  );
  assert.equal(
    errorOf(onePath('"source": "usb"')),
    'rtsp-edge.json:1:34: paths.cam1.source must be "ingest", "publish", "camera", "file" or ' +
      '"test-pattern", got "usb"',
  );
  assert.equal(
    errorOf(onePath('"source": "camera"')),
    'rtsp-edge.json:1:22: paths.cam1 needs a device, e.g. "/dev/video0"',
  );
  assert.equal(
    errorOf(onePath('"source": "file"')),
    "rtsp-edge.json:1:22: paths.cam1 needs an input file",
  );
  assert.equal(
    errorOf(onePath('"source": "file", "input": "movie.mp4"')),
    "rtsp-edge.json:1:51: paths.cam1.input must be an H.264 (.h264, .264) or Y4M (.y4m) file, " +
      'or "-" for standard input, got "movie.mp4"',
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
  const path = parseConfig(onePath('"source": "ingest", "token": "a-b.c_d~e+f/g=="'), "x")
    .paths["/cam1"];
  assert.equal(path.source === "ingest" && path.token, "a-b.c_d~e+f/g==");
});

Deno.test("parseConfig() checks path names and points at the bad one", () => {
  assert.equal(
    errorOf('{ "paths": {\n  "cam 1": { "source": "publish" } } }'),
    'rtsp-edge.json:2:3: paths: "cam 1" is not a valid path name; use letters, digits, ".", ' +
      '"_", "~" and "-", with "/" between segments',
  );
  for (const bad of ["", "/", "a//b", "a/", "../x", "a/./b", "cam?1", "caméra"]) {
    assert.match(
      errorOf(`{ "paths": { ${JSON.stringify(bad)}: { "source": "publish" } } }`),
      /is not a valid path name/,
      bad,
    );
  }
  assert.equal(
    errorOf('{ "paths": { "cam1": { "source": "publish" }, "/cam1": { "source": "publish" } } }'),
    'rtsp-edge.json:1:47: paths: "/cam1" and "cam1" name the same path',
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
  assert.equal(message, 'rtsp-edge.json:1:44: paths.cam1."a\\nb" is not a setting');
});

Deno.test("parseConfig() reports a syntax error with the file's name and position", () => {
  assert.equal(
    errorOf('{\n  "paths": {},\n}'),
    "rtsp-edge.json:3:1: a trailing comma before } is not allowed",
  );
});
