/**
 * Helpers for the WebAssembly encoder tests: a fresh instance, synthetic pictures, NAL types of an
 * Annex B frame, and ffmpeg (skipped when missing on a workstation, required under CI=true).
 */

import { splitAnnexB } from "../../src/codec/annexb.ts";
import { nalType } from "../../src/codec/h264.ts";
import {
  type EncoderInstance,
  instantiateEncoder,
  loadEncoderModule,
} from "../../src/encoder/wasm_binding.ts";

/** A new instance of the embedded module. */
export async function freshInstance(): Promise<EncoderInstance> {
  return instantiateEncoder(await loadEncoderModule());
}

/** The `nal_unit_type` of each NAL unit of an Annex B frame. */
export function nalTypes(annexB: Uint8Array): number[] {
  return splitAnnexB(annexB).map(nalType);
}

/** A moving I420 picture: a diagonal luma ramp scrolling by 3 px a frame, a bright box moving
 * right, and a slowly changing chroma tint. */
export function movingI420(width: number, height: number, frame: number): Uint8Array {
  const out = new Uint8Array((width * height * 3) / 2);
  const boxX = (frame * 6) % width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inBox = x >= boxX && x < boxX + 32 && y >= height / 4 && y < height / 4 + 32;
      out[y * width + x] = inBox ? 235 : 16 + ((x + y + frame * 3) % 200);
    }
  }
  const quarter = (width * height) / 4;
  out.fill(128 + (frame % 40) - 20, width * height, width * height + quarter);
  out.fill(128 - (frame % 30) + 15, width * height + quarter);
  return out;
}

/** Bytes from a deterministic generator (xorshift32), for conversion inputs. */
export function pseudoRandomBytes(length: number, seed = 0x2545f491): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

/** Whether we run in CI (then missing tools fail instead of skipping). */
export const IN_CI = Deno.env.get("CI") === "true";

function hasProgram(name: string): boolean {
  try {
    new Deno.Command(name, { args: ["-version"], stdout: "null", stderr: "null" }).outputSync();
    return true;
  } catch {
    return false;
  }
}

/** Whether ffmpeg can be run. */
export const HAVE_FFMPEG: boolean = hasProgram("ffmpeg");

/** Registers a test that needs ffmpeg: ignored when it is missing, failing under CI=true. */
export function ffmpegTest(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name,
    ignore: !HAVE_FFMPEG && !IN_CI,
    fn: async () => {
      if (!HAVE_FFMPEG) throw new Error("ffmpeg must be installed when CI=true (see .ci/run)");
      await fn();
    },
  });
}

/** Decodes an H.264 Annex B stream with ffmpeg; returns the number of decoded frames. Throws with
 * ffmpeg's message on any decoding error (`-xerror`). */
export async function ffmpegFrameCount(annexB: Uint8Array): Promise<number> {
  const child = new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-xerror", "-f", "h264", "-i", "-", "-f", "framecrc", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(annexB);
  await writer.close();
  const out = await child.output();
  const text = new TextDecoder();
  if (!out.success || out.stderr.length > 0) {
    throw new Error(`ffmpeg could not decode the stream: ${text.decode(out.stderr)}`);
  }
  return text.decode(out.stdout).split("\n").filter((l) => /^\d+,/.test(l)).length;
}
