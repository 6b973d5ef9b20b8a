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
 *   [--build] [--binary PATH]
 * ```
 *
 * `--binary` measures another build (an older commit's, to compare) instead of `dist/rtsp-edge`;
 * the memory split needs a build whose `/metrics` has `rtsp_edge_memory_bytes`.
 *
 * Targets (issue "server shape"): on demand with no reader, CPU under 1 % of a core and the
 * binary's RSS at most 45 MB; always on, the binary's RSS at most 60 MB.
 *
 * Where rtsp-edge's memory goes is printed too: its `/metrics` (`rtsp_edge_memory_bytes`, the
 * encoder's WebAssembly memory and Worker heap, the GOP cache) read at the end of each idle window,
 * beside the VmRSS of two Bun executables compiled the same way that do nothing (a timer; a timer
 * and an idle Worker), the floor under any Bun binary, and of bench/encoder_floor.ts compiled as
 * build.ts compiles cli.ts: the encoder alone, fed the same 720p test pattern with no server (in
 * its Worker, and `--inline` in the main thread), the floor under an always-on server.
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
    `usage: deno run --allow-all bench/idle.ts [--seconds 20] [--only ${ALL}] [--build]` +
      " [--binary PATH]",
  );
  Deno.exit(2);
}

const root = new URL("../", import.meta.url).pathname;
const clipDir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/rtsp-edge-bench`;
/** Left to settle after the first OPTIONS answer, before the first idle window. */
const SETTLE_MS = 3000;
/** The always-on target: 60 MB. */
const ALWAYS_ON_TARGET_MIB = 60e6 / 2 ** 20;
/** How long the one reader watches. */
const WATCH_S = 4;
/** The on-demand close-after given to rtsp-edge; the second window starts after it. */
const CLOSE_AFTER_S = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Subject {
  key: string;
  label: string;
  command: string;
  args(port: number, httpPort: number): string[];
  /** Whether it is rtsp-edge, whose `/metrics` tell where its memory goes. */
  edge: boolean;
}

/** What rtsp-edge's `/metrics` say of its memory, in MiB. */
interface Breakdown {
  heapUsed: number;
  heapTotal: number;
  arrayBuffers: number;
  wasm: number;
  workerHeapUsed: number;
  workerHeapTotal: number;
  gopCache: number;
}

interface Window {
  cpuPercent: number;
  rssMiB: number;
  /** Of VmRSS: anonymous memory (heaps, stacks) and mapped files (the binary's own pages). */
  anonMiB: number;
  fileMiB: number;
  peakRssMiB: number;
  /** rtsp-edge only. */
  breakdown?: Breakdown;
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

/** The figures of rtsp-edge's `/metrics` on 127.0.0.1:`httpPort` that tell where memory goes. */
async function breakdown(httpPort: number): Promise<Breakdown> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  const text = await response.text();
  const sum = (name: string, labels = "") => {
    let total = 0;
    for (const line of text.split("\n")) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (labels && !line.includes(labels)) continue;
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
    return total / 2 ** 20;
  };
  return {
    heapUsed: sum("rtsp_edge_memory_bytes", 'kind="heap_used"'),
    heapTotal: sum("rtsp_edge_memory_bytes", 'kind="heap_total"'),
    arrayBuffers: sum("rtsp_edge_memory_bytes", 'kind="array_buffers"'),
    wasm: sum("rtsp_edge_encoder_wasm_memory_bytes"),
    workerHeapUsed: sum("rtsp_edge_encoder_worker_heap_bytes", 'kind="used"'),
    workerHeapTotal: sum("rtsp_edge_encoder_worker_heap_bytes", 'kind="total"'),
    gopCache: sum("rtsp_edge_path_gop_cache_bytes"),
  };
}

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
  const httpPort = freePort();
  const server = new ServerProcess(subject.command, subject.args(port, httpPort), root, "null");
  const pid = server.child.pid;
  try {
    await waitForOptions(port, () => !server.exited);
    await sleep(SETTLE_MS);
    const before = await idleWindow(pid);
    // Read after the window's VmRSS, so that the request does not count in it.
    if (subject.edge) before.breakdown = await breakdown(httpPort);
    const watchedFrames = await watch(port);
    await sleep((CLOSE_AFTER_S + 1) * 1000);
    const after = await idleWindow(pid);
    if (subject.edge) after.breakdown = await breakdown(httpPort);
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
  // The HTTP port too is picked free: on 8080, taken by anything else, the server would run
  // without it (and without what it holds).
  const edge = (demand: boolean) => (port: number, httpPort: number) => [
    ...["--port", String(port), "--http-port", String(httpPort), "--bind", "127.0.0.1"],
    ...["--size", "1280x720"],
    ...(demand ? ["--on-demand", "--on-demand-close-after", `${CLOSE_AFTER_S}s`] : []),
  ];
  const binary = args.binary ?? `${root}dist/rtsp-edge`;
  if (only.some((s) => s.startsWith("bun")) && args.binary === undefined) {
    const missing = await Deno.stat(binary).then(() => false, () => true);
    if (missing || args.build === "true") {
      console.error(`building ${binary}`);
      await buildBinary({ outfile: binary });
    }
  }
  const deno = (port: number, httpPort: number) => [
    ...["run", "--allow-net", "--allow-read", "--allow-env"],
    ...["--allow-sys=networkInterfaces", "--allow-ffi", "cli.ts", ...edge(true)(port, httpPort)],
  ];
  const table: Record<string, Subject> = {
    "bun-always": {
      key: "bun-always",
      label: "binary, always on",
      command: binary,
      args: edge(false),
      edge: true,
    },
    "bun-demand": {
      key: "bun-demand",
      label: "binary, on demand",
      command: binary,
      args: edge(true),
      edge: true,
    },
    "deno-demand": {
      key: "deno-demand",
      label: "deno run, on demand",
      command: Deno.execPath(),
      args: deno,
      edge: true,
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
      edge: false,
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
    "\ntargets: on demand with no reader, CPU < 1 % of a core and binary VmRSS <= 45 MiB;" +
      ` always on, binary VmRSS <= 60 MB (${ALWAYS_ON_TARGET_MIB.toFixed(1)} MiB)`,
  );
}

/** VmRSS and its split of the executable at `path`, `afterMs` after it started. */
async function floorOf(path: string, args: string[], afterMs: number): Promise<Window> {
  const child = new Deno.Command(path, { args, stdout: "null", stderr: "null" }).spawn();
  try {
    await sleep(afterMs);
    const rss = rssMiB(child.pid);
    return {
      cpuPercent: 0,
      rssMiB: rss,
      anonMiB: statusMiB(child.pid, "RssAnon"),
      fileMiB: statusMiB(child.pid, "RssFile"),
      peakRssMiB: rss,
    };
  } finally {
    child.kill();
    await child.status;
  }
}

/** VmRSS and its split of a Bun executable that does nothing, `source` compiled like build.ts. */
async function bunFloor(name: string, source: Record<string, string>): Promise<Window> {
  const dir = await Deno.makeTempDir({ prefix: "rtsp-edge-floor-" });
  try {
    for (const [file, text] of Object.entries(source)) {
      await Deno.writeTextFile(`${dir}/${file}`, text);
    }
    const out = await new Deno.Command("bun", {
      args: ["build", "--compile", "--splitting", ...Object.keys(source), "--outfile", name],
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return await floorOf(`${dir}/${name}`, [], SETTLE_MS);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The encoder alone in a Bun binary (bench/encoder_floor.ts, built as build.ts builds cli.ts), in
 * its Worker and in the main thread, read when the always-on server's first window closes.
 */
async function encoderFloors(): Promise<{ worker: Window; inline: Window }> {
  const dir = await Deno.makeTempDir({ prefix: "rtsp-edge-floor-" });
  try {
    const binary = `${dir}/encoder-floor`;
    await buildBinary({ outfile: binary, entry: "bench/encoder_floor.ts" });
    const at = SETTLE_MS + seconds * 1000;
    return {
      worker: await floorOf(binary, [], at),
      inline: await floorOf(binary, ["--inline"], at),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The floors of a Bun binary: a timer alone, and a timer with an idle Worker. */
async function bunFloors(): Promise<{ label: string; window: Window }[]> {
  const timer = "setInterval(() => {}, 1000);\n";
  const worker = 'new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module", ' +
    "smol: true } as WorkerOptions);\n" + timer;
  return [
    { label: "Bun binary: a timer", window: await bunFloor("timer", { "main.ts": timer }) },
    {
      label: "Bun binary: a timer and an idle Worker",
      window: await bunFloor("worker", {
        "main.ts": worker,
        "worker.ts": "onmessage = () => {};\n",
      }),
    },
  ];
}

/** Where each rtsp-edge subject's memory goes, beside the floors of any Bun binary. */
function reportBreakdown(
  list: Subject[],
  results: Map<string, Result>,
  floors: { label: string; window: Window }[],
  encoderAlone: Window | undefined,
): void {
  const row = (cells: string[]) => console.log(`| ${cells.join(" | ")} |`);
  const mib = (v: number) => v.toFixed(1);
  console.log("\nwhere the memory goes (MiB), at the end of each idle window\n");
  row([
    "process",
    "VmRSS",
    "anonymous",
    "file",
    "JS heap used / reserved",
    "ArrayBuffers",
    "encoder WASM memory",
    "encoder Worker heap used / reserved",
    "GOP cache",
  ]);
  row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]);
  for (const { label, window: w } of floors) {
    row([label, mib(w.rssMiB), mib(w.anonMiB), mib(w.fileMiB), "-", "-", "-", "-", "-"]);
  }
  for (const s of list) {
    for (const when of ["before", "after"] as const) {
      const w = results.get(s.key)?.[when];
      const b = w?.breakdown;
      if (!w || !b) continue;
      row([
        `${s.label} (${when})`,
        mib(w.rssMiB),
        mib(w.anonMiB),
        mib(w.fileMiB),
        `${mib(b.heapUsed)} / ${mib(b.heapTotal)}`,
        mib(b.arrayBuffers),
        mib(b.wasm),
        b.workerHeapTotal ? `${mib(b.workerHeapUsed)} / ${mib(b.workerHeapTotal)}` : "-",
        b.gopCache.toFixed(2),
      ]);
    }
  }
  console.log(
    "\nanonymous + file = VmRSS (/proc/<pid>/status). file: pages of the executable (Bun's code" +
      " and the bundled JavaScript) the process touched. The JS heap, ArrayBuffers, WASM memory" +
      " and the Worker's heap are within anonymous; JS heap and ArrayBuffers are the main" +
      " thread's (process.memoryUsage()); WASM memory is its size, of which only the touched" +
      " pages are resident.",
  );
  const always = results.get("bun-always")?.before;
  if (encoderAlone && always) {
    const own = always.rssMiB - encoderAlone.rssMiB;
    const target = ALWAYS_ON_TARGET_MIB.toFixed(1);
    const side = encoderAlone.rssMiB > ALWAYS_ON_TARGET_MIB ? "below" : "above";
    console.log(
      `\nalways on: ${always.rssMiB.toFixed(1)} MiB, of which the encoder alone (no server)` +
        ` holds ${encoderAlone.rssMiB.toFixed(1)} MiB; the server's own share is` +
        ` ${own.toFixed(1)} MiB. The 60 MB (${target} MiB) target is ${side} the encoder's` +
        " floor on this runtime.",
    );
  }
}

const list = await subjects();
const results = new Map<string, Result>();
for (const s of list) {
  console.error(`measuring ${s.label}`);
  results.set(s.key, await measure(s));
}
const floors = only.some((s) => s.startsWith("bun")) ? await bunFloors() : [];
const encoderAlone = only.includes("bun-always") ? await encoderFloors() : undefined;
if (encoderAlone) {
  floors.push(
    {
      label: "Bun binary: the encoder alone, 720p test pattern, in its Worker",
      window: encoderAlone.worker,
    },
    { label: "Bun binary: the encoder alone, in the main thread", window: encoderAlone.inline },
  );
}
report(list, results);
reportBreakdown(list, results, floors, encoderAlone?.worker);
