/**
 * Resident memory of a camera server with 10 readers: the built rtsp-edge binary capturing
 * 1280x720 from vivid inside the QEMU VM, and GStreamer's gst-rtsp-server with v4l2src !
 * videoconvert ! openh264enc (the same encoder library, native) in the same VM, read by 10 ffmpeg
 * clients on the host through the forwarded port. VmRSS is sampled inside the guest every second.
 *
 * Under TCG the guest CPU is emulated, so only memory is compared here, not CPU.
 */

import { freePort, guestBinaryDir } from "../test/vm/guest_binary.ts";
import { startVm } from "../test/vm/vm.ts";

/** What one server showed. */
export interface MemoryRow {
  /** Server name. */
  server: string;
  /** What it served (its own description). */
  serving: string;
  /** Largest VmRSS sampled while the readers streamed, MB. */
  peakRssMb: number;
  /** VmHWM (the kernel's peak RSS) at the end, MB. */
  hwmMb: number;
  /** Frames each reader received (min / max). */
  framesPerReader: [number, number];
}

const GST_SERVER = `
import sys, gi
gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtspServer, GLib
Gst.init(None)
server = GstRtspServer.RTSPServer(); server.set_service("8554")
factory = GstRtspServer.RTSPMediaFactory(); factory.set_shared(True)
factory.set_launch("( v4l2src device=/dev/video0 ! video/x-raw,format=YUY2,width=1280,height=720"
  " ! videoconvert ! openh264enc bitrate=2000000 gop-size=30 ! h264parse"
  " ! rtph264pay name=pay0 pt=96 config-interval=-1 )")
server.get_mount_points().add_factory("/stream", factory)
server.attach(None)
print("serving gst-rtsp-server v4l2src 1280x720 YUY2 openh264enc", flush=True)
GLib.MainLoop().run()
`;

function guestScript(start: string): string {
  return `
${start} > /tmp/log 2>&1 &
pid=$!
tail -f /tmp/log &
until grep -q serving /tmp/log; do sleep 0.2; done
echo "guest: pid $pid up"
while kill -0 $pid 2>/dev/null; do
  echo "rss $(grep VmRSS /proc/$pid/status | tr -s ' ' | cut -d' ' -f2) hwm $(grep VmHWM /proc/$pid/status | tr -s ' ' | cut -d' ' -f2)"
  sleep 1
done
`;
}

async function reader(url: string, seconds: number): Promise<number> {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-v",
      "error",
      "-rtsp_transport",
      "tcp",
      "-i",
      url,
      "-t",
      String(seconds),
      "-c",
      "copy",
      "-f",
      "framecrc",
      "-",
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => /^\d+,/.test(l)).length;
}

async function measure(
  server: string,
  start: string,
  files: Record<string, string>,
  readers: number,
  seconds: number,
): Promise<MemoryRow> {
  const dir = await guestBinaryDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  await Deno.writeTextFile(`${dir}/bench_memory.sh`, guestScript(start));
  const hostPort = freePort();
  const vm = await startVm({
    command: ["sh", "/mnt/share/bench_memory.sh"],
    share: dir,
    hostPort,
    memoryMb: 2048,
    timeoutMs: 600_000,
  });
  try {
    await vm.waitFor("guest: pid", 400_000);
    const before = vm.output().length;
    const url = `rtsp://127.0.0.1:${hostPort}/stream`;
    // Readers join half a second apart, as they would in life; a server whose pipeline starts
    // at the first DESCRIBE (gst-rtsp-server) gets the time to start it once.
    const frames = await Promise.all(
      Array.from({ length: readers }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 500));
        return await reader(url, seconds);
      }),
    );
    const servingLine = /(?:^|: )serving ([^\r\n]*)/m.exec(vm.output())?.[1] ?? "";
    const samples = [...vm.output().slice(before).matchAll(/rss (\d+) hwm (\d+)/g)];
    if (samples.length === 0) throw new Error(`${server}: no memory samples\n${vm.output()}`);
    const last = samples[samples.length - 1];
    return {
      server,
      serving: servingLine.trim(),
      peakRssMb: Math.max(...samples.map((m) => Number(m[1]))) / 1024,
      hwmMb: Number(last[2]) / 1024,
      framesPerReader: [Math.min(...frames), Math.max(...frames)],
    };
  } finally {
    await vm.stop();
  }
}

/** Runs both servers, one VM each. */
export async function measureCameraMemory(readers = 10, seconds = 20): Promise<MemoryRow[]> {
  const edge = await measure(
    "rtsp-edge",
    "/mnt/share/rtsp-edge --camera /dev/video0 --size 1280x720 --fps 30",
    {},
    readers,
    seconds,
  );
  const gst = await measure(
    "gst-rtsp-server",
    "HOME=/tmp /usr/bin/python3 /mnt/share/gst_camera.py",
    { "gst_camera.py": GST_SERVER },
    readers,
    seconds,
  );
  return [edge, gst];
}
