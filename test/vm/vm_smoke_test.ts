// Proof that the QEMU + vivid harness works: a real V4L2 driver behind /dev/video0.
// Skipped when qemu or a kernel with modules is missing, except under CI=true (then it fails, so
// a CI machine that lacks the apt packages cannot pass silently).
import assert from "node:assert/strict";
import { freePort, guestBinaryDir, haveBun, haveVmTools } from "./guest_binary.ts";
import { startVm } from "./vm.ts";

const IN_CI = Deno.env.get("CI") === "true";
const ignore = !IN_CI && !(await haveVmTools());
const bunMissing = !IN_CI && !(await haveBun());

Deno.test({
  name: "a QEMU VM loads vivid and shows /dev/video0 with the vivid card name",
  ignore,
  async fn() {
    const t0 = performance.now();
    const vm = await startVm({
      command: ["sh", "-c", "ls -l /dev/video0; cat /sys/class/video4linux/video0/name"],
      shareUsr: false,
    });
    const code = await vm.exited;
    const seconds = (performance.now() - t0) / 1000;
    console.log(`VM boot + command + poweroff: ${seconds.toFixed(1)} s`);
    assert.equal(code, 0, vm.output());
    assert.match(vm.output(), /crw.*\/dev\/video0/);
    assert.match(vm.output(), /vivid-000-vid-cap/);
  },
});

Deno.test({
  name: "v4l2-ctl from the host's /usr captures frames from vivid inside the VM",
  ignore: ignore ||
    (!IN_CI && !(await Deno.stat("/usr/bin/v4l2-ctl").then(() => true, () => false))),
  async fn() {
    const vm = await startVm({
      command: [
        "sh",
        "-c",
        "v4l2-ctl -d /dev/video0 --info --get-fmt-video" +
        " && v4l2-ctl -d /dev/video0 --stream-mmap --stream-count=3 --stream-to=/tmp/f.raw" +
        " && wc -c /tmp/f.raw",
      ],
    });
    assert.equal(await vm.exited, 0, vm.output());
    assert.match(vm.output(), /Driver name\s*: vivid/);
    // Three frames of the default format, whatever it is, are not empty.
    const m = vm.output().match(/^\s*(\d+) \/tmp\/f\.raw/m);
    assert.ok(m && Number(m[1]) > 0, vm.output());
  },
});

/** Sends RTSP OPTIONS once; returns the response head or "" when the guest is not serving yet. */
async function rtspOptions(port: number): Promise<string> {
  let conn: Deno.TcpConn | undefined;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(
      new TextEncoder().encode(
        `OPTIONS rtsp://127.0.0.1:${port}/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n`,
      ),
    );
    const buf = new Uint8Array(4096);
    const timer = setTimeout(() => conn?.close(), 2000);
    const n = await conn.read(buf).catch(() => null);
    clearTimeout(timer);
    return n ? new TextDecoder().decode(buf.subarray(0, n)) : "";
  } catch {
    return "";
  } finally {
    try {
      conn?.close();
    } catch { /* closed by the timer */ }
  }
}

Deno.test({
  name: "dist/rtsp-edge runs inside the VM and answers OPTIONS through the host port forward",
  ignore: ignore || bunMissing,
  async fn() {
    const hostPort = freePort();
    const vm = await startVm({
      command: ["/mnt/share/rtsp-edge", "--port", "8554", "--size", "320x240", "--fps", "5"],
      share: await guestBinaryDir(),
      hostPort,
      timeoutMs: 120_000,
    });
    try {
      await vm.waitFor("rtsp://localhost:8554/stream", 90_000);
      let reply = "";
      for (let i = 0; i < 50 && !reply; i++) {
        reply = await rtspOptions(hostPort);
        if (!reply) await new Promise((r) => setTimeout(r, 200));
      }
      assert.match(reply, /^RTSP\/1\.0 200/, `${reply}\n--- console ---\n${vm.output()}`);
      assert.match(reply, /CSeq: 1/);
    } finally {
      await vm.stop();
    }
  },
});
