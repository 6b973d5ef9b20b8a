/**
 * The benchmark's input, made once and cached: 10 s of 1280x720 H.264 at 30 fps, GOP 30, capped at
 * 2 Mbit/s, as an Annex B file for rtsp-edge, plus the same access units length-prefixed for the
 * GStreamer peer, so both servers send byte-identical frames in the same order.
 *
 * @module
 */

import { encodeAnnexB } from "../src/codec/annexb.ts";
import { readAnnexBClip } from "../src/source/annexb_file.ts";

/** Paths of the cached clip. */
export interface BenchClip {
  /** Annex B byte stream (`.h264`). */
  h264: string;
  /** Access units from the first keyframe on, each as a 4-byte big-endian length + Annex B. */
  aus: string;
  /** Access units in one loop. */
  frames: number;
  /** Mean bit rate of the clip, bits per second at 30 fps. */
  bitrate: number;
}

/** Makes the clip with ffmpeg unless it is already in `dir`. */
export async function ensureClip(dir: string): Promise<BenchClip> {
  await Deno.mkdir(dir, { recursive: true });
  const h264 = `${dir}/clip_720p30_2M_gop30_10s.h264`;
  const aus = `${dir}/clip_720p30_2M_gop30_10s.aus`;
  if (!(await exists(h264))) {
    const tmp = `${h264}.part`;
    const { success, stderr } = await new Deno.Command("ffmpeg", {
      args: [
        ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "10"],
        ...["-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p"],
        ...["-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-bf", "0"],
        ...["-b:v", "2M", "-maxrate", "2M", "-bufsize", "1M", "-f", "h264", tmp],
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) {
      throw new Error(`ffmpeg could not make the clip: ${new TextDecoder().decode(stderr)}`);
    }
    await Deno.rename(tmp, h264);
  }
  const clip = readAnnexBClip(await Deno.readFile(h264));
  const first = clip.accessUnits.findIndex((au) => au.keyframe);
  const units = clip.accessUnits.slice(first).map((au) => encodeAnnexB(au.nalUnits));
  const total = units.reduce((n, u) => n + u.length, 0);
  if (!(await exists(aus))) {
    const out = new Uint8Array(total + 4 * units.length);
    const view = new DataView(out.buffer);
    let at = 0;
    for (const u of units) {
      view.setUint32(at, u.length);
      out.set(u, at + 4);
      at += 4 + u.length;
    }
    await Deno.writeFile(`${aus}.part`, out);
    await Deno.rename(`${aus}.part`, aus);
  }
  return { h264, aus, frames: units.length, bitrate: (total * 8 * 30) / units.length };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
