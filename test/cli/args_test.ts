// The command line as sugar for a config file: every flag's place in the model, and every mistake
// in one line of our own words.
import assert from "node:assert/strict";
import { OPTION_NAMES, parseCommandLine, USAGE, UsageError } from "../../src/cli/args.ts";
import { checkConfig } from "../../src/config/check.ts";
import { type Config, ConfigError, type PathConfig } from "../../src/config/config.ts";
import { DEFAULTS } from "../config/defaults.ts";

/** The model a command line stands for. */
function model(argv: string[]): Config {
  return checkConfig(parseCommandLine(argv).flags).config;
}

/** The one-line message a command line is refused with. */
function mistake(argv: string[]): string {
  try {
    model(argv);
  } catch (error) {
    assert.ok(error instanceof UsageError || error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail(`accepted: ${argv.join(" ")}`);
}

const OFF = { onDemand: false, onDemandCloseAfter: 10_000 };
const ENCODING = { bitrate: 2_000_000, gop: 30 };

Deno.test("no flags: the test pattern at /stream, with the defaults users know", () => {
  assert.deepEqual(model([]), {
    ...DEFAULTS,
    paths: {
      "/stream": {
        source: "test-pattern",
        size: { width: 1280, height: 720 },
        fps: 30,
        ...ENCODING,
        ...OFF,
      },
    },
  });
  assert.equal(parseCommandLine([]).action, "run");
});

Deno.test("each server flag lands on its setting", () => {
  const config = model([
    ...["--port", "554", "--bind", "127.0.0.1", "--rtp-port", "5000", "--payload-size", "1200"],
    ...["--log-level", "debug", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-port", "8443"],
  ]);
  assert.deepEqual(
    [config.rtspPort, config.bind, config.rtpPort, config.payloadSize, config.logLevel],
    [554, "127.0.0.1", 5000, 1200, "debug"],
  );
  assert.deepEqual(config.tls, { port: 8443, cert: "c.pem", key: "k.pem" });
  assert.deepEqual(model(["--tls-cert", "c", "--tls-key", "k"]).tls, {
    port: 8322,
    cert: "c",
    key: "k",
  });
});

Deno.test("each limit flag lands in limits; timeouts take seconds or a duration", () => {
  const { limits } = model([
    ...["--max-connections", "5000", "--max-connections-per-ip", "3000"],
    ...["--max-sessions", "200", "--max-sessions-per-ip", "50"],
    ...["--header-timeout", "2.5", "--session-timeout", "1m", "--queue-bytes", "1048576"],
  ]);
  assert.deepEqual(limits, {
    maxConnections: 5000,
    maxConnectionsPerIp: 3000,
    maxSessions: 200,
    maxSessionsPerIp: 50,
    headerTimeout: 2500,
    sessionTimeout: 60_000,
    queueBytes: 1048576,
  });
});

Deno.test("each source flag makes the path at --path", () => {
  const path = (argv: string[], name = "/stream"): PathConfig => model(argv).paths[name];
  assert.deepEqual(
    path(["--camera", "/dev/video2", "--format", "MJPEG", "--size", "640x480", "--fps", "15"]),
    {
      source: "camera",
      device: "/dev/video2",
      format: "mjpeg",
      size: { width: 640, height: 480 },
      fps: 15,
      ...ENCODING,
      ...OFF,
    },
  );
  assert.deepEqual(path(["--input", "a.h264", "--fps", "29.97", "--path", "/cam"], "/cam"), {
    source: "file",
    input: "a.h264",
    fps: 29.97,
    ...ENCODING,
    ...OFF,
  });
  assert.deepEqual(path(["--input", "-", "--format", "yuyv", "--size", "320x240"]), {
    source: "file",
    input: "-",
    format: "yuyv",
    size: { width: 320, height: 240 },
    ...ENCODING,
    ...OFF,
  });
  assert.deepEqual(
    path(["--test-pattern", "--bitrate", "500k", "--gop", "60", "--on-demand"]),
    {
      source: "test-pattern",
      size: { width: 1280, height: 720 },
      fps: 30,
      bitrate: 500_000,
      gop: 60,
      onDemand: true,
      onDemandCloseAfter: 10_000,
    },
  );
  assert.deepEqual(
    path(["--on-demand", "--on-demand-close-after", "1m30s"]),
    { ...path([]), onDemand: true, onDemandCloseAfter: 90_000 },
  );
});

Deno.test("--publish and --ingest open every path not named (all_others), with their rules", () => {
  assert.deepEqual(model(["--publish", "--replace"]).paths, {
    all_others: { source: "publisher", replace: true },
  });
  const ingest = model([
    ...["--ingest-token", "abc", "--jpeg", "rtp-jpeg", "--bitrate", "1M", "--audio", "pcma"],
  ]);
  assert.deepEqual(ingest.paths, {
    all_others: {
      source: "ingest",
      token: "abc",
      jpeg: "rtp-jpeg",
      replace: false,
      bitrate: 1_000_000,
      gop: 30,
      maxFrameBytes: 8 * 1024 * 1024,
      audio: "pcma",
    },
  });
  assert.equal(model(["--ingest-port", "9000"]).httpPort, 9000);
  assert.deepEqual(Object.keys(model(["--ingest"]).paths), ["all_others"]);
  // A source of its own as well: both paths.
  assert.deepEqual(Object.keys(model(["--camera", "/dev/video0", "--publish"]).paths), [
    "/stream",
    "all_others",
  ]);
  // With a config file, the file names the paths; --ingest-port only moves the port.
  const withFile = parseCommandLine(["--config", "a.yml", "--ingest-port", "9000"]);
  assert.equal(withFile.configFile, "a.yml");
  assert.deepEqual(withFile.flags.value, { httpPort: "9000" });
});

Deno.test("--user and --auth become the auth section; Basic by name allows it without TLS", () => {
  assert.deepEqual(model(["--user", "alice:pa:ss", "--user", "bob:x"]).auth, {
    users: { alice: { password: "pa:ss" }, bob: { password: "x" } },
    methods: ["digest"],
    paths: {},
  });
  assert.deepEqual(model(["--user", "alice:x", "--auth", "digest,basic"]).auth, {
    users: { alice: { password: "x" } },
    methods: ["digest", "basic"],
    allowBasicWithoutTls: true,
    paths: {},
  });
  assert.equal(model([]).auth, undefined);
});

Deno.test("what to do besides running", () => {
  const action = (argv: string[]) => parseCommandLine(argv).action;
  assert.equal(action(["--help"]), "help");
  assert.equal(action(["-h"]), "help");
  assert.equal(action(["--version"]), "version");
  assert.equal(action(["--licenses"]), "licenses");
  assert.equal(action(["--list-cameras"]), "list-cameras");
  assert.equal(action(["--print-config", "--camera", "/dev/video0"]), "print-config");
});

Deno.test("a flag without its value, an unknown flag or a stray word: one line in our words", () => {
  const cases: [string[], string][] = [
    [["--camera"], "--camera needs a value, e.g. --camera /dev/video0"],
    [["--camera", "--fps", "5"], "--camera needs a value, e.g. --camera /dev/video0"],
    [["--port"], "--port needs a value, e.g. --port 8554"],
    [["--camera", ""], "--camera needs a value, e.g. --camera /dev/video0"],
    [["--input="], "--input needs a value, e.g. --input clip.h264"],
    [["--prot", "1"], "unknown option --prot; did you mean --port?"],
    [["-p", "8554"], "unknown option -p; options are spelt out, like --help"],
    [
      ["clip.h264"],
      'unexpected "clip.h264": every value follows its option, like --input clip.h264',
    ],
    [["--publish=yes"], "--publish takes no value"],
  ];
  for (const [argv, message] of cases) assert.equal(mistake(argv), message, argv.join(" "));
});

Deno.test("a bad value is named by its flag, as the checker words it for the file", () => {
  const cases: [string[], string][] = [
    [["--port", "x"], '--port must be a whole number from 0 to 65535, got "x"'],
    [["--rtp-port", "5001"], '--rtp-port must be even, got "5001"'],
    [["--fps", "0"], '--fps must be a number above 0 and at most 240, got "0"'],
    [["--payload-size", "50"], '--payload-size must be a whole number from 100 to 65000, got "50"'],
    [["--gop", "0"], '--gop must be a whole number from 1 to 1000, got "0"'],
    [["--log-level", "loud"], '--log-level must be "debug", "info", "warn" or "error", got "loud"'],
    [
      ["--size", "640"],
      '--size must be "WIDTHxHEIGHT" with even numbers from 16 to 4096, like "640x480", got "640"',
    ],
    [
      ["--bitrate", "fast"],
      '--bitrate must be bits per second from 10000 to 100000000, as a number or as text like "2M" or "500k", got "fast"',
    ],
    [
      ["--max-connections", "0"],
      '--max-connections must be a whole number from 1 to 1000000, got "0"',
    ],
    [
      ["--max-sessions-per-ip", "1.5"],
      '--max-sessions-per-ip must be a whole number from 1 to 1000000, got "1.5"',
    ],
    [
      ["--header-timeout", "0"],
      '--header-timeout must be a duration such as "10s", "500ms" or "2m", above 0 and at most a day, got "0"',
    ],
    [
      ["--queue-bytes", "100"],
      '--queue-bytes must be a whole number from 1024 to 2147483648, got "100"',
    ],
    [
      ["--path", "/cam:1"],
      '--path: "/cam:1" is not a valid path name; use letters, digits, ".", "_", "~" and "-", with "/" between segments',
    ],
    [
      ["--camera", "/dev/video0", "--format", "rgb565"],
      '--format must be one of yuyv, yuy2, uyvy, nv12, yu12, i420, rgb24, bgr24, mjpeg, mjpg, jpeg, grey, gray, gray8, got "rgb565"',
    ],
    [
      ["--input", "-", "--format", "yuyv"],
      "--input: raw pictures need their size: add --size WIDTHxHEIGHT",
    ],
    [
      ["--on-demand", "--on-demand-close-after", "soon"],
      '--on-demand-close-after must be a duration such as "10s", "500ms" or "2m", at most a day, got "soon"',
    ],
    [["--on-demand-close-after", "5s"], "--on-demand-close-after goes with --on-demand"],
    [["--jpeg", "png", "--ingest"], '--jpeg must be "h264" or "rtp-jpeg", got "png"'],
    [
      ["--ingest-token", "two words"],
      '--ingest-token must be letters, digits and - . _ ~ + / (RFC 6750 §2.1 b64token), optionally ending in "=", got "two words"',
    ],
  ];
  for (const [argv, message] of cases) assert.equal(mistake(argv), message, argv.join(" "));
});

Deno.test("flags that do not go together are refused", () => {
  const cases: [string[], RegExp][] = [
    [["--camera", "/dev/video0", "--input", "a.h264"], /^choose one source: --test-pattern/],
    [["--camera", "/dev/video0", "--test-pattern"], /^choose one source/],
    [["--format", "nv12"], /^--format describes --input or --camera/],
    [["--on-demand", "--ingest"], /^--on-demand needs a source of its own/],
    [["--publish", "--ingest"], /^--publish and --ingest each take every path/],
    [["--replace"], /^--replace goes with --ingest or --publish/],
    [["--audio", "pcmu"], /^--audio goes with --ingest$/],
    [["--publish", "--audio", "pcmu"], /^--audio goes with --ingest$/],
    [["--tls-cert", "c.pem"], /^RTSPS needs both --tls-cert and --tls-key$/],
    [["--tls-port", "8443"], /^RTSPS needs both --tls-cert and --tls-key$/],
    [["--tls-cert", "c", "--tls-key", "k", "--tls-port", "8554"], /^--tls-port must differ/],
    [["--tls-cert", "c", "--tls-key", "k", "--port", "8322"], /^--tls-port must differ/],
  ];
  for (const [argv, message] of cases) assert.match(mistake(argv), message, argv.join(" "));
});

Deno.test("a malformed --user or --auth is refused without echoing the password", () => {
  const cases: [string[], RegExp][] = [
    [["--user", "alice"], /--user must be NAME:PASSWORD/],
    [["--user", ":secretpw"], /--user must be NAME:PASSWORD/],
    [["--user", "alice:"], /--user must be NAME:PASSWORD/],
    [["--user", "a:secretpw", "--user", "a:y"], /--user a is given twice/],
    [["--user", 'a"b:secretpw'], /cannot be a user name/],
    [["--auth", "digest"], /--auth needs at least one --user/],
    [["--user", "a:secretpw", "--auth", "ntlm"], /--auth must be digest, basic or digest,basic/],
  ];
  for (const [argv, message] of cases) {
    const text = mistake(argv);
    assert.match(text, message);
    assert.ok(!text.includes("secretpw"), text);
  }
});

Deno.test("--help lists every option the parser takes, and no other", () => {
  const listed = [...USAGE.matchAll(/(?:^|\s)--([a-z][a-z-]*)/gm)].map((m) => m[1]);
  assert.deepEqual([...new Set(listed)].sort(), [...OPTION_NAMES].sort());
});

Deno.test("--input rtsp://… and http://… relay a camera, as ffmpeg's -i reads one", () => {
  assert.deepEqual(
    model([
      ...["--input", "rtsp://admin:pw@10.0.0.5:554/mjpeg/1", "--rtsp-transport", "udp"],
      ...["--jpeg", "rtp-jpeg", "--on-demand", "--push", "rtsp://central:8554/cam"],
      ...["--push", "rtsps://central:8322/cam"],
    ]).paths["/stream"],
    {
      source: "rtsp",
      url: "rtsp://admin:pw@10.0.0.5:554/mjpeg/1",
      rtspTransport: "udp",
      jpeg: "rtp-jpeg",
      ...ENCODING,
      onDemand: true,
      onDemandCloseAfter: 10_000,
      push: ["rtsp://central:8554/cam", "rtsps://central:8322/cam"],
      pushTransport: "tcp",
    },
  );
  assert.equal(
    model(["--test-pattern", "--push", "rtsp://c/x", "--push-transport", "udp"]).paths["/stream"]
      .pushTransport,
    "udp",
  );
  assert.deepEqual(model(["--input", "http://cam/capture", "--fps", "2"]).paths["/stream"], {
    source: "http",
    url: "http://cam/capture",
    fps: 2,
    jpeg: "h264",
    ...ENCODING,
    ...OFF,
  });
  const cases: [string[], string][] = [
    [["--input", "ftp://cam/x"], /^--input must be "camera", .*got "ftp:\/\/cam\/x"/.source],
    [["--rtsp-transport", "tcp"], "^--rtsp-transport goes with --input rtsp://"],
    [
      ["--input", "rtsp://cam/x", "--rtsp-transport", "quic"],
      '^--rtsp-transport must be "auto", "tcp" or "udp", got "quic"',
    ],
    [["--publish", "--push", "rtsp://c/x"], "^--push sends a path of this machine"],
    [["--test-pattern", "--push-transport", "udp"], "^--push-transport goes with --push$"],
    [
      ["--test-pattern", "--push", "http://c/x"],
      "^--push must be a list of rtsp:// or rtsps:// URLs",
    ],
  ];
  for (const [argv, message] of cases) {
    assert.match(mistake(argv), new RegExp(message), argv.join(" "));
  }
});

Deno.test("a value that starts with a dash and a digit is the flag's value, judged as one", () => {
  const line = parseCommandLine(["--fps", "-5"]);
  assert.deepEqual(line.flags.value, {
    paths: { "/stream": { source: "test-pattern", fps: "-5" } },
  });
});
