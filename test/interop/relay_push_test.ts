/**
 * `--push` and `push:` through the real command line: rtsp-edge sends a path (ANNOUNCE/RECORD) to
 * another rtsp-edge taking publishers, to GStreamer's RTSP server in record mode and to ffmpeg
 * listening for RECORD, and each far side decodes it; a target that comes up late is reached after
 * the pusher's backoff; and a config file relays a camera and pushes it on.
 */

import assert from "node:assert/strict";
import { argv, freePort, interopTest, run, withTempDir } from "./support.ts";
import {
  assertFfmpegDecoded,
  Edge,
  ffmpegRead,
  gstServerTools,
  probe,
  startGstRecordServer,
  waitFor,
} from "./relay_support.ts";

/** rtsp-edge serving its test pattern at /stream, small and slow, pushing it to `targets`. */
function startPushingPattern(port: number, ...targets: string[]): Promise<Edge> {
  return Edge.start([
    ...argv`--port ${port} --size 320x240 --fps 10 --gop 10`,
    ...targets.flatMap((t) => ["--push", t]),
  ]);
}

/** rtsp-edge taking RTSP publishers on any path. */
function startPublishTarget(port: number): Promise<Edge> {
  return Edge.start(argv`--port ${port} --publish`);
}

/** Stops each, last started first, and checks that each exited cleanly. */
async function stopAll(...edges: (Edge | undefined)[]): Promise<void> {
  const problems: string[] = [];
  for (const edge of edges.reverse()) {
    if (!edge) continue;
    const code = await edge.stop();
    if (code !== 0) problems.push(`exit ${code}:\n${edge.output}`);
  }
  assert.deepEqual(problems, [], "every rtsp-edge exits 0 on SIGTERM");
}

interopTest(
  "--push to another rtsp-edge with --publish: its readers decode the pushed path over TCP and UDP",
  ["ffmpeg", "ffprobe"],
  async () => {
    const portB = freePort();
    const portC = freePort();
    let b: Edge | undefined, c: Edge | undefined;
    try {
      c = await startPublishTarget(portC);
      b = await startPushingPattern(portB, `rtsp://127.0.0.1:${portC}/x`);
      await b.logged(/push pushing .*target=rtsp:\/\/127\.0\.0\.1:\d+\/x/);
      await c.logged(/session set up .*role=publisher|session set up .*path=\/x/);
      const url = `rtsp://127.0.0.1:${portC}/x`;
      assert.deepEqual(await probe(url), ["h264", 320, 240]);
      for (const transport of ["tcp", "udp"] as const) {
        assertFfmpegDecoded(await ffmpegRead(url, transport, 20), 20, `ffmpeg over ${transport}`);
      }
    } finally {
      await stopAll(c, b);
    }
  },
);

interopTest(
  "--push to GStreamer's RTSP server in record mode: GStreamer decodes it",
  ["ffmpeg", ...gstServerTools()],
  async () => {
    const gst = await startGstRecordServer();
    let b: Edge | undefined;
    let gstLog = "";
    try {
      b = await startPushingPattern(freePort(), `rtsp://127.0.0.1:${gst.port}/x`);
      await b.logged(/push pushing/);
      await waitFor(() => gst.frames() >= 30, 30_000, () => `GStreamer decoded ${gst.frames()}`);
    } finally {
      await stopAll(b);
      gstLog = await gst.stop();
    }
    assert.doesNotMatch(gstLog, /CRITICAL|ERROR/, gstLog);
  },
);

interopTest(
  "--push to ffmpeg listening for RECORD (-rtsp_flags listen): ffmpeg decodes it without error",
  ["ffmpeg"],
  async () => {
    const port = freePort();
    // ffmpeg listens first; should the push come before it does, the pusher tries again.
    const ffmpeg = run(
      "ffmpeg",
      argv`-v error -rtsp_flags listen -timeout 60 -i rtsp://127.0.0.1:${port}/x -t 3 -xerror
        -map 0:v:0 -f framecrc -`,
      90_000,
    );
    let b: Edge | undefined;
    try {
      b = await startPushingPattern(freePort(), `rtsp://127.0.0.1:${port}/x`);
      const r = await ffmpeg;
      const frames = r.stdout.split("\n").filter((l) => /^\d+,/.test(l)).length;
      assert.equal(r.code, 0, r.stderr);
      assert.ok(frames >= 20, `ffmpeg decoded ${frames} frames in 3 s of 10 fps`);
      assert.match(b.log, /push pushing/);
    } finally {
      await stopAll(b);
      await ffmpeg;
    }
  },
);

interopTest(
  "a push target that is down at start is reached after the backoff once it comes up",
  ["ffmpeg"],
  async () => {
    const portB = freePort();
    const portC = freePort();
    let b: Edge | undefined, c: Edge | undefined;
    try {
      b = await startPushingPattern(portB, `rtsp://127.0.0.1:${portC}/x`);
      await b.logged(/push failed; trying again .*target=rtsp:\/\/127\.0\.0\.1:\d+\/x/);
      assert.equal(b.count(/push pushing/), 0);
      c = await startPublishTarget(portC);
      const up = Date.now();
      await b.logged(/push pushing/, 1, 30_000);
      // The waits are 1 s, 2 s, 4 s, … ±20 %: the next try comes within the one under way.
      const took = Date.now() - up;
      assert.ok(took < 15_000, `the pusher reached the target ${took} ms after it came up`);
      // Failing the same way again and again is one log line, not one per attempt.
      assert.equal(b.count(/push failed; trying again/), 1, b.log);
      assertFfmpegDecoded(
        await ffmpegRead(`rtsp://127.0.0.1:${portC}/x`, "tcp", 20),
        20,
        "ffmpeg reading the target",
      );
    } finally {
      await stopAll(c, b);
    }
  },
);

interopTest(
  "a config file path with source: rtsp://…, rtspTransport: udp and push: relays and pushes",
  ["ffmpeg"],
  async () => {
    await withTempDir(async (dir) => {
      const portA = freePort();
      const portB = freePort();
      const portC = freePort();
      let a: Edge | undefined, b: Edge | undefined, c: Edge | undefined;
      try {
        a = await Edge.start(argv`--port ${portA} --size 320x240 --fps 10 --gop 10`);
        c = await startPublishTarget(portC);
        const file = `${dir}/edge.yml`;
        await Deno.writeTextFile(
          file,
          `rtspPort: ${portB}
bind: 127.0.0.1
paths:
  cam:
    source: rtsp://127.0.0.1:${portA}/stream
    rtspTransport: udp
    push:
      - rtsp://127.0.0.1:${portC}/central/cam
`,
        );
        b = await Edge.start(["--config", file]);
        assert.match(
          b.output,
          /relayed from rtsp:\/\/127\.0\.0\.1:\d+\/stream; pushed to rtsp:\/\/127\.0\.0\.1:\d+\/central\/cam\n +rtsp:\/\/127\.0\.0\.1:\d+\/cam\n/,
        );
        await b.logged(/pull: playing .*transport=udp codec=h264/);
        await b.logged(/push pushing .*\/central\/cam/);
        for (const transport of ["tcp", "udp"] as const) {
          assertFfmpegDecoded(
            await ffmpegRead(`rtsp://127.0.0.1:${portB}/cam`, transport, 20),
            20,
            `ffmpeg reading the relay over ${transport}`,
          );
          assertFfmpegDecoded(
            await ffmpegRead(`rtsp://127.0.0.1:${portC}/central/cam`, transport, 20),
            20,
            `ffmpeg reading the push target over ${transport}`,
          );
        }
        // One upstream connection for every reader of B and the push.
        assert.equal(a.count(/session set up .*role=reader/), 1, a.log);
      } finally {
        await stopAll(a, c, b);
      }
    });
  },
);
