/**
 * Join benchmark: how soon a new reader sees a picture, and how far behind live that picture is,
 * for rtsp-edge and for gst-rtsp-server serving the same kind of source in the same run.
 *
 * Two sources:
 * - **encoder**: a live test pattern encoded as it is drawn (rtsp-edge: `cli.ts --test-pattern`,
 *   the WASM encoder, which makes a keyframe when a reader joins; GStreamer: `videotestsrc
 *   is-live=true ! x264enc tune=zerolatency`, bench/gst_join_server.py).
 * - **passthrough**: an H.264 file played at real time, looped (rtsp-edge: `cli.ts --input`;
 *   GStreamer: bench/gst_rtsp_server.py), the clip of bench/clip.ts (GOP 30 at 30 fps).
 * - **cold**: the encoder source with nobody watching, so every join starts it (rtsp-edge:
 *   `--on-demand --on-demand-close-after 1s`, each join once the source has stopped again;
 *   GStreamer: a fresh gst_join_server.py per join, which builds its pipeline at the first
 *   DESCRIBE). Its "from DESCRIBE" column is what a client connecting to an idle server waits.
 *
 * For each, one reader stays connected for the whole run (so both servers keep one running
 * source, as with a camera already watched), then `--joins` readers join one after another at
 * random moments of the GOP. Each notes (bench/join_reader.ts) the time from sending PLAY to the
 * first decodable access unit being complete, and how far behind live that frame is: its arrival
 * minus its capture time, read through the RTCP sender report's NTP↔RTP pair.
 *
 * What "capture" means differs a little: rtsp-edge's sender reports pair RTP time with the moment
 * the frame reached the stream (after encoding); GStreamer's with the buffer's timestamp, taken
 * when the test source made the picture (before encoding). GStreamer's figure therefore includes
 * its encoder's delay and rtsp-edge's does not.
 *
 * ```sh
 * deno task bench:join
 * deno run -A bench/join.ts --joins 20 --source encoder --size 640x360 --only edge
 * deno run -A bench/join.ts --binary   # rtsp-edge as dist/rtsp-edge (deno task build) instead
 * ```
 *
 * @module
 */

import { ensureClip } from "./clip.ts";
import { JoinReader, type JoinResult } from "./join_reader.ts";
import { flags, percentile } from "./lines.ts";
import { Child, gstRtspServerAvailable, killAll } from "./procs.ts";

const args = flags(Deno.args);
const joins = Number(args.joins ?? 10);
const sources = (args.source ?? "encoder,passthrough,cold").split(",");
const only = args.only;
const [width, height] = (args.size ?? "1280x720").split("x").map(Number);
const here = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;
const clipDir = args["clip-dir"] ?? `${Deno.env.get("TMPDIR") ?? "/tmp"}/rtsp-edge-bench`;
/** Run rtsp-edge as the compiled binary users run, not under `deno run`. */
const binary = args.binary === "true";

type SourceKind = "encoder" | "passthrough" | "cold";
type ServerKind = "edge" | "gst";

if (
  !(Number.isInteger(joins) && joins > 0) || !(width > 0 && height > 0) ||
  sources.some((s) => s !== "encoder" && s !== "passthrough" && s !== "cold") ||
  (only !== undefined && only !== "edge" && only !== "gst")
) {
  console.error(
    "usage: deno run -A bench/join.ts [--joins 10] [--source encoder,passthrough]" +
      " [--size 1280x720] [--only edge|gst] [--clip-dir DIR] [--binary]; sources: encoder," +
      " passthrough, cold",
  );
  Deno.exit(2);
}

/** Targets for the encoder source, rtsp-edge (ms). */
const TARGET_FIRST_FRAME_P50 = 150;
const TARGET_BEHIND_P50 = 100;
/** Target for the cold (on-demand) source, rtsp-edge: PLAY to first frame, p50 (ms). */
const TARGET_COLD_P50 = 300;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A running server: its URL, and how to stop it. */
interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts `cli.ts` with `sourceArgs` and reads the stream URL from its banner. */
async function startEdge(sourceArgs: string[]): Promise<RunningServer> {
  const flags = [
    ...sourceArgs,
    ...["--port", "0", "--bind", "127.0.0.1", "--fps", "30", "--log-level", "warn"],
  ];
  const process = new Deno.Command(binary ? `${root}dist/rtsp-edge` : Deno.execPath(), {
    args: binary ? flags : ["run", "--allow-all", `${root}cli.ts`, ...flags],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stop = async () => {
    try {
      process.kill("SIGTERM");
    } catch {
      // already gone
    }
    await process.status;
  };
  const decoder = new TextDecoder();
  let text = "";
  const reader = process.stdout.getReader();
  const timer = setTimeout(() => reader.cancel(), 60_000);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const url = /rtsp:\/\/\S+/.exec(text)?.[0];
    if (url) {
      clearTimeout(timer);
      (async () => {
        while (!(await reader.read()).done) { /* keep the pipe drained */ }
      })().catch(() => {});
      return { url, stop };
    }
  }
  clearTimeout(timer);
  await stop();
  throw new Error(`rtsp-edge printed no URL:\n${text}`);
}

/** Starts a GStreamer peer script, which prints `{"event":"ready","url":...}`. */
async function startGst(script: string, scriptArgs: string[]): Promise<RunningServer> {
  const child = new Child("gst-rtsp-server", "/usr/bin/python3", [
    `${here}${script}`,
    ...scriptArgs,
  ]);
  const ready = await child.next("ready", 30_000);
  return { url: String(ready.url), stop: () => child.stop() };
}

async function startServer(server: ServerKind, source: SourceKind): Promise<RunningServer> {
  const size = `${width}x${height}`;
  if (source === "encoder" || source === "cold") {
    const onDemand = source === "cold" ? ["--on-demand", "--on-demand-close-after", "1s"] : [];
    return server === "edge"
      ? await startEdge([
        ...["--test-pattern", "--size", size, "--gop", "30", "--bitrate", "2M"],
        ...onDemand,
      ])
      : await startGst("gst_join_server.py", [
        ...["--width", String(width), "--height", String(height)],
        ...["--fps", "30", "--gop", "30", "--kbps", "2000"],
      ]);
  }
  const clip = await ensureClip(clipDir);
  return server === "edge"
    ? await startEdge(["--input", clip.h264])
    : await startGst("gst_rtsp_server.py", ["--aus", clip.aus, "--fps", "30"]);
}

/** One join: connect, PLAY, wait for the first decodable frame and a sender report, leave. */
async function joinOnce(url: string): Promise<JoinResult | undefined> {
  const reader = await JoinReader.connect(url);
  try {
    await reader.play();
    return await reader.measured(10_000);
  } finally {
    await reader.close();
  }
}

interface Row {
  source: SourceKind;
  server: ServerKind;
  results: JoinResult[];
  failed: number;
}

/** Joins to a source nobody watches: each join finds it stopped (or, for gst, not yet built). */
async function measureCold(server: ServerKind): Promise<Row> {
  const results: JoinResult[] = [];
  let failed = 0;
  let running = server === "edge" ? await startServer(server, "cold") : undefined;
  try {
    for (let i = 0; i < joins; i++) {
      if (server === "edge") await sleep(2500); // past the 1 s close-after: the source stopped
      else running = await startServer(server, "cold");
      const result = await joinOnce(running!.url).catch(() => undefined);
      if (result) results.push(result);
      else failed++;
      if (server === "gst") await running!.stop();
    }
  } finally {
    if (server === "edge") await running?.stop();
  }
  return { source: "cold", server, results, failed };
}

async function measure(server: ServerKind, source: SourceKind): Promise<Row> {
  if (source === "cold") return await measureCold(server);
  const running = await startServer(server, source);
  const keeper = await JoinReader.connect(running.url);
  try {
    await keeper.play();
    if (!(await keeper.measured(20_000))) throw new Error(`${running.url}: the stream never came`);
    await sleep(2000);
    const results: JoinResult[] = [];
    let failed = 0;
    for (let i = 0; i < joins; i++) {
      // Apart by more than the keyframe request interval (1 s), at random points of the GOP.
      await sleep(1100 + Math.random() * 1000);
      const result = await joinOnce(running.url).catch(() => undefined);
      if (result) results.push(result);
      else failed++;
    }
    return { source, server, results, failed };
  } finally {
    await keeper.close();
    await running.stop();
  }
}

function p50p90(values: number[]): string {
  const sorted = values.toSorted((a, b) => a - b);
  const f = (p: number) => percentile(sorted, p).toFixed(0).padStart(5);
  return `${f(50)} / ${f(90)}`;
}

function printRows(rows: Row[]): void {
  const name = { edge: "rtsp-edge", gst: "gst-rtsp-server" };
  console.log(
    `\nJoin: PLAY to the first decodable frame, and how far behind live it is (ms, p50 / p90)`,
  );
  console.log(
    `${"source".padEnd(12)} ${"server".padEnd(16)} ${"first frame".padEnd(14)} ` +
      `${"from DESCRIBE".padEnd(14)} ${"behind live".padEnd(14)} ${"skipped".padEnd(8)} joins`,
  );
  for (const row of rows) {
    const r = row.results;
    console.log(
      `${row.source.padEnd(12)} ${name[row.server].padEnd(16)} ` +
        `${p50p90(r.map((x) => x.firstFrameMs)).padEnd(14)} ` +
        `${p50p90(r.map((x) => x.fromDescribeMs)).padEnd(14)} ` +
        `${p50p90(r.map((x) => x.behindMs)).padEnd(14)} ` +
        `${p50p90(r.map((x) => x.skipped)).padEnd(8)} ` +
        `${r.length}${row.failed ? ` (${row.failed} failed)` : ""}`,
    );
  }
  const edge = rows.find((r) => r.source === "encoder" && r.server === "edge");
  if (edge && edge.results.length > 0) {
    const sorted = (f: (x: JoinResult) => number) => edge.results.map(f).toSorted((a, b) => a - b);
    const first = percentile(sorted((x) => x.firstFrameMs), 50);
    const behind = percentile(sorted((x) => x.behindMs), 50);
    const mark = (ok: boolean) => ok ? "met" : "MISSED";
    console.log(
      `\nTargets, encoder source, rtsp-edge: first frame p50 ${first.toFixed(0)} ms ` +
        `(target ≤ ${TARGET_FIRST_FRAME_P50}: ${mark(first <= TARGET_FIRST_FRAME_P50)}), ` +
        `behind live p50 ${behind.toFixed(0)} ms ` +
        `(target ≤ ${TARGET_BEHIND_P50}: ${mark(behind <= TARGET_BEHIND_P50)})`,
    );
  }
  const cold = rows.find((r) => r.source === "cold" && r.server === "edge");
  if (cold && cold.results.length > 0) {
    const sorted = cold.results.map((x) => x.firstFrameMs).toSorted((a, b) => a - b);
    const first = percentile(sorted, 50);
    console.log(
      `Target, cold on-demand source, rtsp-edge: first frame p50 ${first.toFixed(0)} ms from ` +
        `PLAY (target ≤ ${TARGET_COLD_P50}: ${first <= TARGET_COLD_P50 ? "met" : "MISSED"})`,
    );
  }
  console.log(
    "\nskipped: access units before the first decodable one. GStreamer's behind-live includes " +
      "its encoder's delay (its RTP time is the capture time); rtsp-edge's starts when the " +
      "frame reaches the stream.",
  );
}

const servers: ServerKind[] = only ? [only as ServerKind] : ["edge", "gst"];
if (servers.includes("gst") && !gstRtspServerAvailable()) {
  console.error("GStreamer's RTSP server bindings are missing (see bench/README.md): edge only");
  servers.splice(servers.indexOf("gst"), 1);
}
const rows: Row[] = [];
try {
  for (const source of sources as SourceKind[]) {
    for (const server of servers) {
      console.error(`${source} / ${server}: ${joins} joins...`);
      rows.push(await measure(server, source));
    }
  }
  printRows(rows);
} finally {
  await killAll();
}
