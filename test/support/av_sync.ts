/**
 * Lip-sync, measured the way a viewer would notice it: a clip whose picture flashes white and whose
 * sound beeps at the same instants (the start of every second), and a measurement of a recording of
 * it that finds each flash and each beep and reports how far apart they landed.
 *
 * The clip comes from ffmpeg's lavfi sources, so nothing is stored: `geq` paints a frame white
 * during the first 40 ms of each second, `aevalsrc` plays a 1 kHz tone during the same 40 ms. In a
 * recording, `signalstats` gives each frame's mean luma (a flash is above mid-grey) and
 * `silencedetect` gives where each silence ends (a beep starts).
 *
 * @module
 */

import { argv, run } from "../interop/support.ts";

/** How long each flash and beep lasts, seconds: one frame at 25 fps. */
const PULSE_S = 0.04;

/** ffmpeg input arguments for the flashing and beeping clip (video first, then audio). */
export function avSyncInputs(
  { width = 320, height = 240, fps = 25, rate = 48000 } = {},
): string[] {
  const video = `color=c=black:s=${width}x${height}:r=${fps},format=yuv420p,` +
    `geq=lum='if(lt(mod(T,1),${PULSE_S}),235,16)':cb=128:cr=128`;
  const audio = `aevalsrc='if(lt(mod(t,1),${PULSE_S}),0.8*sin(2*PI*1000*t),0)':s=${rate}`;
  return ["-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio];
}

/** The flash and beep instants found in a recording, and how they pair up. */
export interface AvSyncResult {
  /** Presentation times (s) of the first frame of each flash. */
  flashes: number[];
  /** Presentation times (s) where each beep starts. */
  beeps: number[];
  /** For each flash with a beep within half a second: beep minus flash, milliseconds. */
  offsetsMs: number[];
}

/** The offsets a result's pairs give: median and the largest in size, ms (NaN with none). */
export function summarizeOffsets(offsetsMs: readonly number[]): { median: number; worst: number } {
  if (offsetsMs.length === 0) return { median: NaN, worst: NaN };
  const sorted = offsetsMs.toSorted((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const worst = sorted.reduce((w, x) => Math.abs(x) > Math.abs(w) ? x : w, 0);
  return { median, worst };
}

/** Pairs each flash with the nearest beep within half a second: beep minus flash, ms. */
export function pairOffsets(flashes: readonly number[], beeps: readonly number[]): number[] {
  const out: number[] = [];
  for (const flash of flashes) {
    let best: number | undefined;
    for (const beep of beeps) {
      if (
        Math.abs(beep - flash) < 0.5 &&
        (best === undefined || Math.abs(beep - flash) < Math.abs(best - flash))
      ) {
        best = beep;
      }
    }
    if (best !== undefined) out.push((best - flash) * 1000);
  }
  return out;
}

/**
 * The starts of runs of bright frames in `signalstats` output (`pts_time` then `YAVG` lines): a
 * bright frame after a dark one. A recording that starts on a bright frame has no onset there: it
 * began mid-flash, or at a keyframe whose time the container's edit list moved.
 */
export function flashesIn(metadata: string): number[] {
  const out: number[] = [];
  let time: number | undefined;
  let bright: boolean | undefined;
  for (const line of metadata.split("\n")) {
    const pts = /pts_time:(-?[\d.]+)/.exec(line);
    if (pts) {
      time = Number(pts[1]);
      continue;
    }
    const yavg = /lavfi\.signalstats\.YAVG=([\d.]+)/.exec(line);
    if (yavg && time !== undefined) {
      const now = Number(yavg[1]) > 128;
      if (now && bright === false) out.push(time);
      bright = now;
    }
  }
  return out;
}

/** Where each silence ends in `silencedetect` output: a beep starts there. */
export function beepsIn(log: string): number[] {
  return [...log.matchAll(/silence_end: (-?[\d.]+)/g)].map((m) => Number(m[1]));
}

/** Finds the flashes and beeps of the recording at `path` and pairs them. */
export async function measureAvSync(path: string): Promise<AvSyncResult> {
  const video = await run(
    "ffmpeg",
    argv`-v error -i ${path} -map 0:v:0 -vf signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-
      -f null -`,
    60_000,
  );
  if (video.code !== 0) throw new Error(`measuring the flashes: ${video.stderr}`);
  const audio = await run(
    "ffmpeg",
    argv`-v info -nostats -i ${path} -map 0:a:0 -af silencedetect=n=-30dB:d=0.2 -f null -`,
    60_000,
  );
  if (audio.code !== 0) throw new Error(`measuring the beeps: ${audio.stderr}`);
  const flashes = flashesIn(video.stdout);
  const beeps = beepsIn(audio.stderr);
  return { flashes, beeps, offsetsMs: pairOffsets(flashes, beeps) };
}
