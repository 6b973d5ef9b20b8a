/**
 * Helpers for the JPEG tests: the recorded MJPEG frames of test/testdata/mjpeg/, ffmpeg's own
 * decode of a frame as the reference, picture comparison, and seeded mutations for fuzzing.
 */

import { probeJpeg } from "../../src/codec/jpeg.ts";

const DATA = new URL("../testdata/mjpeg/", import.meta.url);

/**
 * The recorded files: made with ffmpeg 5.1 (`-f lavfi -i testsrc2=size=WxH -c:v mjpeg -q:v 8
 * -pix_fmt yuvj4xxp -f mjpeg`, several frames back to back) and cjpeg 2.1.5 from an ffmpeg
 * testsrc2 PPM (`-sample 2x2` at an odd size, `-sample 4x1`, `-rgb`, `-grayscale`, and
 * `-sample 2x1 -progressive -restart 2`).
 */
export const FILES = {
  yuv422: "yuv422_160x120.mjpeg",
  yuv420: "yuv420_160x120.mjpeg",
  yuv444: "yuv444_160x120.mjpeg",
  gray: "gray_160x120.jpg",
  odd: "yuv420_99x75.jpg",
  yuv411: "yuv411_160x120.jpg",
  rgb: "rgb_160x120.jpg",
  progressive: "progressive_422_160x120.jpg",
  hd: "yuv422_1280x720.mjpeg",
} as const;

/** Reads a file of test/testdata/mjpeg/. */
export function readData(name: string): Uint8Array {
  return Deno.readFileSync(new URL(name, DATA));
}

/** The JPEGs of an MJPEG file (concatenated JPEGs, as ffmpeg's `-f mjpeg` writes them): each one
 * ends at the first EOI after its first scan header (ffmpeg writes one scan per frame). */
export function splitMjpeg(bytes: Uint8Array): Uint8Array[] {
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

/** The first JPEG of a test file. */
export function firstFrame(name: string): Uint8Array {
  return splitMjpeg(readData(name))[0];
}

/** ffmpeg's decode of one JPEG as I420 (`-pix_fmt yuv420p`, so BT.601 limited range). */
export async function ffmpegI420(jpeg: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-f", "mjpeg", "-i", "-"].concat(
      ["-frames:v", "1", "-pix_fmt", "yuv420p", "-f", "rawvideo", "-"],
    ),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(jpeg);
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`ffmpeg failed: ${new TextDecoder().decode(out.stderr)}`);
  return out.stdout;
}

/** An I420 picture of `w`×`h` cropped to its top-left `cw`×`ch` (both even). ffmpeg's chroma
 * planes of an odd size are rounded up. */
export function cropI420(
  data: Uint8Array,
  w: number,
  h: number,
  cw: number,
  ch: number,
): Uint8Array {
  const out = new Uint8Array(cw * ch * 1.5);
  for (let y = 0; y < ch; y++) out.set(data.subarray(y * w, y * w + cw), y * cw);
  const sw = Math.ceil(w / 2), sh = Math.ceil(h / 2);
  for (let p = 0; p < 2; p++) {
    const src = w * h + p * sw * sh, dst = cw * ch + (p * cw * ch) / 4;
    for (let y = 0; y < ch / 2; y++) {
      out.set(data.subarray(src + y * sw, src + y * sw + cw / 2), dst + (y * cw) / 2);
    }
  }
  return out;
}

/** Mean absolute difference and PSNR (dB) of two pictures of the same length. */
export function compare(a: Uint8Array, b: Uint8Array): { mad: number; psnr: number } {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let sum = 0, squares = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += Math.abs(d);
    squares += d * d;
  }
  const mse = squares / a.length;
  return { mad: sum / a.length, psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse) };
}

/** A deterministic generator (mulberry32): numbers in [0, 1). */
export { seededRandom as seeded } from "../support/bytes.ts";

/** A mutated copy of `bytes`: a few random byte changes, and sometimes a cut or a spliced run. */
export function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  let out = bytes.slice();
  const int = (n: number) => Math.floor(random() * n);
  const edits = 1 + int(8);
  for (let i = 0; i < edits; i++) {
    const at = int(out.length);
    switch (int(4)) {
      case 0:
        out[at] = int(256);
        break;
      case 1:
        out[at] ^= 1 << int(8);
        break;
      case 2:
        out[at] = [0x00, 0xff, 0xd8, 0xd9, 0xda, 0xc0][int(6)];
        break;
      default: {
        const from = int(out.length), length = int(16);
        out.copyWithin(at, from, from + length);
      }
    }
  }
  if (int(4) === 0) out = out.subarray(0, int(out.length + 1));
  return out;
}
