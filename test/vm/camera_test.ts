// `rtsp-edge --camera` against the Linux kernel's vivid driver, in a QEMU VM: the built binary runs
// inside the guest, ffmpeg reads its stream from the host through the forwarded port.
// Skipped when qemu, a kernel or Bun is missing, except under CI=true (then it fails).
import assert from "node:assert/strict";
import { argv, run } from "../interop/support.ts";
import { freePort, guestBinaryDir, haveBun, haveVmTools } from "./guest_binary.ts";
import { startVm, type Vm } from "./vm.ts";

const IN_CI = Deno.env.get("CI") === "true";
const haveFfmpeg = await run("ffmpeg", ["-version"]).then((r) => r.code === 0, () => false);
const ignore = !IN_CI && !(await haveVmTools() && await haveBun() && haveFfmpeg);

/** Boots a VM that runs `script` (sh) with the binary on /mnt/share and port 8554 forwarded. */
async function bootWith(name: string, script: string, hostPort: number): Promise<Vm> {
  const dir = await guestBinaryDir();
  await Deno.writeTextFile(`${dir}/${name}.sh`, `B=/mnt/share/rtsp-edge\n${script}`);
  return await startVm({
    command: ["sh", `/mnt/share/${name}.sh`],
    share: dir,
    hostPort,
    timeoutMs: 240_000,
  });
}

/** Frames ffmpeg decodes from `url` in `seconds`, with their timestamps; errors fail ffmpeg. */
async function readStream(url: string, transport: "tcp" | "udp", seconds: number) {
  const r = await run(
    "ffmpeg",
    argv`-v error -xerror -rtsp_transport ${transport} -timeout 20000000 -i ${url} -t ${seconds} -map 0:v:0 -f framecrc -`,
  );
  const pts = r.stdout.split("\n").filter((l) => /^\d+,/.test(l)).map((l) =>
    Number(l.split(",")[1])
  );
  return { code: r.code, stderr: r.stderr, frames: pts.length, pts };
}

async function probe(url: string, transport: "tcp" | "udp") {
  const r = await run(
    "ffprobe",
    argv`-v error -rtsp_transport ${transport} -show_streams -of json ${url}`,
  );
  assert.equal(r.code, 0, r.stderr);
  const video = JSON.parse(r.stdout).streams[0];
  return { codec: video.codec_name, width: video.width, height: video.height };
}

Deno.test({
  name: "the binary lists vivid's formats, refuses a missing, unsupported or busy camera in one " +
    "line, and streams YUYV 640x360 that ffmpeg decodes over TCP and UDP",
  ignore,
  async fn() {
    const hostPort = freePort();
    const vm = await bootWith(
      "camera_yuyv",
      `
$B --list-cameras; echo "list-cameras rc=$?"
$B --camera /dev/video7; echo "missing rc=$?"
$B --camera /dev/video0 --format mjpeg; echo "unsupported rc=$?"
: > /tmp/log
$B --camera /dev/video0 --size 640x360 --fps 30 > /tmp/log 2>&1 &
tail -f /tmp/log &
until grep -q rtsp:// /tmp/log; do sleep 0.2; done
$B --camera /dev/video0 --port 8555; echo "busy rc=$?"
echo "guest: ready"
wait
`,
      hostPort,
    );
    try {
      await vm.waitFor("guest: ready", 180_000);
      const out = vm.output();
      assert.match(out, /\/dev\/video0: vivid \(vivid, platform:vivid-000\)/);
      assert.match(out, /^ {2}yuyv {3}YUYV 4:2:2$/m);
      assert.match(out, /^ {4}640x360 {5}1, 2, 4, 5, 10, 12\.5, 15, 25, 30, 40 fps\r?$/m);
      assert.match(out, /^ {2}nv12 {3}Y\/UV 4:2:0/m);
      assert.match(out, /list-cameras rc=0/);
      assert.match(out, /rtsp-edge: camera \/dev\/video7 not found\S*\r?\n\S*missing rc=1/);
      assert.match(out, /rtsp-edge: unsupported format: the camera offers YUYV, UYVY, .* not MJPG/);
      assert.match(out, /unsupported rc=1/);
      assert.match(out, /rtsp-edge: camera \/dev\/video0 is busy: another program is using it/);
      assert.match(out, /busy rc=1/);
      assert.match(out, /serving camera \/dev\/video0 \(vivid\), YUYV 640x360 at 30 fps/);
      // No stack trace for any of the refusals.
      assert.doesNotMatch(out, /^\s+at /m);

      const url = `rtsp://127.0.0.1:${hostPort}/stream`;
      assert.deepEqual(await probe(url, "tcp"), { codec: "h264", width: 640, height: 360 });
      for (const transport of ["tcp", "udp"] as const) {
        const r = await readStream(url, transport, 3);
        assert.equal(r.code, 0, `${transport}: ${r.stderr}\n${vm.output()}`);
        assert.equal(r.stderr, "", transport);
        // The guest's CPU is emulated (TCG) and shared with the host's load: count decoded
        // frames, not the camera's full rate.
        assert.ok(r.frames >= 15, `${transport}: ${r.frames} frames`);
      }
    } finally {
      await vm.stop();
    }
  },
});

Deno.test({
  name: "the binary captures NV12 at the nearest size and rate vivid offers, says so, and ffmpeg " +
    "decodes it over UDP",
  ignore,
  async fn() {
    const hostPort = freePort();
    const vm = await bootWith(
      "camera_nv12",
      "$B --camera /dev/video0 --format nv12 --size 300x200 --fps 24 --gop 12\n",
      hostPort,
    );
    try {
      await vm.waitFor("rtsp://localhost:8554/stream", 180_000);
      const out = vm.output();
      assert.match(out, /asked for 300x200, the camera's nearest size is 320x180/);
      assert.match(out, /asked for 24 fps, the camera's nearest rate is 25 fps/);
      assert.match(out, /serving camera \/dev\/video0 \(vivid\), NV12 320x180 at 25 fps/);
      const url = `rtsp://127.0.0.1:${hostPort}/stream`;
      assert.deepEqual(await probe(url, "udp"), { codec: "h264", width: 320, height: 180 });
      const r = await readStream(url, "udp", 3);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.frames >= 15, `${r.frames} frames`); // emulated CPU, as above
    } finally {
      await vm.stop();
    }
  },
});

Deno.test({
  name: "a camera that disconnects is logged, its reader stays connected, and capture resumes " +
    "with rising timestamps when the device returns",
  ignore,
  async fn() {
    const hostPort = freePort();
    // Unbinding vivid's platform device removes /dev/video0 as unplugging a USB camera does (the
    // driver's remove runs, the node goes); binding it again is plugging it back in.
    const vm = await bootWith(
      "camera_loss",
      `
: > /tmp/log
$B --camera /dev/video0 --size 320x180 --fps 30 > /tmp/log 2>&1 &
tail -f /tmp/log &
until grep -q "session set up" /tmp/log; do sleep 0.2; done
sleep 3
echo vivid.0 > /sys/bus/platform/drivers/vivid/unbind
until grep -q "waiting for the camera" /tmp/log; do sleep 0.2; done
sleep 3
echo vivid.0 > /sys/bus/platform/drivers/vivid/bind
echo "guest: camera plugged back in"
wait
`,
      hostPort,
    );
    try {
      await vm.waitFor("rtsp://localhost:8554/stream", 180_000);
      const reading = readStream(`rtsp://127.0.0.1:${hostPort}/stream`, "tcp", 12);
      await vm.waitFor("camera is back", 120_000);
      const r = await reading;
      const out = vm.output();
      assert.match(out, /camera lost; readers stay connected/);
      assert.match(out, /waiting for the camera/);
      assert.equal(r.code, 0, r.stderr + out);
      // Timestamps only rise, and the reader got frames from before and after the gap.
      for (let i = 1; i < r.pts.length; i++) assert.ok(r.pts[i] > r.pts[i - 1], `pts ${i}`);
      const steps = r.pts.slice(1).map((p, i) => p - r.pts[i]);
      const typical = [...steps].sort((a, b) => a - b)[steps.length >> 1];
      const longest = Math.max(...steps);
      assert.ok(longest > 10 * typical, `no gap while the camera was away: ${longest}/${typical}`);
      const afterGap = steps.length - steps.indexOf(longest);
      assert.ok(afterGap >= 15, `${afterGap} frames after the camera returned`);
    } finally {
      await vm.stop();
    }
  },
});
