/**
 * Fan-out benchmark: N readers of one 2 Mbit/s, 30 fps H.264 stream over interleaved TCP on
 * loopback, against rtsp-edge and against gst-rtsp-server (the same clip, the same rate, the same
 * clients). rtsp-edge runs twice: under `deno run` and compiled with `bun build --compile` (the
 * way the product ships, bench/serve_clip.ts built like build.ts builds cli.ts), each on its
 * runtime's default network. Prints, per point: the server's CPU per client-second, frames
 * dropped, delays, and the CPU ratio of each rtsp-edge runtime to GStreamer. See bench/README.md
 * for what each figure means.
 *
 * ```sh
 * deno task bench                      # 10, 100, 500, 1000 clients; deno run, binary, GStreamer
 * deno run -A bench/fanout.ts --clients 100 --seconds 15 --only edge --runtimes binary --build
 * ```
 *
 * @module
 */

import { ensureClip } from "./clip.ts";
import { flags, summary, wallNow } from "./lines.ts";
import { ensureBinary } from "./console_binary.ts";
import { Child, cpuBetween, cpuSample, gstRtspServerAvailable, killAll } from "./procs.ts";
import { mergeRepeats, type Point, printSummary, printTable, type ServerKind } from "./report.ts";

const args = flags(Deno.args);
const clientCounts = (args.clients ?? "10,100,500,1000").split(",").map(Number);
const seconds = Number(args.seconds ?? 10);
const warmup = Number(args.warmup ?? 2);
const only = args.only as "edge" | "gst" | undefined;
const repeats = Number(args.repeat ?? 2);
const perProcess = Number(args["clients-per-process"] ?? 250);
const probe = args.probe ?? "on";
const depacketize = args.depacketize ?? "false";
const profileDir = args.profile;
const json = args.json;
const here = new URL(".", import.meta.url).pathname;
// rtsp-edge under `deno run`, and compiled by Bun as the product is (bench:console's pattern).
const runtimes = (args.runtimes ?? "deno,binary").split(",") as ("deno" | "binary")[];
const build = args.build === "true";
/** The compiled bench/serve_clip.ts, built with `--build` or when missing. */
const SERVE_CLIP_BINARY = `${new URL("..", import.meta.url).pathname}dist/bench-serve-clip`;
const clipDir = args["clip-dir"] ?? `${Deno.env.get("TMPDIR") ?? "/tmp"}/rtsp-edge-bench`;

if (
  clientCounts.some((n) => !(Number.isInteger(n) && n > 0)) || !(seconds > 0) ||
  !(Number.isInteger(repeats) && repeats > 0) ||
  (only !== undefined && only !== "edge" && only !== "gst") ||
  runtimes.length === 0 || runtimes.some((r) => r !== "deno" && r !== "binary")
) {
  console.error(
    "usage: deno run -A bench/fanout.ts [--clients 10,100,500,1000] [--seconds 10]" +
      " [--only edge|gst] [--runtimes deno,binary] [--build] [--repeat 2] [--warmup 2]" +
      " [--clients-per-process 250] [--probe on|off] [--depacketize true|false]" +
      " [--profile DIR] [--json FILE] [--clip-dir DIR]",
  );
  Deno.exit(2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What each rtsp-edge server said it runs on ("deno 2.x", "bun 1.x"). */
const runtimeNames: Partial<Record<ServerKind, string>> = {};

async function startServer(kind: ServerKind, clip: { h264: string; aus: string }) {
  const serveArgs = ["--clip", clip.h264, "--fps", "30", "--probe", probe];
  const server = kind === "deno"
    ? new Child("rtsp-edge (deno run)", Deno.execPath(), [
      "run",
      "--allow-all",
      ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
      `${here}serve_clip.ts`,
      ...serveArgs,
    ])
    : kind === "binary"
    ? new Child(
      "rtsp-edge (binary)",
      SERVE_CLIP_BINARY,
      serveArgs,
      // A compiled Bun program takes the runtime's own flags from BUN_OPTIONS.
      profileDir ? { BUN_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : undefined,
    )
    : new Child("gst-rtsp-server", "/usr/bin/python3", [
      `${here}gst_rtsp_server.py`,
      "--aus",
      clip.aus,
      "--fps",
      "30",
    ]);
  const ready = await server.next("ready", 30_000);
  if (ready.runtime) runtimeNames[kind] = String(ready.runtime);
  return { server, url: String(ready.url), pid: Number(ready.pid) };
}

async function runPoint(
  kind: ServerKind,
  clients: number,
  clip: { h264: string; aus: string; bitrate: number },
): Promise<Point> {
  const notes: string[] = [];
  const { server, url, pid } = await startServer(kind, clip);
  const procs: Child[] = [];
  try {
    // The clients, spread over processes of at most `perProcess` connections each.
    const nProcs = Math.ceil(clients / perProcess);
    for (let p = 0; p < nProcs; p++) {
      const count = Math.floor(clients / nProcs) + (p < clients % nProcs ? 1 : 0);
      procs.push(
        new Child(`clients#${p}`, Deno.execPath(), [
          "run",
          "--allow-all",
          `${here}clients.ts`,
          "--url",
          url,
          "--count",
          String(count),
          "--depacketize",
          depacketize,
        ]),
      );
    }
    const started = await Promise.all(procs.map((c) => c.next("playing", 120_000)));
    const playing = started.reduce((n, m) => n + Number(m.playing), 0);
    const failed = started.find((m) => Number(m.failed) > 0);
    if (failed) notes.push(`${clients - playing} clients failed to start: ${failed.error}`);
    await sleep(warmup * 1000);

    // The measured window.
    const cpu0 = cpuSample(pid);
    const clientCpu0 = procs.map((c) => cpuSample(c.pid));
    const t0 = wallNow();
    await sleep(seconds * 1000);
    const t1 = wallNow();
    const cpu1 = cpuSample(pid);
    const clientCpu1 = procs.map((c) => cpuSample(c.pid));
    const window = (t1 - t0) / 1000;
    await sleep(1000); // let the window's last frames arrive

    await server.send({ cmd: "report", from: t0, to: t1 });
    const report = await server.next("report", 30_000);
    const frames = report.frames as [number, number][];
    const collected = await Promise.all(
      procs.map(async (c) => {
        await c.send({ cmd: "collect", frames });
        return c.next("collected", 60_000);
      }),
    );
    const received = collected.flatMap((m) => m.received as number[]);
    const delays = collected.flatMap((m) => m.delays as number[]);
    // Frames are told apart by RTP timestamp, as the clients count them: two access units sent
    // with one timestamp are one frame on both sides.
    const expected = new Set(frames.filter(([rtp]) => rtp >= 0).map(([rtp]) => rtp)).size +
      frames.filter(([rtp]) => rtp < 0).length;
    let dropped = 0;
    let withDrops = 0;
    for (const r of received) {
      dropped += expected - r;
      if (r < expected) withDrops++;
    }
    const cpu = cpuBetween(cpu0, cpu1);
    if (!cpu.precise) notes.push("server CPU from /proc/<pid>/stat ticks (threads ended)");
    const serverCpu = cpu.seconds;
    const clientCpu = clientCpu1.reduce((s, v, i) => s + cpuBetween(clientCpu0[i], v).seconds, 0);
    const point: Point = {
      server: kind,
      clients,
      playing,
      seconds: window,
      serverCpu,
      serverSystemShare: 1 - (cpu1.user - cpu0.user) / Math.max(1e-9, cpu1.stat - cpu0.stat),
      cpuMsPerClientSecond: (serverCpu * 1000) / (playing * window),
      clientCpuPercent: (clientCpu / window) * 100,
      framesExpected: expected,
      framesDropped: dropped,
      clientsWithDrops: withDrops,
      closedClients: collected.reduce((n, m) => n + Number(m.closed), 0),
      clientObserved: summary(delays),
      bitrate: clip.bitrate,
      notes,
    };
    if (kind !== "gst" && report.probe) {
      point.inServer = report.lastFrameDelay as Point["inServer"];
      point.perWrite = report.writeDelay as Point["perWrite"];
      point.sendFrame = report.sendFrameMs as Point["sendFrame"];
      const written = report.perReaderWritten as number[];
      point.serverSkipped = written.reduce((n, w) => n + Math.max(0, expected - w), 0) +
        Math.max(0, playing - written.length) * expected;
      if (Number(report.incompleteFrames) > 0) {
        notes.push(`${report.incompleteFrames} frames still being written at the window's end`);
      }
      if (kind === "binary") {
        notes.push(
          `${(Number(report.queuedShare) * 100).toFixed(2)}% of frame writes waited in a queue`,
        );
      }
      const warnings = report.warnings as Record<string, number>;
      for (const [w, n] of Object.entries(warnings)) notes.push(`server warned ${n}× "${w}"`);
    }
    if (expected < seconds * 30 * 0.95) {
      notes.push(`the server sent only ${expected} frames in ${window.toFixed(1)} s`);
    }
    if (kind !== "gst") {
      // The server's own counters arrive when the sessions end: close the clients first.
      await Promise.all(procs.map((c) => c.stop()));
      const deadline = performance.now() + 5000;
      for (;;) {
        await server.send({ cmd: "counters" });
        const counters = await server.next("counters", 5000);
        point.readerCounters = counters.ended as Point["readerCounters"];
        if (point.readerCounters!.sessions >= playing || performance.now() > deadline) break;
        await sleep(200);
      }
    }
    return point;
  } finally {
    await Promise.all(procs.map((c) => c.stop()));
    await server.stop();
  }
}

// --- main -----------------------------------------------------------------------------------

const onSignal = () => {
  killAll().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

const points: Point[] = [];
const started = performance.now();
try {
  const clip = await ensureClip(clipDir);
  console.log(
    `clip: ${clip.h264} (${clip.frames} frames, ${
      (clip.bitrate / 1e6).toFixed(2)
    } Mbit/s at 30 fps)`,
  );
  console.log(
    `window ${seconds} s after ${warmup} s warm-up; ${navigator.hardwareConcurrency} CPUs; ` +
      `in-server probe ${probe}; clients depacketize: ${depacketize}`,
  );
  const kinds: ServerKind[] = [
    ...(only === "gst" ? [] : runtimes),
    ...(only === "edge" ? [] : ["gst" as const]),
  ];
  if (kinds.includes("binary")) {
    await ensureBinary(build, { outfile: SERVE_CLIP_BINARY, entry: "bench/serve_clip.ts" });
    const built = (await Deno.stat(SERVE_CLIP_BINARY)).mtime?.toISOString() ?? "?";
    console.log(`binary: ${SERVE_CLIP_BINARY} (built ${built}; --build rebuilds it)`);
  }
  if (kinds.includes("gst") && !gstRtspServerAvailable()) {
    console.error(
      "gst-rtsp-server is not usable from /usr/bin/python3; install it with\n" +
        "  apt-get install -y gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-bad\n" +
        "measuring rtsp-edge alone.",
    );
    kinds.splice(kinds.indexOf("gst"), 1);
    if (kinds.length === 0) throw new Error("nothing to measure without GStreamer");
  }
  for (const n of clientCounts) {
    // Repeats interleave the two servers, so slow drifts of the machine hit both alike.
    for (let r = 0; r < repeats; r++) {
      for (const kind of kinds) {
        const t = performance.now();
        const point = await runPoint(kind, n, clip);
        points.push(point);
        console.log(
          `  ${kind.padEnd(6)} ${String(n).padStart(4)} clients: ` +
            `${point.cpuMsPerClientSecond.toFixed(3)} CPU ms/client-s, ` +
            `${point.framesDropped} dropped, client-observed p99 ` +
            `${point.clientObserved.p99.toFixed(2)} ms ` +
            `(${((performance.now() - t) / 1000).toFixed(0)} s)`,
        );
      }
    }
  }
} catch (error) {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  Deno.exitCode = 1;
} finally {
  await killAll();
}

if (points.length > 0) {
  console.log("");
  const merged = mergeRepeats(points);
  printTable(merged, repeats, runtimeNames);
  console.log("");
  printSummary(merged, runtimeNames);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (json) await Deno.writeTextFile(json, JSON.stringify(points, null, 2));
}
Deno.removeSignalListener("SIGINT", onSignal);
Deno.removeSignalListener("SIGTERM", onSignal);
