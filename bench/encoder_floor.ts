/**
 * The memory floor of an always-on encoder in a Bun binary: rtsp-edge's H.264 encoder (OpenH264 in
 * WebAssembly, in its Worker) fed the 1280x720 test pattern at 30 fps, 2 Mbit/s, GOP 30 (the
 * defaults of `deno task start`), with no server, no socket and no reader. Every access unit is
 * dropped. `--inline` runs the encoder in the main thread instead (`worker: false`), the floor
 * without the Worker. bench/idle.ts compiles it as build.ts compiles cli.ts and reads its VmRSS beside the
 * server's: what the server holds above this is the server's own.
 *
 * ```sh
 * deno run -A bench/encoder_floor.ts [--inline]      # under deno run, until killed
 * ```
 *
 * @module
 */

import process from "node:process";
import { H264Encoder } from "../src/encoder/h264_encoder.ts";
import { TestPattern } from "../src/source/test_pattern.ts";

const width = 1280, height = 720, fps = 30;
const worker = !process.argv.includes("--inline");
const encoder = await H264Encoder.create({
  width,
  height,
  fps,
  bitrate: 2_000_000,
  gop: 30,
  worker,
});
const pattern = new TestPattern({ width, height });
const start = Date.now();
let index = 0;
let busy = false;
setInterval(() => {
  // A frame still being encoded when the next is due is skipped, as the server's pipeline does.
  if (busy) return;
  busy = true;
  const frame = pattern.draw(index, start + index * 1000 / fps, index * 1e6 / fps);
  index++;
  encoder.encode({ data: frame.data, format: frame.format, timestamp: frame.timestamp })
    .finally(() => busy = false);
}, 1000 / fps);
