/**
 * Real publishers feeding a path (ANNOUNCE/RECORD): ffmpeg over TCP and UDP and GStreamer's
 * rtspclientsink, read back at the same time by ffmpeg and ffprobe; a second publisher refused
 * while the first goes on; and a reader that stays across a publisher's stop and restart.
 */

import assert from "node:assert/strict";
import { serve } from "../../src/server/server.ts";
import type { RtspServer } from "../../src/server/server.ts";
import {
  argv,
  decodeFrames,
  hasTool,
  IN_CI,
  interopTest,
  run,
  type RunResult,
  withTempDir,
} from "./support.ts";

const PATH = "/cam";

/** ffmpeg encoding a 640x360 25 fps test pattern (GOP 25, no B-frames) and publishing it. */
function ffmpegPublisher(url: string, transport: string, seconds: number): Promise<RunResult> {
  return run(
    "ffmpeg",
    argv`-v error -re -f lavfi -i testsrc2=size=640x360:rate=25 -t ${seconds} -c:v libx264
      -g 25 -bf 0 -pix_fmt yuv420p -f rtsp -rtsp_transport ${transport} ${url}`,
    seconds * 1000 + 30_000,
  );
}

/** Reads `seconds` of `url` into an MP4, then checks it decodes at 640x360. */
async function readAndDecode(url: string, transport: string, seconds: number) {
  return await withTempDir(async (dir) => {
    const out = `${dir}/out.mp4`;
    const r = await run(
      "ffmpeg",
      argv`-v error -rtsp_transport ${transport} -i ${url} -t ${seconds} -c copy ${out}`,
      seconds * 1000 + 30_000,
    );
    assert.equal(r.code, 0, `ffmpeg reader over ${transport}: ${r.stderr}`);
    const probe = await run("ffprobe", argv`-v error -show_streams -of json ${out}`);
    const video = JSON.parse(probe.stdout).streams[0];
    return { decoded: await decodeFrames(out), width: video.width, height: video.height };
  });
}

async function startServer(): Promise<{ server: RtspServer; url: string }> {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  return { server, url: server.url(PATH) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const transport of ["tcp", "udp"]) {
  interopTest(
    `ffmpeg publishing over ${transport} is read by ffmpeg over TCP and UDP at once, decoding without error`,
    ["ffmpeg", "ffprobe"],
    async () => {
      const { server, url } = await startServer();
      try {
        const publisher = ffmpegPublisher(url, transport, 7);
        await sleep(1500);
        const [tcp, udp] = await Promise.all([
          readAndDecode(url, "tcp", 4),
          readAndDecode(url, "udp", 4),
        ]);
        for (const [name, r] of [["tcp", tcp], ["udp", udp]] as const) {
          assert.equal(r.decoded.errors, "", `reader over ${name}`);
          assert.ok(r.decoded.frames >= 90, `reader over ${name}: only ${r.decoded.frames} frames`);
          assert.deepEqual([r.width, r.height], [640, 360]);
        }
        const p = await publisher;
        assert.equal(p.code, 0, `publisher: ${p.stderr}`);
        assert.equal(server.stats.badRtp, 0);
        assert.equal(server.stats.droppedAccessUnits, 0);
      } finally {
        await server.close();
      }
    },
  );
}

interopTest(
  "a second publisher on a busy path is refused with 409, whose reason ffmpeg prints, while the first keeps going",
  ["ffmpeg", "ffprobe"],
  async () => {
    const { server, url } = await startServer();
    try {
      const first = ffmpegPublisher(url, "tcp", 6);
      await sleep(1500);
      const second = await ffmpegPublisher(url, "tcp", 2);
      assert.notEqual(second.code, 0);
      // ffmpeg prints the reason phrase only of a status above 400 (libavformat/rtsp.c).
      assert.ok(
        second.stderr.includes(
          "method ANNOUNCE failed: 409 Conflict (path is already being published)",
        ),
        second.stderr,
      );
      const r = await readAndDecode(url, "tcp", 3);
      assert.equal(r.decoded.errors, "");
      assert.ok(r.decoded.frames >= 65, `only ${r.decoded.frames} frames`);
      const p = await first;
      assert.equal(p.code, 0, `first publisher: ${p.stderr}`);
    } finally {
      await server.close();
    }
  },
);

interopTest(
  "ffmpeg publishing to a path that takes no publishers prints the 403 that says how to allow it",
  ["ffmpeg"],
  async () => {
    const server = await serve({ port: 0, hostname: "127.0.0.1", publishers: () => undefined });
    try {
      const refused = await ffmpegPublisher(server.url(PATH), "tcp", 2);
      assert.notEqual(refused.code, 0);
      // ffmpeg prints the reason phrase of any status above 400 (libavformat/rtsp.c).
      assert.ok(
        refused.stderr.includes(
          "method ANNOUNCE failed: 403 Forbidden (this path takes no publishers: start rtsp-edge " +
            "with --publish, or give the path source: publisher)",
        ),
        refused.stderr,
      );
    } finally {
      await server.close();
    }
  },
);

interopTest(
  "a reader stays across a publisher's stop and restart, with timestamps rising",
  ["ffmpeg"],
  async () => {
    const { server, url } = await startServer();
    try {
      const first = ffmpegPublisher(url, "tcp", 3);
      await sleep(1000);
      const reader = run(
        "ffmpeg",
        argv`-v error -rtsp_transport tcp -i ${url} -t 5 -c copy -f framecrc -`,
        40_000,
      );
      assert.equal((await first).code, 0);
      const second = await ffmpegPublisher(url, "udp", 4);
      assert.equal(second.code, 0, `second publisher: ${second.stderr}`);
      const r = await reader;
      assert.equal(r.code, 0, r.stderr);
      // framecrc: "stream, dts, pts, duration, size, crc". ffmpeg stamps its first RTSP packet 0
      // when copying, so the first line says nothing about the server.
      const pts = r.stdout.split("\n").filter((l) => /^0,/.test(l)).slice(1).map((l) =>
        Number(l.split(",")[2])
      );
      // Five seconds of media time, the gap between the publishers included (RTP time moves on by
      // the wall-clock gap, RFC 3550 §5.1), at 25 fps.
      assert.ok(pts.length >= 80, `only ${pts.length} frames`);
      const backwards = pts.slice(1).filter((t, i) => t <= pts[i]);
      assert.deepEqual(backwards, [], "pts must rise across the publisher's restart");
    } finally {
      await server.close();
    }
  },
);

/** Waits up to 5 s for `PATH` to take a new publisher. */
async function pathFreed(server: RtspServer): Promise<boolean> {
  for (let i = 0; i < 50; i++, await sleep(100)) {
    try {
      server.publish(PATH, { codec: "h264", publisher: "test" }).release();
      return true;
    } catch { /* still claimed */ }
  }
  return false;
}

/** Whether a GStreamer element is installed. */
function hasGstElement(name: string): boolean {
  if (!hasTool("gst-inspect-1.0")) return false;
  return new Deno.Command("gst-inspect-1.0", { args: [name], stdout: "null", stderr: "null" })
    .outputSync().success;
}

// x264enc is in gstreamer1.0-plugins-ugly, rtspclientsink in gstreamer1.0-rtsp.
const GST_ELEMENTS = ["x264enc", "rtspclientsink"];
const missingElements = GST_ELEMENTS.filter((e) => !hasGstElement(e));

for (const protocol of ["tcp", "udp"]) {
  const name = `GStreamer rtspclientsink publishing over ${protocol} is read by ffprobe and ffmpeg`;
  if (missingElements.length > 0 && !IN_CI) {
    Deno.test({ name, ignore: true, fn() {} });
    continue;
  }
  interopTest(name, ["gst-launch-1.0", "ffmpeg", "ffprobe"], async () => {
    if (missingElements.length > 0) {
      throw new Error(`GStreamer elements ${missingElements.join(", ")} must be installed in CI`);
    }
    const { server, url } = await startServer();
    try {
      // A live source without an end, stopped by the test: with num-buffers, GStreamer 1.22's
      // rtspclientsink hangs at EOS in about one run in four (its rtpsession schedules the BYE but
      // never forwards the EOS), and delaying the SETUP reply by a second, as gortsplib does for
      // GStreamer, did not change that. INTEROP.md: rtspclientsink is sensitive to the timing of
      // the SETUP reply; this server answers at once, and both transports are exercised.
      const publisher = new Deno.Command("gst-launch-1.0", {
        args: [
          ...argv`-q videotestsrc is-live=true ! video/x-raw,width=640,height=360,framerate=25/1`,
          ...argv`! x264enc tune=zerolatency key-int-max=25 ! rtspclientsink location=${url}`,
          `protocols=${protocol}`,
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      try {
        await sleep(2000);
        const probe = await run(
          "ffprobe",
          argv`-v error -rtsp_transport tcp -show_streams -of json ${url}`,
          30_000,
        );
        assert.equal(probe.code, 0, probe.stderr);
        const video = JSON.parse(probe.stdout).streams[0];
        assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 640, 360]);
        const r = await readAndDecode(url, "tcp", 2);
        assert.equal(r.decoded.errors, "");
        assert.ok(r.decoded.frames >= 40, `only ${r.decoded.frames} frames`);
        assert.equal(server.stats.badRtp, 0);
      } finally {
        try {
          publisher.kill("SIGKILL");
        } catch { /* already gone */ }
        await publisher.output();
      }
      // The publisher's connection closed: the path is free for the next one.
      assert.ok(await pathFreed(server), "the path stayed claimed after the publisher died");
    } finally {
      await server.close();
    }
  });
}
