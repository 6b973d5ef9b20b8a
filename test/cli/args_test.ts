import assert from "node:assert/strict";
import { parseCliArgs, UsageError } from "../../src/cli/args.ts";
import { PixelFormat } from "../../src/source/raw_frame.ts";

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
    given: new Set(),
  });
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
