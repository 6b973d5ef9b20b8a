import assert from "node:assert/strict";
import { parseCliArgs, UsageError } from "../../src/cli/args.ts";

Deno.test("parseCliArgs() reads the flags of the first CLI and their defaults", () => {
  assert.deepEqual(parseCliArgs(["--input", "clip.h264"]), {
    help: false,
    version: false,
    input: "clip.h264",
    fps: undefined,
    port: 8554,
    bind: "0.0.0.0",
    path: "/stream",
    rtpPort: 0,
    payloadSize: 1400,
    logLevel: "info",
  });
  const c = parseCliArgs([
    "-i",
    "a.264",
    "--fps",
    "29.97",
    "--port",
    "0",
    "--bind",
    "::1",
    "--path",
    "/cam/1",
  ]);
  assert.deepEqual([c.fps, c.port, c.bind, c.path], [29.97, 0, "::1", "/cam/1"]);
});

Deno.test("parseCliArgs() refuses positionals, unknown flags and values out of range", () => {
  for (
    const argv of [["clip.h264"], ["--nope"], ["--port", "x"], ["--fps", "0"], [
      "--payload-size",
      "50",
    ], ["--input", ""]]
  ) {
    assert.throws(() => parseCliArgs(argv), UsageError, argv.join(" "));
  }
});
