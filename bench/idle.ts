/**
 * Idle benchmark: what a server costs while nobody watches. The Bun binary (`dist/rtsp-edge`) serves
 * its 720p test pattern always on and on demand (`--on-demand`), beside GStreamer's gst-rtsp-server
 * (bench/gst_rtsp_server.py, which builds its media only at the first DESCRIBE), each a fresh
 * process on 127.0.0.1. For each: CPU (share of one core, from /proc/<pid>/stat) and VmRSS over an
 * idle window after start-up; then one reader (ffmpeg over TCP) watches for a few seconds and
 * leaves, and the idle window is measured again once the on-demand close-after has passed.
 *
 * ```sh
 * deno run --allow-all bench/idle.ts [--seconds 20] [--only bun-always,bun-demand,deno-demand,gst]
 *   [--build]
 * ```
 *
 * Targets (issue "server shape"): on demand with no reader, CPU under 1 % of a core and the
 * binary's RSS at most 45 MB.
 *
 * @module
 */

import { buildBinary } from "../build.ts";
import { ensureClip } from "./clip.ts";
import { flags } from "./lines.ts";
import { cpuSeconds, ServerProcess } from "./procs.ts";
import { freePort } from "../test/interop/support.ts";

const args = flags(Deno.args);
const seconds = Number(args.seconds ?? 20);
const ALL = ["bun-always", "bun-demand", "deno-demand", "gst"];
const only = (args.only ?? "bun-always,bun-demand,gst").split(",");
if (!(seconds >= 2) || only.some((s) => !ALL.includes(s))) {
  console.error(
    `usage: deno run --allow-all bench/idle.ts [--seconds 20] [--only ${ALL}] [--build]`,
  );
  Deno.exit(2);
}

const root = new URL("../", import.meta.url).pathname;
const clipDir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/rtsp-edge-bench`;
/** Left to settle after the first OPTIONS answer, before the first idle window. */
const SETTLE_MS = 3000;
/** How long the one reader watches. */
const WATCH_S = 4;
/** The on-demand close-after given to rtsp-edge; the second window starts after it. */
const CLOSE_AFTER_S = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Subject {
  key: string;
  label: string;
  command: string;
  args(port: number): string[];
}

interface Window {
  cpuPercent: number;
  rssMiB: number;
  /** Of VmRSS: anonymous memory (heaps, stacks) and mapped files (the binary's own pages). */
  anonMiB: number;
  fileMiB: number;
  peakRssMiB: number;
}

interface Result {
  before: Window;
  watchedFrames: number;
  after: Window;
}

/** A field of /proc/<pid>/status in MiB (proc(5): VmRSS = RssAnon + RssFile + RssShmem). */
function statusMiB(pid: number, field: "VmRSS" | "RssAnon" | "RssFile"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) / 1024;
}

const rssMiB = (pid: number) => statusMiB(pid, "VmRSS");

/** CPU share and memory of `pid` over `seconds`, sampled every second. */
async function idleWindow(pid: number): Promise<Window> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  let peak = 0;
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    peak = Math.max(peak, rssMiB(pid));
  }
  const wall = (performance.now() - t0) / 1000;
  return {
    cpuPercent: (cpuSeconds(pid) - cpu0) / wall * 100,
    rssMiB: rssMiB(pid),
    anonMiB: statusMiB(pid, "RssAnon"),
    fileMiB: statusMiB(pid, "RssFile"),
    peakRssMiB: peak,
  };
}

/** Polls OPTIONS until the server answers 200. */
async function waitForOptions(port: number, alive: () => boolean): Promise<void> {
  const request = new TextEncoder().encode(
    `OPTIONS rtsp://127.0.0.1:${port}/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n`,
  );
  const deadline = performance.now() + 30_000;
  while (alive() && performance.now() < deadline) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        await conn.write(request);
        const buf = new Uint8Array(1024);
        const n = await conn.read(buf);
        if (n && /^RTSP\/1\.0 200 /.test(new TextDecoder().decode(buf.subarray(0, n)))) return;
      } finally {
        conn.close();
      }
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  throw new Error("the server did not answer OPTIONS within 30 s");
}

/** One reader decodes `/stream` for WATCH_S seconds; returns the frames it decoded. */
async function watch(port: number): Promise<number> {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-nostdin", "-rtsp_transport", "tcp"],
      ...["-i", `rtsp://127.0.0.1:${port}/stream`, "-t", String(WATCH_S), "-f", "null", "-"],
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  const frames = [...text.matchAll(/frame=\s*(\d+)/g)].pop()?.[1];
  return Number(frames ?? 0);
}

async function measure(subject: Subject): Promise<Result> {
  const port = freePort();
  const server = new ServerProcess(subject.command, subject.args(port), root, "null");
  const pid = server.child.pid;
  try {
    await waitForOptions(port, () => !server.exited);
    await sleep(SETTLE_MS);
    const before = await idleWindow(pid);
    const watchedFrames = await watch(port);
    await sleep((CLOSE_AFTER_S + 1) * 1000);
    const after = await idleWindow(pid);
    if (server.exited) throw new Error("exited while measured");
    return { before, watchedFrames, after };
  } catch (error) {
    throw new Error(`${subject.label}: ${(error as Error).message}\n${server.stderr}`);
  } finally {
    await server.stop();
  }
}

async function subjects(): Promise<Subject[]> {
  const list: Subject[] = [];
  const edge = (demand: boolean) => (port: number) => [
    ...["--port", String(port), "--bind", "127.0.0.1", "--size", "1280x720"],
    ...(demand ? ["--on-demand", "--on-demand-close-after", `${CLOSE_AFTER_S}s`] : []),
  ];
  const binary = `${root}dist/rtsp-edge`;
  if (only.some((s) => s.startsWith("bun"))) {
    const missing = await Deno.stat(binary).then(() => false, () => true);
    if (missing || args.build === "true") {
      console.error(`building ${binary}`);
      await buildBinary({ outfile: binary });
    }
  }
  const deno = (port: number) => [
    ...["run", "--allow-net", "--allow-read", "--allow-env"],
    ...["--allow-sys=networkInterfaces", "--allow-ffi", "cli.ts", ...edge(true)(port)],
  ];
  const table: Record<string, Subject> = {
    "bun-always": {
      key: "bun-always",
      label: "binary, always on",
      command: binary,
      args: edge(false),
    },
    "bun-demand": {
      key: "bun-demand",
      label: "binary, on demand",
      command: binary,
      args: edge(true),
    },
    "deno-demand": {
      key: "deno-demand",
      label: "deno run, on demand",
      command: Deno.execPath(),
      args: deno,
    },
  };
  for (const key of only) if (table[key]) list.push(table[key]);
  if (only.includes("gst")) {
    const clip = await ensureClip(clipDir);
    list.push({
      key: "gst",
      label: "gst-rtsp-server (Python)",
      command: "/usr/bin/python3",
      args: (port) => ["bench/gst_rtsp_server.py", "--aus", clip.aus, "--port", String(port)],
    });
  }
  return list;
}

function report(list: Subject[], results: Map<string, Result>): void {
  const row = (cells: string[]) => console.log(`| ${cells.join(" | ")} |`);
  const gst = results.get("gst");
  const vs = (a: number, b: number | undefined) => b ? `${(a / b).toFixed(2)}x` : "-";
  console.log(
    `\nidle, ${seconds} s windows, 127.0.0.1; "after": once one reader watched ${WATCH_S} s and` +
      ` left, ${CLOSE_AFTER_S + 1} s later\n`,
  );
  row([
    "server",
    "CPU % of a core (before / after)",
    "VmRSS MiB (before / after)",
    "anonymous + file MiB (before)",
    "peak VmRSS MiB",
    "frames the reader decoded",
    "RSS vs gst (after)",
  ]);
  row(["---", "---:", "---:", "---:", "---:", "---:", "---:"]);
  for (const s of list) {
    const r = results.get(s.key)!;
    row([
      s.label,
      `${r.before.cpuPercent.toFixed(2)} / ${r.after.cpuPercent.toFixed(2)}`,
      `${r.before.rssMiB.toFixed(1)} / ${r.after.rssMiB.toFixed(1)}`,
      `${r.before.anonMiB.toFixed(1)} + ${r.before.fileMiB.toFixed(1)}`,
      Math.max(r.before.peakRssMiB, r.after.peakRssMiB).toFixed(1),
      String(r.watchedFrames),
      vs(r.after.rssMiB, gst?.after.rssMiB),
    ]);
  }
  console.log(
    "\ntargets: on demand with no reader, CPU < 1 % of a core and binary VmRSS <= 45 MiB",
  );
}

const list = await subjects();
const results = new Map<string, Result>();
for (const s of list) {
  console.error(`measuring ${s.label}`);
  results.set(s.key, await measure(s));
}
report(list, results);
