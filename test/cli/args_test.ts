import assert from "node:assert/strict";
import { parseCliArgs, UsageError } from "../../src/cli/args.ts";
import { accessGiven } from "../../src/cli/run.ts";
import { PixelFormat } from "../../src/codec/raw_frame.ts";

Deno.test("parseCliArgs() defaults to the test pattern and the defaults users know", () => {
  assert.deepEqual(parseCliArgs([]), {
    help: false,
    version: false,
    licenses: false,
    listCameras: false,
    source: { kind: "test-pattern" },
    size: undefined,
    fps: undefined,
    bitrate: 2_000_000,
    gop: 30,
    port: 8554,
    bind: "0.0.0.0",
    path: "/stream",
    rtpPort: 0,
    payloadSize: 1400,
    logLevel: "info",
    ingest: undefined,
    publish: false,
    replace: false,
    configFile: undefined,
    onDemand: undefined,
    given: new Set(),
  });
});

Deno.test("parseCliArgs() takes --on-demand with a close-after duration", () => {
  assert.equal(parseCliArgs([]).onDemand, undefined);
  assert.deepEqual(parseCliArgs(["--on-demand"]).onDemand, { closeAfterMs: 10_000 });
  assert.deepEqual(
    parseCliArgs(["--on-demand", "--on-demand-close-after", "1m30s"]).onDemand,
    { closeAfterMs: 90_000 },
  );
  const refused = (args: string[], message: RegExp) =>
    assert.throws(
      () => parseCliArgs(args),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  refused(["--on-demand", "--on-demand-close-after", "soon"], /must be a duration such as 10s/);
  refused(["--on-demand-close-after", "5s"], /goes with --on-demand/);
  refused(["--on-demand", "--ingest"], /--on-demand needs a source of its own/);
});

Deno.test("parseCliArgs() tells the sources apart by flag and file name", () => {
  assert.deepEqual(parseCliArgs(["--input", "a.h264"]).source, { kind: "h264", path: "a.h264" });
  assert.deepEqual(parseCliArgs(["-i", "b.264"]).source, { kind: "h264", path: "b.264" });
  assert.deepEqual(parseCliArgs(["--input", "c.Y4M"]).source, { kind: "y4m", path: "c.Y4M" });
  assert.deepEqual(parseCliArgs(["--input", "-"]).source, { kind: "stdin" });
  assert.deepEqual(
    parseCliArgs(["--input", "-", "--format", "YUYV", "--size", "640x480"]).source,
    { kind: "raw", path: "-", format: PixelFormat.YUYV },
  );
  const c = parseCliArgs([
    "--size",
    "640x360",
    "--fps",
    "29.97",
    "--bitrate",
    "500k",
    "--gop",
    "60",
  ]);
  assert.deepEqual([c.size, c.fps, c.bitrate, c.gop], [
    { width: 640, height: 360 },
    29.97,
    500_000,
    60,
  ]);
});

Deno.test("parseCliArgs() refuses positionals, unknown flags and values out of range", () => {
  for (
    const argv of [
      ["clip.h264"],
      ["--nope"],
      ["--port", "x"],
      ["--fps", "0"],
      ["--payload-size", "50"],
      ["--input", ""],
      ["--size", "640"],
      ["--gop", "0"],
      ["--format", "nv12"],
    ]
  ) {
    assert.throws(() => parseCliArgs(argv), UsageError, argv.join(" "));
  }
});

Deno.test("parseCliArgs() takes a camera device, an optional capture format and --list-cameras", () => {
  assert.deepEqual(parseCliArgs(["--camera", "/dev/video0"]).source, {
    kind: "camera",
    device: "/dev/video0",
    pixelFormat: undefined,
  });
  assert.deepEqual(parseCliArgs(["-c", "/dev/video2", "--format", "MJPEG"]).source, {
    kind: "camera",
    device: "/dev/video2",
    pixelFormat: 0x47504a4d, // "MJPG"
  });
  assert.equal(parseCliArgs(["--list-cameras"]).listCameras, true);
});

Deno.test("parseCliArgs() refuses two sources, an empty camera and a format cameras lack", () => {
  assert.throws(
    () => parseCliArgs(["--camera", "/dev/video0", "--input", "a.h264"]),
    { name: "UsageError", message: "choose one source: --test-pattern, --camera or --input" },
  );
  assert.throws(
    () => parseCliArgs(["--camera", "/dev/video0", "--test-pattern"]),
    /choose one source/,
  );
  assert.throws(() => parseCliArgs(["--camera", ""]), /--camera needs a device/);
  assert.throws(
    () => parseCliArgs(["--camera", "/dev/video0", "--format", "rgb565"]),
    /--format for a camera must be one of yuyv, .*mjpeg.*, got "rgb565"/,
  );
});

Deno.test("parseCliArgs() maps the resource-cap flags to ServeOptions fields, only those given", () => {
  assert.equal(parseCliArgs([]).caps, undefined);
  assert.deepEqual(
    parseCliArgs([
      "--max-connections",
      "5000",
      "--max-connections-per-ip",
      "3000",
      "--max-sessions",
      "200",
      "--max-sessions-per-ip",
      "50",
      "--header-timeout",
      "2.5",
      "--session-timeout",
      "30",
      "--queue-bytes",
      "1048576",
    ]).caps,
    {
      maxConnections: 5000,
      maxConnectionsPerIp: 3000,
      maxSessions: 200,
      maxSessionsPerIp: 50,
      headerTimeout: 2.5,
      sessionTimeout: 30,
      maxQueueBytes: 1048576,
    },
  );
});

Deno.test("parseCliArgs() refuses resource caps that are zero, negative or not numbers", () => {
  for (
    const argv of [
      ["--max-connections", "0"],
      ["--max-connections-per-ip", "-1"],
      ["--max-sessions", "many"],
      ["--max-sessions-per-ip", "1.5"],
      ["--header-timeout", "0"],
      ["--session-timeout", "1e3"],
      ["--queue-bytes", "100"],
    ]
  ) {
    assert.throws(() => parseCliArgs(argv), UsageError, argv.join(" "));
  }
});

Deno.test("--tls-cert and --tls-key turn RTSPS on at port 8322 unless --tls-port says otherwise", () => {
  assert.equal(parseCliArgs([]).tls, undefined);
  assert.deepEqual(parseCliArgs(["--tls-cert", "c.pem", "--tls-key", "k.pem"]).tls, {
    port: 8322,
    cert: "c.pem",
    key: "k.pem",
  });
  assert.deepEqual(
    parseCliArgs(["--tls-port", "0", "--tls-cert", "c.pem", "--tls-key", "k.pem"]).tls,
    { port: 0, cert: "c.pem", key: "k.pem" },
  );
});

Deno.test("RTSPS flags are refused without both files, with a bad port or on the RTSP port", () => {
  for (
    const [argv, message] of [
      [["--tls-cert", "c.pem"], /RTSPS needs both --tls-cert and --tls-key/],
      [["--tls-key", "k.pem"], /RTSPS needs both --tls-cert and --tls-key/],
      [["--tls-port", "8322"], /RTSPS needs both --tls-cert and --tls-key/],
      [["--tls-cert", "", "--tls-key", "k.pem"], /--tls-cert and --tls-key need a file name/],
      [["--tls-cert", "c", "--tls-key", "k", "--tls-port", "x"], /--tls-port must be a whole/],
      [["--tls-cert", "c", "--tls-key", "k", "--tls-port", "8554"], /must differ from --port/],
      [["--tls-cert", "c", "--tls-key", "k", "--port", "8322"], /must differ from --port/],
    ] as const
  ) {
    assert.throws(
      () => parseCliArgs(argv),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  }
});

Deno.test("parseCliArgs() takes repeatable --user NAME:PASSWORD and --auth schemes", () => {
  const cli = parseCliArgs(["--user", "alice:pa:ss", "--user", "bob:x", "--auth", "digest,basic"]);
  assert.deepEqual(cli.auth, {
    users: [{ name: "alice", password: "pa:ss" }, { name: "bob", password: "x" }],
    methods: ["digest", "basic"],
  });
  assert.deepEqual(parseCliArgs(["--user", "alice:x"]).auth?.methods, ["digest"]);
  assert.equal(parseCliArgs([]).auth, undefined);
});

Deno.test("parseCliArgs() refuses a malformed --user or --auth without echoing the password", () => {
  for (
    const [args, message] of [
      [["--user", "alice"], /--user must be NAME:PASSWORD/],
      [["--user", ":secretpw"], /--user must be NAME:PASSWORD/],
      [["--user", "alice:"], /--user must be NAME:PASSWORD/],
      [["--user", "a:secretpw", "--user", "a:y"], /--user a is given twice/],
      [["--auth", "digest"], /--auth needs at least one --user/],
      [["--user", "a:secretpw", "--auth", "ntlm"], /--auth must be digest, basic or digest,basic/],
    ] as const
  ) {
    assert.throws(() => parseCliArgs([...args]), (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, message);
      assert.ok(!e.message.includes("secretpw"));
      return true;
    });
  }
});

Deno.test("accessGiven() turns --user and --auth into access rules, else the config's auth", () => {
  const cli = parseCliArgs(["--user", "alice:x", "--auth", "basic"]);
  assert.deepEqual(accessGiven(cli, undefined), {
    access: { users: { alice: { password: "x" } }, methods: ["basic"], allowBasicWithoutTls: true },
  });
  assert.deepEqual(accessGiven(parseCliArgs([]), undefined), {});
  const auth = { users: { bob: { password: "y" } }, paths: {} };
  assert.deepEqual(accessGiven(parseCliArgs([]), { paths: {}, auth }), { access: auth });
});
