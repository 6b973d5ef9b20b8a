/**
 * The memory floor of an always-on encoder in a Bun binary: rtsp-edge's H.264 encoder (OpenH264 in
 * WebAssembly, in its Worker) fed the 1280x720 test pattern at 30 fps, 2 Mbit/s, GOP 30 (the
 * defaults of `deno task start`), with no server, no socket and no reader. Every access unit is
 * dropped. `--inline` runs the encoder in the main thread instead (`worker: false`), the floor
 * without the Worker. bench/idle.ts compiles it as build.ts compiles cli.ts and reads its VmRSS
 * beside the server's: what the server holds above this is the server's own.
 *
 * ```sh
 * deno run -A bench/encoder_floor.ts [--inline]      # under deno run, until killed
 * ```
 *
 * @module
 */

import process from "node:process";
import { EncodePipeline } from "../src/encoder/encode_pipeline.ts";
import { H264Encoder } from "../src/encoder/h264_encoder.ts";
import { pace } from "../src/source/pacer.ts";
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
// The test pattern source's own loop (test_pattern_runner.ts), into a sink that drops every unit.
const pipeline = new EncodePipeline(encoder, { sendFrame: () => true }, (error) => {
  throw error;
});
const pattern = new TestPattern({ width, height });
const start = Date.now();
pace(fps, (i) => {
  const offsetMs = (i * 1000) / fps;
  pipeline.push(pattern.draw(i, start + offsetMs, offsetMs * 1000));
});
