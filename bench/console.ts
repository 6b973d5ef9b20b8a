/**
 * Console benchmark: what the web console's live preview costs and how late it shows a frame.
 *
 * 1. **Preview latency**: one Chromium page plays `/play/<path>`; each frame's wall time at
 *    `peer.send` in the server (bench/console_server.ts) is matched, by its presentation time,
 *    with the time the page's `requestVideoFrameCallback` says it is displayed. Printed as p50/p99.
 * 2. **Server CPU per viewer**: the server process's CPU time (/proc) over a window with N preview
 *    pages open, and again with N ffmpeg RTSP readers (`-c copy`, TCP) instead, each minus the
 *    same window with no reader at all; divided by N, as a percentage of one core. Under `deno run`
 *    and as the compiled binary (`--runtimes`, console_binary.ts).
 * 3. **Snapshot timings**: `/snapshot/<path>.jpg` of an H.264 path at 720p and 1080p, cold (the
 *    first, decoding the GOP so far) and warm, full size and `?width=640` (console_snapshots.ts).
 *
 * The stream is the fan-out benchmark's clip (bench/clip.ts: 1280x720, 30 fps, 2 Mbit/s, GOP 30),
 * played in real time, so no encoder runs in the server and its CPU is the fan-out's alone.
 *
 * ```sh
 * deno task bench:console
 * deno run -A bench/console.ts --viewers 1,4 --seconds 10
 * ```
 *
 * @module
 */

import type { Page } from "puppeteer-core";
import { evaluate, hasChromium, launchChromium, waitFor } from "../test/browser/chromium.ts";
import { ensureClip } from "./clip.ts";
import { flags, summary } from "./lines.ts";
import { binarySnapshotTimings, snapshotTimings } from "./console_snapshots.ts";
import { ensureBinary, startBinary } from "./console_binary.ts";
import { Child, cpuBetween, cpuSample, killAll } from "./procs.ts";

const args = flags(Deno.args);
const viewerCounts = (args.viewers ?? "1,4").split(",").map(Number);
const seconds = Number(args.seconds ?? 10);
const warmup = Number(args.warmup ?? 3);
const here = new URL(".", import.meta.url).pathname;
const clipDir = args["clip-dir"] ?? `${Deno.env.get("TMPDIR") ?? "/tmp"}/rtsp-edge-bench`;
const PATH = "/stream";
// The CPU section measures the server under `deno run` and as the compiled binary users run.
const runtimes = (args.runtimes ?? "deno,binary").split(",") as ("deno" | "binary")[];

if (
  viewerCounts.some((n) => !(Number.isInteger(n) && n > 0)) || !(seconds > 0) ||
  runtimes.some((r) => r !== "deno" && r !== "binary")
) {
  console.error(
    "usage: deno run -A bench/console.ts [--viewers 1,4] [--seconds 10] [--warmup 3] [--clip-dir DIR]" +
      " [--sections latency,cpu,snapshots] [--snapshots 20] [--runtimes deno,binary] [--build]",
  );
  Deno.exit(2);
}
if (!hasChromium()) {
  console.error("the console benchmark needs Chromium at /usr/bin/chromium (or $CHROMIUM)");
  Deno.exit(2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server process, started fresh for each section so that nothing carries over. */
async function startServer(clip: string): Promise<
  { child: Child; rtspUrl: string; base: string; pid: number }
> {
  const child = new Child("console server", Deno.execPath(), [
    "run",
    "--allow-all",
    `${here}console_server.ts`,
    "--clip",
    clip,
    "--path",
    PATH,
  ]);
  const ready = await child.next("ready", 30_000);
  return {
    child,
    rtspUrl: String(ready.rtspUrl),
    base: `http://127.0.0.1:${ready.httpPort}`,
    pid: Number(ready.pid),
  };
}

/** Opens the player page and waits until it plays. */
async function openPlayer(
  chromium: Awaited<ReturnType<typeof launchChromium>>,
  url: string,
): Promise<Page> {
  const page = await chromium.newPage();
  await page.setViewport({ width: 1280, height: 720 });
  await page.goto(url);
  await waitFor("the player to play", async () =>
    await evaluate<number>(
      page,
      `document.querySelector("video").getVideoPlaybackQuality().totalVideoFrames`,
    ) > 5, 30_000);
  return page;
}

// ─── 1. Preview latency ─────────────────────────────────────────────────────────────────────────

async function previewLatency(clip: string): Promise<void> {
  const server = await startServer(clip);
  const chromium = await launchChromium();
  try {
    const page = await openPlayer(chromium, `${server.base}/play${PATH}`);
    // Measured once the player has settled: its start (a GOP replayed, a small lag caught up by
    // playing fast) is not what a viewer watching for a while sees.
    await sleep(warmup * 1000);
    // Each displayed frame: its presentation time in 90 kHz ticks, and when it is shown (wall ms).
    await evaluate(
      page,
      `(() => {
        const video = document.querySelector("video");
        window.shown = [];
        const frame = (now, meta) => {
          window.shown.push([Math.round(meta.mediaTime * 90000),
            performance.timeOrigin + meta.expectedDisplayTime]);
          video.requestVideoFrameCallback(frame);
        };
        video.requestVideoFrameCallback(frame);
      })()`,
    );
    await sleep(seconds * 1000);
    const shown = await evaluate<[number, number][]>(page, "window.shown");
    await server.child.send({ cmd: "sends", session: 0 });
    const sends = (await server.child.next("sends", 10_000)).sends as [number, number][];
    const sentAt = new Map(sends.map(([tfdt, wall]) => [tfdt, wall]));
    const delays: number[] = [];
    for (const [pts, wall] of shown) {
      // mediaTime is rounded to microseconds: look one tick either side.
      const sent = sentAt.get(pts) ?? sentAt.get(pts - 1) ?? sentAt.get(pts + 1);
      if (sent !== undefined) delays.push(wall - sent);
    }
    const s = summary(delays);
    console.log(
      `preview latency, frame sent → frame shown (1280x720 30 fps, ${s.n} of ${shown.length} ` +
        `frames shown matched): p50 ${s.p50.toFixed(0)} ms, p99 ${s.p99.toFixed(0)} ms, ` +
        `max ${s.max.toFixed(0)} ms`,
    );
  } finally {
    await chromium.close();
    await server.child.stop();
  }
}

// ─── 2. Server CPU per preview viewer and per RTSP reader ───────────────────────────────────────

/** CPU seconds of the server process over the window. */
async function serverCpu(pid: number): Promise<number> {
  const a = cpuSample(pid);
  await sleep(seconds * 1000);
  return cpuBetween(a, cpuSample(pid)).seconds;
}

/** A server for the CPU section: `deno run` of console_server.ts, or the compiled binary. */
async function cpuServer(
  clip: string,
  kind: "deno" | "binary",
): Promise<{ rtspUrl: string; base: string; pid: number; stop(): Promise<void> }> {
  if (kind === "binary") return await startBinary(clip, PATH);
  const server = await startServer(clip);
  return { ...server, stop: () => server.child.stop() };
}

async function cpuPerReader(clip: string): Promise<void> {
  for (const kind of runtimes) await cpuPerReaderOn(clip, kind);
}

async function cpuPerReaderOn(clip: string, kind: "deno" | "binary"): Promise<void> {
  const rows: string[] = [];
  for (const n of viewerCounts) {
    const server = await cpuServer(clip, kind);
    const chromium = await launchChromium();
    const readers: Deno.ChildProcess[] = [];
    try {
      await sleep(warmup * 1000);
      const idle = await serverCpu(server.pid);
      const pages: Page[] = [];
      for (let i = 0; i < n; i++) {
        pages.push(await openPlayer(chromium, `${server.base}/play${PATH}`));
      }
      await sleep(warmup * 1000);
      const preview = await serverCpu(server.pid);
      for (const page of pages) await page.close();
      await sleep(warmup * 1000);
      for (let i = 0; i < n; i++) {
        readers.push(
          new Deno.Command("ffmpeg", {
            args: [
              "-v",
              "error",
              "-rtsp_transport",
              "tcp",
              "-i",
              server.rtspUrl,
              "-c",
              "copy",
              "-f",
              "null",
              "-",
            ],
            stdin: "null",
            stdout: "null",
            stderr: "null",
          }).spawn(),
        );
      }
      await sleep(warmup * 1000);
      const rtsp = await serverCpu(server.pid);
      const percent = (cpu: number) => ((Math.max(0, cpu - idle) / seconds / n) * 100).toFixed(2);
      rows.push(
        `${String(n).padStart(7)}  ${((idle / seconds) * 100).toFixed(2).padStart(9)} %  ` +
          `${percent(preview).padStart(14)} %  ${percent(rtsp).padStart(14)} %`,
      );
    } finally {
      for (const r of readers) {
        try {
          r.kill("SIGKILL");
        } catch { /* gone */ }
        await r.status;
      }
      await chromium.close();
      await server.stop();
    }
  }
  const name = kind === "binary" ? "the binary" : "deno run";
  console.log(
    `server CPU, ${name} (% of one core; ${seconds} s windows; 1280x720 30 fps 2 Mbit/s):`,
  );
  console.log("readers  no reader    per preview viewer  per RTSP reader");
  for (const row of rows) console.log(row);
}

// ─── 3. Snapshot timings (bench/console_snapshots.ts) ────────────────────────────────────────────

const snapshots = async (clip: string) => {
  const options = { samples: Number(args.snapshots ?? 20), settleSeconds: 1.5 };
  await snapshotTimings(clipDir, options);
  if (runtimes.includes("binary")) await binarySnapshotTimings(clip, options);
};

const SECTIONS: Record<string, (clip: string) => Promise<void>> = {
  latency: previewLatency,
  cpu: cpuPerReader,
  snapshots,
};
const chosen = (args.sections ?? Object.keys(SECTIONS).join(",")).split(",");

try {
  const clip = await ensureClip(clipDir);
  if (chosen.includes("cpu") && runtimes.includes("binary")) {
    await ensureBinary(args.build === "true");
  }
  for (const name of chosen) {
    const section = SECTIONS[name];
    if (!section) throw new Error(`no section ${name}; choose from ${Object.keys(SECTIONS)}`);
    await section(clip.h264);
  }
} finally {
  await killAll();
}
