// The reference device client (examples/esp32/client, compiled here with gcc) pushing to the real
// ingest server: H.264 passed through and MJPEG transcoded, read back by ffmpeg; and a second
// client getting the path of one that went silent, as a restarted device does.
import assert from "node:assert/strict";
import { argv, interopTest, run, testClip, withTempDir } from "./support.ts";
import { ffmpegMake, POLICY, probeRtsp, readRtsp, sleep, startRig } from "./ingest_support.ts";

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

interopTest(
  "a device client that goes silent (as after a power cut) is replaced by the next push to its " +
    "path, and refused with the fix named while it still sends",
  ["gcc", "ffmpeg"],
  async () => {
    await withTempDir(async (dir) => {
      const build = await run("gcc", [
        ...argv`-std=c99 -O2 -Wall -Wextra -Werror -pedantic -o ${dir}/push_file`,
        `${CLIENT}push_file.c`,
        `${CLIENT}rtse_push.c`,
      ]);
      assert.equal(build.code, 0, build.stderr);
      const clip = await testClip();
      const rig = await startRig({
        jpeg: "h264",
        replace: false,
        bitrate: 1_000_000,
        gop: 15,
        maxFrameBytes: 1 << 20,
        token: "device-token",
      });
      const args = argv`--h264 ${clip} --url ${rig.base}/cam --token device-token --fps 15`;
      const push = () =>
        new Deno.Command(`${dir}/push_file`, {
          args: [...args, "--loop"],
          stdout: "piped",
          stderr: "piped",
        }).spawn();
      const before = push();
      let after: Deno.ChildProcess | undefined;
      try {
        await sleep(1500);
        const refused = await run(`${dir}/push_file`, args);
        assert.equal(refused.code, 4, refused.stdout + refused.stderr);
        assert.match(refused.stdout, /server answered .*"replace": true on the path/);
        // The device loses power: no FIN, no bytes; its connection stays open on the server.
        before.kill("SIGSTOP");
        await sleep(2500);
        after = push();
        await sleep(1000);
        const r = await readRtsp(rig.rtsp.url("/cam"), "tcp", 2);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.frames >= 20, `${r.frames} frames from the device that took over`);
        const taken = rig.lines.filter((l) => l.message === "silent device replaced by a new push");
        assert.equal(taken.length, 1, JSON.stringify(rig.lines));
        assert.equal(taken[0].fields?.path, "/cam");
        assert.ok(Number(taken[0].fields?.silentMs) >= 2000);
      } finally {
        for (const child of [before, after]) {
          if (!child) continue;
          child.kill("SIGTERM");
          child.kill("SIGCONT");
          await child.output();
        }
        await rig.close();
      }
    });
  },
);

interopTest(
  "the C device client pushes MJPEG and, on a second connection, microphone PCM (24 bits in " +
    "32-bit slots, stamped per chunk): readers get both tracks and decode them",
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
      await ffmpegMake(
        argv`-f lavfi -i sine=frequency=440:sample_rate=16000 -t 4 -f s32le -ac 1 ${dir}/mic.raw`,
      );
      const rig = await startRig({ ...POLICY, token: "device-token" });
      const base = argv`--url ${rig.base}/cam --token device-token --loop`;
      const spawn = (args: string[]) =>
        new Deno.Command(`${dir}/push_file`, { args, stdout: "piped", stderr: "piped" }).spawn();
      const video = spawn([...argv`--mjpeg ${dir}/a.mjpeg --fps 15`, ...base]);
      const audio = spawn([...argv`--pcm-s32le ${dir}/mic.raw --rate 16000`, ...base]);
      try {
        await sleep(1500);
        await withTempDir(async (out) => {
          const r = await run(
            "ffmpeg",
            argv`-v error -rtsp_transport tcp -i ${rig.rtsp.url("/cam")} -t 3 -c copy ${out}/r.mkv`,
          );
          assert.equal(r.code, 0, r.stderr);
          const probe = await run("ffprobe", argv`-v error -show_streams -of json ${out}/r.mkv`);
          const streams = JSON.parse(probe.stdout).streams as { codec_name: string }[];
          assert.deepEqual(streams.map((s) => s.codec_name).sort(), ["h264", "pcm_s16be"]);
          const decode = await run("ffmpeg", argv`-v error -xerror -i ${out}/r.mkv -f null -`);
          assert.equal(decode.code, 0, decode.stderr);
          // The 440 Hz tone came through (its top 16 bits) at ffmpeg's sine level, 1/8 of full
          // scale (-21 dB mean): not silence, nor the full-scale noise of a wrong byte order.
          const vol = await run(
            "ffmpeg",
            argv`-i ${out}/r.mkv -map 0:a -af volumedetect -f null -`,
          );
          const mean = Number(/mean_volume: (-?[\d.]+) dB/.exec(vol.stderr)?.[1]);
          assert.ok(mean > -24 && mean < -18, `mean volume ${mean} dB`);
        });
      } finally {
        for (const child of [video, audio]) {
          child.kill("SIGTERM");
          await child.output();
        }
        await rig.close();
      }
      assert.equal(rig.lines.filter((l) => l.message === "ingest refused").length, 0);
    });
  },
);
