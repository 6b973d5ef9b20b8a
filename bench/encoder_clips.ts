/**
 * The encoder benchmark's input: raw I420 frames from ffmpeg's lavfi sources, made once per
 * (source, size, frame count) and cached, so every engine encodes byte-identical frames.
 *
 * @module
 */

import { exists } from "./encoder_files.ts";

/** One cached clip. */
export interface RawClip {
  /** lavfi source name, e.g. `testsrc2` or `mandelbrot`. */
  source: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Frames in the file. */
  frames: number;
  /** Path of the raw I420 file (frames back to back, no header). */
  path: string;
}

/**
 * Makes `frames` frames of lavfi `source` at `width`x`height`, 30 fps, as raw I420 in `dir`
 * unless that file is already there with the right size.
 */
export async function ensureRawClip(
  dir: string,
  source: string,
  width: number,
  height: number,
  frames: number,
): Promise<RawClip> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${source}_${width}x${height}_${frames}f.yuv`;
  const clip = { source, width, height, frames, path };
  const expected = width * height * 3 / 2 * frames;
  if (await exists(path) && (await Deno.stat(path)).size === expected) return clip;
  const tmp = `${path}.part`;
  const { success, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-v", "error", "-y", "-f", "lavfi", "-i", `${source}=size=${width}x${height}:rate=30`],
      ...["-frames:v", String(frames), "-pix_fmt", "yuv420p", "-f", "rawvideo", tmp],
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`ffmpeg could not make ${path}: ${new TextDecoder().decode(stderr)}`);
  }
  if ((await Deno.stat(tmp)).size !== expected) {
    throw new Error(`ffmpeg made ${tmp} with the wrong size (expected ${expected} bytes)`);
  }
  await Deno.rename(tmp, path);
  return clip;
}
