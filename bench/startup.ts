/**
 * Start-up benchmark: how long a server takes from being spawned to printing its rtsp:// URL and to
 * answering a first RTSP OPTIONS, and how much memory it holds once idle. Measured for rtsp-edge's
 * Bun binary (`dist/rtsp-edge`, built when missing), rtsp-edge from source under `deno run`, and
 * GStreamer's gst-rtsp-server (bench/gst_rtsp_server.py) as the peer the others are compared with.
 *
 * ```sh
 * deno run --allow-all bench/startup.ts [--runs 10] [--only bun,deno,gst] [--source pattern|clip]
 *   [--build] [--clip-dir DIR]
 * ```
 *
 * `--source clip` has rtsp-edge serve the bench clip (`--input`, no encoder) instead of its test
 * pattern; `--build` rebuilds `dist/rtsp-edge` first, which is otherwise only built when missing.
 *
 * Every run is a fresh process on a port picked just before (127.0.0.1 only); the subjects take
 * turns run by run, after one uncounted warm-up each (disk cache, Deno's module cache).
 *
 * ffmpeg is not a peer: its RTSP muxer has no server mode (`-f rtsp -rtsp_flags listen` still
 * connects out to the URL as a publisher, "Connection refused"), and its demuxer's listen mode
 * takes one publisher's ANNOUNCE/RECORD, serving no reader.
 *
 * @module
 */

import { gstRtspServerAvailable, ServerProcess } from "./procs.ts";
import { buildBinary } from "../build.ts";
import { ensureClip } from "./clip.ts";
import { flags, percentile } from "./lines.ts";
import { freePort } from "../test/interop/support.ts";

const args = flags(Deno.args);
const runs = Number(args.runs ?? 10);
const only = (args.only ?? "bun,deno,gst").split(",");
const source = args.source ?? "pattern";
const clipDir = args["clip-dir"] ?? `${Deno.env.get("TMPDIR") ?? "/tmp"}/rtsp-edge-bench`;
if (
  !(runs >= 1) || !["pattern", "clip"].includes(source) ||
  only.some((s) => !["bun", "deno", "gst"].includes(s))
) {
  console.error(
    "usage: deno run --allow-all bench/startup.ts [--runs 10] [--only bun,deno,gst]" +
      " [--source pattern|clip] [--build] [--clip-dir DIR]",
  );
  Deno.exit(2);
}

const root = new URL("../", import.meta.url).pathname;
/** When the idle memory is read, from the spawn. */
const RSS_AT_MS = 2000;
/** How long a start may take before the run counts as failed. */
const START_TIMEOUT_MS = 30_000;

/** One server to start. */
interface Subject {
  key: string;
  label: string;
  command: string;
  args(port: number): string[];
}

/** One start of one subject. */
interface Run {
  lineMs: number;
  optionsMs: number;
  rssKiB: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS of `pid` in KiB, from /proc/<pid>/status (proc(5)). */
function vmRssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
}

/**
 * Milliseconds from `t0` to the first complete `200` answer to OPTIONS on 127.0.0.1:`port`,
 * connecting again every millisecond or two while the port is closed.
 */
async function firstOptions(port: number, t0: number, gone: () => boolean): Promise<number> {
  const request = new TextEncoder().encode(
    `OPTIONS rtsp://127.0.0.1:${port}/stream RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: startup-bench\r\n\r\n`,
  );
  while (!gone()) {
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: "127.0.0.1", port });
    } catch {
      await sleep(1);
      continue;
    }
    try {
      await conn.write(request);
      let text = "";
      const buf = new Uint8Array(4096);
      while (!text.includes("\r\n\r\n")) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      if (/^RTSP\/1\.0 200 /.test(text) && text.includes("\r\n\r\n")) {
        return performance.now() - t0;
      }
    } catch {
      // accepted and dropped while starting: try again
    } finally {
      conn.close();
    }
    await sleep(1);
  }
  throw new Error("exited before answering OPTIONS");
}

/** Milliseconds from `t0` to the first stdout chunk that holds `rtsp://`; stdout drains after. */
function firstUrlLine(stdout: ReadableStream<Uint8Array>, t0: number): Promise<number> {
  return new Promise((resolve, reject) => {
    (async () => {
      const decoder = new TextDecoder();
      let text = "";
      let found = false;
      for await (const chunk of stdout) {
        if (found) continue; // keep reading so that the pipe never fills
        text += decoder.decode(chunk, { stream: true });
        if (text.includes("rtsp://")) {
          found = true;
          resolve(performance.now() - t0);
        }
      }
      if (!found) reject(new Error(`exited without printing rtsp://: ${text.slice(-500)}`));
    })().catch(reject);
  });
}

/** Starts `subject` once, measures it, and stops it. */
async function startOnce(subject: Subject): Promise<Run> {
  const port = freePort();
  const t0 = performance.now();
  const server = new ServerProcess(subject.command, subject.args(port), root, "piped");
  const { child } = server;
  const killTimer = setTimeout(() => child.kill("SIGKILL"), START_TIMEOUT_MS + RSS_AT_MS);
  try {
    const line = firstUrlLine(child.stdout, t0);
    const exited = () => server.exited;
    const [lineMs, optionsMs] = await Promise.all([line, firstOptions(port, t0, exited)]);
    await sleep(Math.max(0, RSS_AT_MS - (performance.now() - t0)));
    if (server.exited) throw new Error("exited while idle");
    const rssKiB = vmRssKiB(child.pid);
    return { lineMs, optionsMs, rssKiB };
  } catch (error) {
    throw new Error(`${subject.label}: ${(error as Error).message}\n${server.stderr}`);
  } finally {
    clearTimeout(killTimer);
    await server.stop();
  }
}

async function subjects(): Promise<Subject[]> {
  const list: Subject[] = [];
  const clip = source === "clip" || only.includes("gst") ? await ensureClip(clipDir) : undefined;
  const edgeArgs = (port: number) => [
    ...["--port", String(port), "--bind", "127.0.0.1"],
    ...(source === "clip" ? ["--input", clip!.h264] : []),
  ];
  if (only.includes("bun")) {
    const binary = `${root}dist/rtsp-edge`;
    const missing = await Deno.stat(binary).then(() => false, () => true);
    if (missing || args.build === "true") {
      console.error(`building ${binary}`);
      await buildBinary({ outfile: binary });
    }
    list.push({ key: "bun", label: "rtsp-edge, Bun binary", command: binary, args: edgeArgs });
  }
  if (only.includes("deno")) {
    list.push({
      key: "deno",
      label: "rtsp-edge, deno run cli.ts",
      command: Deno.execPath(),
      args: (port) => [
        ...["run", "--allow-net", "--allow-read", "--allow-env"],
        ...["--allow-sys=networkInterfaces", "--allow-ffi", "cli.ts", ...edgeArgs(port)],
      ],
    });
  }
  if (only.includes("gst")) {
    if (gstRtspServerAvailable()) {
      list.push({
        key: "gst",
        label: "gst-rtsp-server (Python)",
        command: "/usr/bin/python3",
        args: (port) => ["bench/gst_rtsp_server.py", "--aus", clip!.aus, "--port", String(port)],
      });
    } else {
      console.error(
        "gst-rtsp-server is not usable from /usr/bin/python3, measured without it; install\n" +
          "  apt-get install -y gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-bad",
      );
    }
  }
  return list;
}

function sorted(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

function report(list: Subject[], results: Map<string, Run[]>): void {
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const ms = (v: number) => v.toFixed(1);
  const stats = new Map(list.map((s) => {
    const r = results.get(s.key)!;
    const line = sorted(r.map((x) => x.lineMs));
    const options = sorted(r.map((x) => x.optionsMs));
    const rss = sorted(r.map((x) => x.rssKiB / 1024));
    return [s.key, {
      line: [percentile(line, 50), percentile(line, 90)],
      options: [percentile(options, 50), percentile(options, 90)],
      rss: percentile(rss, 50),
    }];
  }));
  const gst = stats.get("gst");
  const ratio = (a: number, b: number | undefined) => b ? `${(a / b).toFixed(2)}x` : "-";
  console.log(`\nstart-up, ${runs} runs each, servers on 127.0.0.1 (source: ${source})\n`);
  console.log(row([
    "server",
    "to rtsp:// line p50 / p90 ms",
    "to OPTIONS 200 p50 / p90 ms",
    "VmRSS at 2 s MiB (p50)",
    "line p50 vs gst",
    "OPTIONS p50 vs gst",
    "RSS vs gst",
  ]));
  console.log(row(["---", "---:", "---:", "---:", "---:", "---:", "---:"]));
  for (const s of list) {
    const st = stats.get(s.key)!;
    console.log(row([
      s.label,
      `${ms(st.line[0])} / ${ms(st.line[1])}`,
      `${ms(st.options[0])} / ${ms(st.options[1])}`,
      st.rss.toFixed(1),
      ratio(st.line[0], gst?.line[0]),
      ratio(st.options[0], gst?.options[0]),
      ratio(st.rss, gst?.rss),
    ]));
  }
  console.log(
    "\nrtsp:// line: rtsp-edge's banner (after its source started); gst-rtsp-server's ready line" +
      " (it builds its media only at the first DESCRIBE).\nOPTIONS 200: TCP connect + OPTIONS" +
      " answered, polled every ~1 ms from the spawn; VmRSS: /proc/<pid>/status, idle, no client.",
  );
}

const list = await subjects();
if (list.length === 0) Deno.exit(1);
const results = new Map<string, Run[]>(list.map((s) => [s.key, []]));
for (const s of list) await startOnce(s); // warm-up, not counted
for (let i = 0; i < runs; i++) {
  for (const s of list) results.get(s.key)!.push(await startOnce(s));
  console.error(`run ${i + 1}/${runs} done`);
}
report(list, results);
