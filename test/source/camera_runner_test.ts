// The camera path for MJPEG, end to end without a device: a scripted camera (test/camera's fake C
// library) offers only MJPEG and hands over recorded JPEG frames, which runCamera decodes in
// WASM, encodes to H.264 and serves; ffmpeg reads the stream over RTSP.
import assert from "node:assert/strict";
import { systemClock } from "../../src/base/clock.ts";
import { runCamera } from "../../src/source/camera_runner.ts";
import { serve } from "../../src/server/server.ts";
import type { LogLevel } from "../../src/base/log.ts";
import { discrete, FakeCamera, FakeLibC, offer } from "../camera/fake_libc.ts";
import { argv, interopTest, run } from "../interop/support.ts";
import { splitJpegs } from "../../src/codec/jpeg.ts";

interopTest(
  "recorded MJPEG camera frames are decoded, encoded and served as H.264 that ffmpeg decodes, " +
    "and a damaged frame is logged without stopping the stream",
  ["ffmpeg", "ffprobe"],
  async () => {
    const recorded = [
      ...splitJpegs(await Deno.readFile("test/testdata/mjpeg/yuv422_160x120.mjpeg")),
      ...splitJpegs(await Deno.readFile("test/testdata/mjpeg/yuv420_160x120.mjpeg")),
    ];
    assert.equal(recorded.length, 4);
    const camera = new FakeCamera({
      card: "Recorded MJPEG",
      formats: [offer("MJPG", "Motion-JPEG", [discrete(160, 120, [30, 15])], true)],
    });
    const libc = new FakeLibC({ "/dev/video0": camera });
    const lines: string[] = [];
    const logger = {
      log: (level: LogLevel, message: string) => void lines.push(`${level} ${message}`),
    };
    const server = await serve({ port: 0, hostname: "127.0.0.1", logger });
    const stream = server.addStream("/stream", { codec: "h264" });
    const source = await runCamera(
      stream,
      { device: "/dev/video0", width: 160, height: 120, fps: 30, bitrate: 2_000_000, gop: 15 },
      { logger, clock: systemClock, libc },
    );
    let i = 0;
    const start = performance.now();
    const pusher = setInterval(() => {
      // Frame 45 is cut to its headers: libjpeg cannot decode it, the next frame is fine.
      const jpeg = i === 45 ? recorded[0].subarray(0, 200) : recorded[i % recorded.length];
      camera.pushFrame({ data: jpeg, timestampUs: Math.round((performance.now() - start) * 1000) });
      i++;
    }, 1000 / 30);
    try {
      assert.match(
        source.description,
        /camera \/dev\/video0 \(Recorded MJPEG\), MJPG 160x120 at 30 fps/,
      );
      const url = server.url("/stream");
      const probe = await run("ffprobe", argv`-v error -show_streams -of json ${url}`);
      assert.equal(probe.code, 0, probe.stderr);
      const video = JSON.parse(probe.stdout).streams[0];
      assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 160, 120]);
      const r = await run(
        "ffmpeg",
        argv`-v error -xerror -rtsp_transport tcp -i ${url} -t 3 -map 0:v:0 -f framecrc -`,
      );
      assert.equal(r.code, 0, r.stderr);
      const frames = r.stdout.split("\n").filter((l) => /^\d+,/.test(l)).length;
      assert.ok(frames >= 60, `${frames} frames`);
      assert.ok(i > 45, "the damaged frame was sent while ffmpeg read");
      assert.deepEqual(lines.filter((l) => l.startsWith("error")), [
        "error a frame could not be encoded",
      ]);
    } finally {
      clearInterval(pusher);
      await source.stop();
      await server.close();
      libc.assertNoLeaks();
    }
  },
);
