import assert from "node:assert/strict";
import {
  argv,
  decodeFrames,
  interopTest,
  run,
  spawnServing,
  testClip,
  withTempDir,
} from "../interop/support.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** The permission flags of `deno task start`, so the tests run the CLI as the README does. */
const START_FLAGS: string[] = JSON.parse(
  await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
).tasks.start.split(" ").filter((w: string) => w.startsWith("--allow"));

function cli(args: string[]) {
  return run(Deno.execPath(), ["run", "-A", CLI, ...args], 30_000);
}

Deno.test("--help prints usage and exits 0; --version prints the version", async () => {
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: rtsp-edge/);
  assert.match(help.stdout, /--input FILE/);
  assert.match(help.stdout, /--print-config/);
  assert.match(help.stdout, /-h, --help/);
  // Every option in the help is one the parser takes, and it cites nothing users do not have.
  assert.doesNotMatch(help.stdout, /HARDENING/);
  const version = await cli(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^rtsp-edge \d+\.\d+\.\d+\n$/);
});

Deno.test("--licenses prints rtsp-edge's, fflate's, yaml's and OpenH264's notices", async () => {
  const r = await cli(["--licenses"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^rtsp-edge: MIT License/);
  assert.match(r.stdout, /Copyright \(c\) 2023 Arjun Barrett/);
  assert.match(r.stdout, /yaml 2\.9\.1 \(bundled\): ISC License/);
  assert.match(r.stdout, /OpenH264 is distributed under\s+the BSD 2-Clause licence/);
  assert.match(r.stdout, /Copyright \(c\) 2013, Cisco Systems/);
});

for (
  const [args, message] of [
    [["--bogus"], /^rtsp-edge: unknown option --bogus; did you mean --/],
    [
      ["--port", "99999"],
      /--port must be a whole number from 0 to 65535, got "99999"/,
    ],
    [["--port"], /^rtsp-edge: --port needs a value, e.g. --port 8554 \(see --help\)\n$/],
    [["--camera", "--fps", "5"], /^rtsp-edge: --camera needs a value, e.g. --camera \/dev\/video0/],
    [["--fps", "abc"], /--fps must be a number/],
    [["--path", "/cam:1"], /--path: "\/cam:1" is not a valid path name/],
    [["--log-level", "loud"], /--log-level must be "debug", "info", "warn" or "error"/],
    [["--rtp-port", "5001"], /--rtp-port must be even/],
    [["--size", "641x480"], /--size must be "WIDTHxHEIGHT" with even numbers/],
    [["--bitrate", "fast"], /--bitrate must be bits per second/],
    [["--input", "-", "--format", "yuv9"], /--format must be one of i420, .*, got "yuv9"/],
    [["--input", "-", "--format", "yuyv"], /raw pictures need their size: add --size/],
    [["--input", "nofile.mp4"], /--input: nofile\.mp4: no such file \(and MP4 is not read: /],
    [["--input", "a.h264", "--test-pattern"], /choose one source/],
    [["--camera", "/dev/video0", "--input", "a.h264"], /choose one source/],
    [["--camera", ""], /--camera needs a value/],
    [["--camera", "/dev/video0", "--format", "rgb565"], /--format must be one of yuyv, /],
    [["--publish", "--ingest"], /--publish and --ingest each take every path/],
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

Deno.test("a missing camera gets one line and exit 1, under the permissions of deno task start", async () => {
  const r = await run(Deno.execPath(), ["run", ...START_FLAGS, CLI, "--camera", "/dev/video97"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), "rtsp-edge: camera /dev/video97 not found");
});

Deno.test("a camera path that is not a V4L2 device gets one line and exit 1", async () => {
  const r = await cli(["--camera", "/dev/null"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), "rtsp-edge: /dev/null is not a V4L2 device");
});

Deno.test("--list-cameras prints each camera, or says there is none, and exits 0", async () => {
  const r = await run(Deno.execPath(), ["run", ...START_FLAGS, CLI, "--list-cameras"]);
  assert.equal(r.code, 0, r.stderr);
  const hasVideo = [...Deno.readDirSync("/dev")].some((e) => /^video\d+$/.test(e.name));
  assert.match(r.stdout, hasVideo ? /^\/dev\/video\d+: / : /^no cameras found/);
});

Deno.test("camera capture without FFI permission under Deno says which flag to add", async () => {
  const r = await run(Deno.execPath(), [
    "run",
    "--allow-net",
    "--allow-read",
    CLI,
    "--camera",
    "/dev/video0",
  ]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), "rtsp-edge: camera capture needs FFI: run Deno with --allow-ffi");
});

Deno.test("a missing input file gets one line and exit 2, before anything starts", async () => {
  const r = await cli(["--input", "/nonexistent/clip.h264"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.trim(),
    "rtsp-edge: --input: /nonexistent/clip.h264: no such file (see --help)",
  );
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

/** Starts the CLI with `args`, waits for the URL it prints, and runs `fn` against it. */
async function withCli(
  args: string[],
  fn: (url: string) => Promise<void>,
  stdin?: ReadableStream<Uint8Array>,
): Promise<void> {
  const server = await spawnServing(
    Deno.execPath(),
    ["run", ...START_FLAGS, CLI, "--port", "0", "--bind", "127.0.0.1", ...args],
    /rtsp:\/\/\S+/,
    { stdin },
  );
  try {
    const url = /rtsp:\/\/\S+/.exec(server.banner)?.[0];
    assert.ok(url, `no URL printed: ${server.banner}`);
    assert.match(url, /^rtsp:\/\/127\.0\.0\.1:\d+\/stream$/);
    await fn(url);
  } finally {
    const { code, stderr } = await server.stop();
    assert.equal(code, 0, stderr);
  }
}

async function probe(url: string) {
  const r = await run("ffprobe", ["-v", "error", "-show_streams", "-of", "json", url]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).streams[0];
}

interopTest(
  "the CLI serves a clip that ffprobe reads, and exits 0 on SIGTERM",
  ["ffprobe"],
  async () => {
    await withCli(["--input", await testClip()], async (url) => {
      const video = await probe(url);
      assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 640, 360]);
    });
  },
);

interopTest(
  "with no source the CLI serves the test pattern: h264 1280x720 at 30 fps that records cleanly",
  ["ffmpeg", "ffprobe"],
  async () => {
    await withCli([], async (url) => {
      const video = await probe(url);
      assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 1280, 720]);
      assert.equal(video.r_frame_rate, "30/1");
      await withTempDir(async (dir) => {
        const r = await run(
          "ffmpeg",
          argv`-v error -rtsp_transport tcp -i ${url} -t 5 -c copy ${dir}/o.mp4`,
        );
        assert.equal(r.code, 0, r.stderr);
        const decoded = await decodeFrames(`${dir}/o.mp4`);
        assert.equal(decoded.errors, "");
        assert.ok(decoded.frames >= 140, `only ${decoded.frames} frames`);
      });
    });
  },
);

/** Runs the CLI on what an ffmpeg producer (`producerArgs`) writes to its standard output. */
async function withPipedCli(
  producerArgs: string[],
  cliArgs: string[],
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const producer = new Deno.Command("ffmpeg", {
    args: producerArgs,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    await withCli(cliArgs, fn, producer.stdout);
  } finally {
    try {
      producer.kill("SIGKILL");
    } catch { /* already gone */ }
    await producer.status;
  }
}

interopTest(
  "Y4M piped from ffmpeg into --input - is encoded and served",
  ["ffmpeg", "ffprobe"],
  async () => {
    await withPipedCli(
      argv`-v error -re -f lavfi -i testsrc2=size=320x240:rate=25 -t 30 -f yuv4mpegpipe -`,
      ["--input", "-"],
      async (url) => {
        const video = await probe(url);
        assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 320, 240]);
        assert.equal(video.r_frame_rate, "25/1");
      },
    );
  },
);
Deno.test("standard input that is neither Y4M nor H.264 gets one line and exit 1", async () => {
  const r = await cli(["--input", "-", "--port", "0", "--bind", "127.0.0.1"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /standard input is neither Y4M nor H\.264 Annex B/);
});

interopTest(
  "H.264 piped from ffmpeg into --input - is served as it is",
  ["ffmpeg", "ffprobe"],
  async () => {
    await withPipedCli(
      argv`-v error -re -f lavfi -i testsrc2=size=320x240:rate=25 -t 30 -c:v libx264
      -profile:v baseline -g 25 -bf 0 -f h264 -`,
      ["--input", "-", "--fps", "25"],
      async (url) => {
        const video = await probe(url);
        assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 320, 240]);
        assert.equal(video.r_frame_rate, "25/1");
      },
    );
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
      `rtsp-edge: cannot listen for RTSP on 127.0.0.1:${port}: the port is in use; choose ` +
        "another with --port (rtspPort)",
    );
  } finally {
    busy.close();
  }
});
