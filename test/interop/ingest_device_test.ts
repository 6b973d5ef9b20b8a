// The reference device client (examples/esp32/client, compiled here with gcc) pushing to the real
// ingest server: H.264 passed through and MJPEG transcoded, read back by ffmpeg.
import assert from "node:assert/strict";
import { argv, interopTest, run, testClip, withTempDir } from "./support.ts";
import { ffmpegMake, probeRtsp, readRtsp, sleep, startRig } from "./ingest_support.ts";

const CLIENT = new URL("../../examples/esp32/client/", import.meta.url).pathname;

interopTest(
  "the C device client pushes H.264 (one access unit per chunk) and MJPEG that readers decode",
  ["gcc", "ffmpeg", "ffprobe"],
  async () => {
    await withTempDir(async (dir) => {
      const build = await run("gcc", [
        ...argv`-std=c99 -O2 -Wall -Wextra -Werror -pedantic -o ${dir}/push_file`,
        `${CLIENT}push_file.c`,
        `${CLIENT}rtse_push.c`,
      ]);
      assert.equal(build.code, 0, build.stderr);
      await ffmpegMake(
        argv`-f lavfi -i testsrc2=size=320x240:rate=15 -t 4 -c:v mjpeg -q:v 5 -f mjpeg ${dir}/a.mjpeg`,
      );
      const rig = await startRig({
        jpeg: "h264",
        replace: false,
        bitrate: 1_000_000,
        gop: 15,
        maxFrameBytes: 1 << 20,
        token: "device-token",
      });
      const push = (kind: string, file: string, path: string) =>
        new Deno.Command(`${dir}/push_file`, {
          args:
            argv`--${kind} ${file} --url ${rig.base}/${path} --token device-token --fps 15 --loop`,
          stdout: "piped",
          stderr: "piped",
        }).spawn();
      const h264 = push("h264", await testClip(), "p4");
      const mjpeg = push("mjpeg", `${dir}/a.mjpeg`, "cam");
      try {
        await sleep(1500);
        assert.deepEqual(await probeRtsp(rig.rtsp.url("/p4")), ["h264", 640, 360]);
        assert.deepEqual(await probeRtsp(rig.rtsp.url("/cam")), ["h264", 320, 240]);
        for (const path of ["/p4", "/cam"]) {
          const r = await readRtsp(rig.rtsp.url(path), "udp", 2);
          assert.equal(r.code, 0, `${path}: ${r.stderr}`);
          assert.ok(r.frames >= 20, `${path}: ${r.frames} frames`);
        }
      } finally {
        for (const child of [h264, mjpeg]) {
          child.kill("SIGTERM");
          await child.output();
        }
        await rig.close();
      }
    });
  },
);
