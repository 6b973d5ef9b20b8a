/**
 * The test pattern as the preview tests and the console benchmark serve it: encoded to H.264 by
 * the project's encoder, or as JPEGs (made once by ffmpeg from the pattern's frames, RFC 2435
 * compatible: baseline 4:2:0 with the standard Huffman tables) sent at a steady rate.
 */

import { systemClock } from "../../src/base/clock.ts";
import { silentLogger } from "../../src/base/log.ts";
import { splitJpegs } from "../../src/codec/jpeg.ts";
import type { LiveStream } from "../../src/server/stream/live_stream.ts";
import { pace } from "../../src/source/pacer.ts";
import type { RunningSource } from "../../src/source/running_source.ts";
import { TestPattern } from "../../src/source/test_pattern.ts";
import { runTestPattern } from "../../src/source/test_pattern_runner.ts";
import { argv } from "../interop/support.ts";

/** Size and rate of a pattern source. */
export interface PatternSize {
  width: number;
  height: number;
  fps: number;
}

/** Feeds `stream` (codec h264) with the encoded test pattern until stopped. */
export function startH264Pattern(stream: LiveStream, size: PatternSize): Promise<RunningSource> {
  return runTestPattern(stream, { ...size, bitrate: 1_000_000, gop: size.fps * 2 }, {
    logger: silentLogger,
    clock: systemClock,
  });
}

/** `count` JPEGs of the test pattern (frames 0 to count-1), made by ffmpeg. */
export async function patternJpegs(
  width: number,
  height: number,
  count: number,
): Promise<Uint8Array[]> {
  const pattern = new TestPattern({ width, height });
  const raw = new Uint8Array((width * height * 3 / 2) * count);
  for (let i = 0; i < count; i++) raw.set(pattern.draw(i, 0, 0).data, i * (width * height * 3 / 2));
  // Through a file: ffmpeg's output would fill its pipe while the input is still being written.
  const input = await Deno.makeTempFile({ suffix: ".yuv" });
  let out;
  try {
    await Deno.writeFile(input, raw);
    out = await new Deno.Command("ffmpeg", {
      args: argv`-v error -f rawvideo -pix_fmt yuv420p -s ${width}x${height} -i ${input}
        -c:v mjpeg -huffman default -pix_fmt yuvj420p -q:v 4 -f image2pipe -`,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } finally {
    await Deno.remove(input);
  }
  if (!out.success) throw new Error(`ffmpeg failed: ${new TextDecoder().decode(out.stderr)}`);
  const jpegs = splitJpegs(out.stdout);
  if (jpegs.length !== count) throw new Error(`ffmpeg made ${jpegs.length} JPEGs, not ${count}`);
  return jpegs;
}

/** Sends `jpegs` in a loop to `stream` (codec jpeg) at `fps` until stopped. */
export function feedJpegs(stream: LiveStream, jpegs: Uint8Array[], fps: number): { stop(): void } {
  return pace(fps, (i) => {
    stream.sendFrame(jpegs[i % jpegs.length], { timestamp: (i * 1e6) / fps });
  }, systemClock);
}
