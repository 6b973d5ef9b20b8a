/**
 * JPEG decode speed: libjpeg-turbo in WebAssembly (src/jpeg/jpeg_decoder.ts, this process) against
 * ffmpeg's native mjpeg decoder, on the same 1280x720 4:2:2 MJPEG frames in the same run.
 *
 * The frames are made by ffmpeg at the start (`testsrc2`, `-q:v 5`, yuvj422p, like a webcam's).
 * WASM: fastest of `--runs` passes over all frames, to I420 (a view; no copy out). ffmpeg:
 * `-threads 1 -benchmark` decoding the file to the null muxer, with the cost of a one-frame run
 * subtracted, so process start-up and probing do not count; user CPU time per frame.
 *
 * ```sh
 * deno run -A bench/jpeg.ts [--frames 120] [--runs 5] [--size 1280x720]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { probeJpeg } from "../src/codec/jpeg.ts";
import { JpegDecoder } from "../src/jpeg/jpeg_decoder.ts";

async function ffmpeg(args: string[]): Promise<string> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-nostdin", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`ffmpeg ${args.join(" ")} failed:\n${text}`);
  return text;
}

/** The JPEGs of an MJPEG file: each ends at the first EOI after its scan header. */
function split(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    const rest = bytes.subarray(start);
    let end = probeJpeg(rest).scanOffset ?? rest.length;
    while (end + 1 < rest.length && !(rest[end] === 0xff && rest[end + 1] === 0xd9)) end++;
    frames.push(rest.subarray(0, end + 2));
    start += end + 2;
  }
  return frames;
}

/** ffmpeg's user CPU seconds for decoding `frames` frames of `file` (`-benchmark`). */
async function ffmpegSeconds(file: string, frames: number): Promise<number> {
  const text = await ffmpeg([
    "-threads",
    "1",
    "-benchmark",
    "-f",
    "mjpeg",
    "-i",
    file,
    "-frames:v",
    String(frames),
    "-f",
    "null",
    "-",
  ]);
  const m = /bench: utime=([\d.]+)s/.exec(text);
  if (!m) throw new Error(`no -benchmark line in ffmpeg's output:\n${text}`);
  return Number(m[1]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      frames: { type: "string", default: "120" },
      runs: { type: "string", default: "5" },
      size: { type: "string", default: "1280x720" },
    },
  });
  const count = Number(values.frames);
  const runs = Number(values.runs);
  const dir = await Deno.makeTempDir({ prefix: "rtse-bench-jpeg-" });
  try {
    const file = `${dir}/frames.mjpeg`;
    await ffmpeg([
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=${values.size}:rate=30`,
      "-frames:v",
      String(count),
      "-c:v",
      "mjpeg",
      "-pix_fmt",
      "yuvj422p",
      "-q:v",
      "5",
      "-f",
      "mjpeg",
      file,
    ]);
    const frames = split(await Deno.readFile(file));
    const bytes = frames.reduce((n, f) => n + f.length, 0);
    console.log(
      `${frames.length} frames ${values.size} 4:2:2, ${
        (bytes / frames.length / 1024).toFixed(1)
      } KiB a frame`,
    );

    const decoder = await JpegDecoder.create();
    let best = Infinity;
    for (let run = 0; run <= runs; run++) {
      const start = performance.now();
      for (const f of frames) decoder.decode(f, { view: true });
      const ms = performance.now() - start;
      if (run > 0) best = Math.min(best, ms); // run 0 warms up the JIT
    }
    decoder.close();
    const wasm = best / frames.length;

    let native = Infinity;
    for (let run = 0; run < Math.max(1, Math.min(runs, 3)); run++) {
      const all = await ffmpegSeconds(file, frames.length);
      const one = await ffmpegSeconds(file, 1);
      native = Math.min(native, ((all - one) * 1000) / (frames.length - 1));
    }
    console.log(`WASM libjpeg-turbo (Deno ${Deno.version.deno}): ${wasm.toFixed(2)} ms/frame`);
    console.log(`ffmpeg mjpeg (native, 1 thread):     ${native.toFixed(2)} ms/frame`);
    console.log(`ratio WASM/native: ${(wasm / native).toFixed(2)}x`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
