/**
 * `deno task bench:camera`: what a camera costs rtsp-edge.
 *
 * 1. CPU per 1280x720 frame between the driver's buffer and the encoder (copy + YUYV→I420, or
 *    copy + MJPEG decode), against ffmpeg's native conversion and decoder on the same frames.
 * 2. Resident memory with one 720p camera stream (vivid in the QEMU VM) and 10 readers, against
 *    gst-rtsp-server serving the same camera through v4l2src ! openh264enc in the same VM.
 *
 * Options: `--skip-vm` (CPU only), `--readers N` (default 10), `--seconds S` (default 20).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { measureCaptureCpu } from "./camera_cpu.ts";
import { measureCameraMemory } from "./camera_vm.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "skip-vm": { type: "boolean" },
    readers: { type: "string" },
    seconds: { type: "string" },
  },
});

const fixed = (n: number, digits = 2) => n.toFixed(digits);
const dir = await Deno.makeTempDir({ prefix: "rtse-bench-camera-" });
try {
  console.log("CPU per 1280x720 frame, capture copy + conversion to I420 (single thread):\n");
  console.log(
    "| path | rtsp-edge ms | ffmpeg 5.1 ms | ratio edge/ffmpeg | share of a core at 30 fps |",
  );
  console.log("|---|---:|---:|---:|---:|");
  for (const row of await measureCaptureCpu(dir)) {
    console.log(
      `| ${row.path} | ${fixed(row.edgeMs)} | ${fixed(row.ffmpegMs)} | ` +
        `${fixed(row.edgeMs / row.ffmpegMs, 1)} | ${fixed(row.edgeMs * 30 / 10, 1)} % |`,
    );
  }
  if (!values["skip-vm"]) {
    const readers = Number(values.readers ?? 10);
    const seconds = Number(values.seconds ?? 20);
    console.log(
      `\nResident memory, one 1280x720 vivid camera and ${readers} TCP readers for ${seconds} s ` +
        "(QEMU TCG guest):\n",
    );
    console.log("| server | serving | peak VmRSS MB | VmHWM MB | frames per reader |");
    console.log("|---|---|---:|---:|---:|");
    const rows = await measureCameraMemory(readers, seconds);
    for (const r of rows) {
      console.log(
        `| ${r.server} | ${r.serving} | ${fixed(r.peakRssMb, 1)} | ${fixed(r.hwmMb, 1)} | ` +
          `${r.framesPerReader[0]}–${r.framesPerReader[1]} |`,
      );
    }
    const [edge, gst] = rows;
    console.log(
      `\nVmHWM ratio rtsp-edge/gst-rtsp-server: ${fixed(edge.hwmMb / gst.hwmMb)}; ` +
        `target under 120 MB: ${edge.hwmMb < 120 ? "met" : "NOT met"}`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
