/**
 * Sources for the snapshot tests: a server path fed by the project's encoder with a static
 * picture (the test pattern's colour bars, counter and clock frozen), so any two frames of it look
 * the same, and a JPEG path fed with one JPEG over and over.
 */

import { EncodePipeline } from "../../src/encoder/encode_pipeline.ts";
import { H264Encoder } from "../../src/encoder/h264_encoder.ts";
import type { RtspServer } from "../../src/server/server.ts";
import { pace } from "../../src/source/pacer.ts";
import { TestPattern } from "../../src/source/test_pattern.ts";

/** A running source; `stop` ends it. */
export interface TestSource {
  /** Stops feeding the path. */
  stop(): Promise<void>;
}

/** Feeds `path` with a static colour-bars picture at 30 fps through H264Encoder. */
export async function staticBars(
  server: RtspServer,
  path: string,
  width: number,
  height: number,
): Promise<TestSource> {
  const encoder = await H264Encoder.create({ width, height, fps: 30, gop: 30, bitrate: 2_000_000 });
  const stream = server.addStream(path, {
    codec: "h264",
    framerate: 30,
    onKeyframeRequest: () => encoder.requestKeyframe(),
  });
  const pipeline = new EncodePipeline(encoder, stream, () => {});
  const pattern = new TestPattern({ width, height });
  const frozen = Date.UTC(2026, 0, 1, 12, 0, 0);
  // Frame 0 at one wall time every time: the box and the burned-in counter and clock stand still.
  const player = pace(30, (i) => pipeline.push({ ...pattern.draw(0, frozen, (i * 1e6) / 30) }));
  return {
    async stop() {
      player.stop();
      await encoder.close();
    },
  };
}

/** Feeds `path` (a JPEG stream) with `jpeg` 10 times a second. */
export function repeatedJpeg(server: RtspServer, path: string, jpeg: Uint8Array): TestSource {
  const stream = server.addStream(path, { codec: "jpeg", framerate: 10 });
  const player = pace(10, () => {
    if (!stream.sendFrame(jpeg)) throw new Error("the stream refused the JPEG");
  });
  return {
    stop() {
      player.stop();
      return Promise.resolve();
    },
  };
}

/** ffmpeg's first decoded frame of an RTSP URL (over TCP), as I420. */
export async function ffmpegRtspFrame(url: string): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ...["-v", "error", "-rtsp_transport", "tcp", "-i", url],
      ...["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"],
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`ffmpeg: ${new TextDecoder().decode(out.stderr)}`);
  return out.stdout;
}

/** Polls `condition` every 50 ms until it holds or `timeoutMs` passed; returns whether it held. */
export async function eventually(condition: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
