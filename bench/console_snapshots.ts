/**
 * The console benchmark's snapshot section: how long `/snapshot/<path>.jpg` takes for an H.264
 * path at 720p and 1080p, through the real HTTP port and router. Each size is a libx264 clip
 * (baseline, GOP 30, like bench/clip.ts) played in real time into a stream; then
 *
 * - **cold**: the first snapshot of the server, which starts the snapshot Worker, opens a tap and
 *   decodes the cached GOP up to the newest frame (after 1.5 s of playing: the GOP is part-way);
 * - **first of a path**: the first snapshot of a second path once the Worker runs;
 * - **warm**: one snapshot every 200 ms after it (the path's decoder stays open and current);
 * - **scaled**: the same, with `?width=640`.
 *
 * Times are wall milliseconds from request to the last byte, p50 / p99 / max.
 *
 * @module
 */

import { serve } from "../mod.ts";
import { playClip, readAnnexBClip } from "../src/source/annexb_file.ts";
import { startIngest } from "../src/ingest/ingest_server.ts";
import { makeRouter } from "../src/http/router.ts";
import { snapshotRoute } from "../src/http/snapshot_route.ts";
import { WebAuth } from "../src/http/web_auth.ts";
import { silentLogger } from "../src/base/log.ts";
import { startBinary } from "./console_binary.ts";

const SIZES = [[1280, 720], [1920, 1080]] as const;

async function clipOf(dir: string, width: number, height: number): Promise<string> {
  const file = `${dir}/snapshot_${width}x${height}_gop30.h264`;
  try {
    await Deno.stat(file);
    return file;
  } catch { /* made below */ }
  await Deno.mkdir(dir, { recursive: true });
  const { success, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-v", "error", "-y", "-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=30`],
      ...["-t", "4", "-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p"],
      ...["-g", "30", "-bf", "0", "-b:v", "4M", "-f", "h264", `${file}.part`],
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`ffmpeg: ${new TextDecoder().decode(stderr)}`);
  await Deno.rename(`${file}.part`, file);
  return file;
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `p50 ${at(0.5).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms, max ${
    s.at(-1)!.toFixed(0)
  } ms`;
}

async function timed(url: string): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(url);
  const body = new Uint8Array(await r.arrayBuffer());
  if (r.status !== 200 || body[0] !== 0xff || body[1] !== 0xd8) {
    throw new Error(`${url}: ${r.status} ${new TextDecoder().decode(body.subarray(0, 200))}`);
  }
  return performance.now() - t0;
}

/** Warm snapshots of `url`, one every 200 ms, full size and `?width=640`, as a line of figures. */
async function warmTimings(url: string, samples: number): Promise<string> {
  const warm: number[] = [];
  const scaled: number[] = [];
  for (let i = 0; i < samples; i++) {
    await new Promise((r) => setTimeout(r, 200));
    warm.push(await timed(url));
    scaled.push(await timed(`${url}?width=640`));
  }
  return `warm ${stats(warm)}; ?width=640 ${stats(scaled)}  (${samples} each)`;
}

/**
 * The same from the compiled binary, serving the 720p bench clip with `--input`: its first
 * snapshot (the Worker starts inside the binary) and then warm ones.
 */
export async function binarySnapshotTimings(
  clip: string,
  options: { samples: number; settleSeconds: number },
): Promise<void> {
  const server = await startBinary(clip, "/stream");
  try {
    await new Promise((r) => setTimeout(r, options.settleSeconds * 1000));
    const url = `${server.base}/snapshot/stream.jpg`;
    const cold = await timed(url);
    const warm = await warmTimings(url, options.samples);
    console.log(`  1280x720, the binary: cold ${cold.toFixed(0)} ms; ${warm}`);
  } finally {
    await server.stop();
  }
}

/** Prints the snapshot timings at 720p and 1080p. */
export async function snapshotTimings(
  clipDir: string,
  options: { samples: number; settleSeconds: number },
): Promise<void> {
  console.log("\nsnapshots of an H.264 path, through /snapshot/<path>.jpg:");
  for (const [width, height] of SIZES) {
    const clip = readAnnexBClip(await Deno.readFile(await clipOf(clipDir, width, height)));
    const server = await serve({ port: 0, hostname: "127.0.0.1" });
    const stream = server.addStream("/cam", { codec: "h264" });
    const other = server.addStream("/other", { codec: "h264" });
    const player = playClip(clip, 30, (nal, o) => {
      stream.sendFrame(nal, o);
      other.sendFrame(nal, o);
    });
    const snapshots = snapshotRoute(server);
    const http = await startIngest({
      rtsp: server,
      port: 0,
      hostname: "127.0.0.1",
      policyFor: () => undefined,
      web: makeRouter(
        { snapshot: snapshots.route },
        new WebAuth(undefined, { now: () => performance.now() }),
        silentLogger,
      ),
    });
    const url = `http://127.0.0.1:${http.port}/snapshot/cam.jpg`;
    try {
      await new Promise((r) => setTimeout(r, options.settleSeconds * 1000));
      const cold = await timed(url);
      const firstOfPath = await timed(url.replace("/cam.jpg", "/other.jpg"));
      console.log(
        `  ${width}x${height}: cold ${cold.toFixed(0)} ms, first of a path ` +
          `${firstOfPath.toFixed(0)} ms; ${await warmTimings(url, options.samples)}`,
      );
    } finally {
      player.stop();
      await http.close();
      await snapshots.close();
      await server.close();
    }
  }
}
