import assert from "node:assert/strict";
import { interopTest, run, testClip } from "../interop/support.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

function cli(args: string[]) {
  return run(Deno.execPath(), ["run", "-A", CLI, ...args], 30_000);
}

Deno.test("--help prints usage and exits 0; --version prints the version", async () => {
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: rtsp-edge/);
  assert.match(help.stdout, /--input FILE/);
  const version = await cli(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^rtsp-edge \d+\.\d+\.\d+\n$/);
});

for (
  const [args, message] of [
    [["--bogus"], /Unknown option '--bogus'/],
    [
      ["--port", "99999", "--input", "x"],
      /--port must be a whole number from 0 to 65535, got "99999"/,
    ],
    [["--fps", "abc", "--input", "x"], /--fps must be a number/],
    [["--path", "stream", "--input", "x"], /--path must start with "\/"/],
    [["--log-level", "loud", "--input", "x"], /--log-level must be one of/],
    [["--rtp-port", "5001", "--input", "x"], /--rtp-port must be even/],
    [[], /no source given/],
  ] as const
) {
  Deno.test(`a bad command line (${args.join(" ") || "nothing"}) gets one line and exit 2`, async () => {
    const r = await cli([...args]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/, "a stack trace was printed");
  });
}

Deno.test("a missing input file gets one line and exit 1", async () => {
  const r = await cli(["--input", "/nonexistent/clip.h264"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), "rtsp-edge: cannot read /nonexistent/clip.h264: no such file");
});

Deno.test("an input that is not H.264 gets one line and exit 1", async () => {
  const file = await Deno.makeTempFile({ suffix: ".h264" });
  await Deno.writeTextFile(file, "this is not a video\n".repeat(100));
  try {
    const r = await cli(["--input", file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rtsp-edge: the input holds no H\.264 pictures/);
  } finally {
    await Deno.remove(file);
  }
});

interopTest(
  "the CLI serves a clip that ffprobe reads, and exits 0 on SIGTERM",
  ["ffprobe"],
  async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "--input", await testClip(), "--port", "0", "--bind", "127.0.0.1"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    try {
      while (!/rtsp:\/\/\S+/.test(out)) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      const url = /rtsp:\/\/\S+/.exec(out)?.[0];
      assert.ok(url, `no URL printed: ${out}`);
      assert.match(url, /^rtsp:\/\/127\.0\.0\.1:\d+\/stream$/);
      const probe = await run("ffprobe", ["-v", "error", "-show_streams", "-of", "json", url]);
      assert.equal(probe.code, 0, probe.stderr);
      const video = JSON.parse(probe.stdout).streams[0];
      assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 640, 360]);
    } finally {
      child.kill("SIGTERM");
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
      const status = await child.status;
      const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
      assert.equal(status.code, 0, stderr);
    }
  },
);

Deno.test("a port already in use gets one line and exit 1", async () => {
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (busy.addr as Deno.NetAddr).port;
    const r = await cli([
      "--input",
      await testClip(),
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      `rtsp-edge: cannot listen for RTSP on 127.0.0.1:${port}: the port is in use`,
    );
  } finally {
    busy.close();
  }
});
