/**
 * Audio beside video (`deno task bench:av`): what an audio track costs and how well it keeps time,
 * with rtsp-edge under `deno run` and as the compiled binary (`--runtimes deno,binary`), each in a
 * process of its own serving publishers (`source: publisher`).
 *
 * - **lip-sync**: ffmpeg publishes a clip whose picture flashes and whose sound beeps at the same
 *   instants (test/support/av_sync.ts), in each audio codec; ffmpeg records it back over TCP and
 *   over UDP with `-c copy`; the offset of each beep from its flash in the recording, median and
 *   worst. Target (issue): at most 40 ms.
 * - **audio latency**: a raw publisher (bench/av_rtsp.ts) sends 8 kHz PCMA, one packet each 20 ms,
 *   and a raw reader of the audio track notes when each arrives: p50 and p99 of arrival minus send,
 *   over TCP and UDP.
 * - **CPU**: `--readers` ffmpeg readers of an H.264 + AAC publisher, video only
 *   (`-allowed_media_types video`) and both tracks, taking turns `--repeat` times: the server's CPU
 *   per reader above what it spends with no reader, median of the turns, and the audio track's
 *   share.
 *
 * ```sh
 * deno task bench:av [--runtimes deno,binary] [--build] [--sections lipsync,latency,cpu]
 *   [--codecs aac,opus,pcma,l16] [--readers 20] [--seconds 10] [--repeat 3]
 * ```
 *
 * @module
 */

import { buildBinary } from "../build.ts";
import { avSyncInputs, measureAvSync, summarizeOffsets } from "../test/support/av_sync.ts";
import { freePort } from "../test/interop/support.ts";
import { AudioReader, AvPublisher } from "./av_rtsp.ts";
import { flags, percentile } from "./lines.ts";
import { cpuBetween, cpuSample, ServerProcess } from "./procs.ts";

const args = flags(Deno.args);
const runtimes = (args.runtimes ?? "deno,binary").split(",");
const sections = (args.sections ?? "lipsync,latency,cpu").split(",");
const codecs = (args.codecs ?? "aac,opus,pcma,l16").split(",");
const readers = Number(args.readers ?? 20);
const repeats = Number(args.repeat ?? 3);
const seconds = Number(args.seconds ?? 10);
const root = new URL("../", import.meta.url).pathname;
const binaryPath = `${root}dist/rtsp-edge`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ENCODERS: Record<string, string[]> = {
  aac: ["-c:a", "aac", "-b:a", "64k", "-ar", "48000", "-ac", "2"],
  opus: ["-c:a", "libopus", "-b:a", "48k", "-ar", "48000", "-ac", "1"],
  pcma: ["-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1"],
  l16: ["-c:a", "pcm_s16be", "-ar", "16000", "-ac", "1"],
};

if (
  runtimes.some((r) => r !== "deno" && r !== "binary") ||
  sections.some((s) => !["lipsync", "latency", "cpu"].includes(s)) ||
  codecs.some((c) => !(c in ENCODERS)) || !(readers >= 1) || !(seconds > 0) || !(repeats >= 1)
) {
  console.error(
    "usage: deno task bench:av [--runtimes deno,binary] [--build]" +
      " [--sections lipsync,latency,cpu] [--codecs aac,opus,pcma,l16] [--readers 20] [--seconds 10] [--repeat 3]",
  );
  Deno.exit(2);
}

/** rtsp-edge serving publishers on a free port, in its own process. */
async function startEdge(runtime: string): Promise<{ port: number; server: ServerProcess }> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "rtsp-edge-av-" });
  const config = `${dir}/av.yml`;
  await Deno.writeTextFile(config, "paths:\n  all_others: { source: publisher }\n");
  const flagList = [
    ...["--config", config, "--port", String(port), "--bind", "127.0.0.1"],
    ...["--http-port", String(freePort()), "--log-level", "warn"],
  ];
  const server = new ServerProcess(
    runtime === "binary" ? binaryPath : Deno.execPath(),
    runtime === "binary" ? flagList : ["run", "--allow-all", `${root}cli.ts`, ...flagList],
    root,
    "null",
  );
  for (let i = 0; i < 100; i++) {
    const open = await Deno.connect({ hostname: "127.0.0.1", port }).then((c) => {
      c.close();
      return true;
    }, () => false);
    if (open) return { port, server };
    if (server.exited) break;
    await sleep(100);
  }
  throw new Error(`rtsp-edge (${runtime}) did not start: ${server.stderr}`);
}

function ffmpeg(argv: string[]): Deno.ChildProcess {
  return new Deno.Command("ffmpeg", { args: argv, stdout: "null", stderr: "piped", stdin: "null" })
    .spawn();
}

async function lipSync(runtime: string): Promise<void> {
  for (const codec of codecs) {
    const { port, server } = await startEdge(runtime);
    const url = `rtsp://127.0.0.1:${port}/av`;
    try {
      const publisher = ffmpeg([
        ...["-v", "error", "-re", ...avSyncInputs(), "-t", "10"],
        ...["-c:v", "libx264", "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p"],
        ...ENCODERS[codec],
        ...["-f", "rtsp", "-rtsp_transport", "tcp", url],
      ]);
      await sleep(1500);
      const rows = await Promise.all(["tcp", "udp"].map(async (transport) => {
        const dir = await Deno.makeTempDir({ prefix: "rtsp-edge-av-" });
        const out = `${dir}/out.${codec === "aac" ? "mp4" : "mkv"}`;
        const r = await new Deno.Command("ffmpeg", {
          args: [
            "-v",
            "error",
            "-rtsp_transport",
            transport,
            "-i",
            url,
            "-t",
            "7",
            "-c",
            "copy",
            out,
          ],
          stdout: "null",
          stderr: "piped",
        }).output();
        if (!r.success) throw new Error(new TextDecoder().decode(r.stderr));
        const result = await measureAvSync(out);
        await Deno.remove(dir, { recursive: true });
        const { median, worst } = summarizeOffsets(result.offsetsMs);
        return `${runtime.padEnd(7)} ${
          codec.padEnd(5)
        } ${transport}  pairs ${result.offsetsMs.length}` +
          `  median ${median.toFixed(1)} ms  worst ${worst.toFixed(1)} ms` +
          `  ${Math.abs(worst) <= 40 ? "within" : "OUTSIDE"} 40 ms`;
      }));
      for (const row of rows) console.log(row);
      await publisher.status;
    } finally {
      await server.stop();
    }
  }
}

async function latency(runtime: string): Promise<void> {
  const { port, server } = await startEdge(runtime);
  try {
    const publisher = await AvPublisher.start(port, "/lat");
    for (const transport of ["tcp", "udp"] as const) {
      const sentAt = new Map<number, number>();
      const delays: number[] = [];
      const reader = await AudioReader.start(port, "/lat", transport, (index) => {
        const at = sentAt.get(index);
        if (at !== undefined) delays.push(performance.now() - at);
      });
      const count = Math.round(seconds * 50);
      const base = 1_000_000 * (transport === "tcp" ? 1 : 2);
      for (let i = 0; i < count; i++) {
        sentAt.set(base + i, performance.now());
        publisher.sendAudio(base + i);
        await sleep(20);
      }
      await sleep(200);
      reader.close();
      const sorted = delays.toSorted((a, b) => a - b);
      console.log(
        `${runtime.padEnd(7)} ${transport}  ${delays.length}/${count} packets` +
          `  p50 ${percentile(sorted, 50).toFixed(2)} ms  p99 ${
            percentile(sorted, 99).toFixed(2)
          } ms`,
      );
    }
    publisher.close();
  } finally {
    await server.stop();
  }
}

async function cpu(runtime: string): Promise<void> {
  const { port, server } = await startEdge(runtime);
  const url = `rtsp://127.0.0.1:${port}/cpu`;
  const publisher = ffmpeg([
    ...["-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30"],
    ...["-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000"],
    ...[
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-tune",
      "zerolatency",
      "-b:v",
      "2M",
      "-g",
      "30",
    ],
    ...ENCODERS.aac,
    ...["-f", "rtsp", "-rtsp_transport", "tcp", url],
  ]);
  try {
    await sleep(2000);
    const window = async () => {
      const c0 = cpuSample(server.child.pid);
      await sleep(seconds * 1000);
      return cpuBetween(c0, cpuSample(server.child.pid)).seconds / seconds;
    };
    const idle = await window();
    const turns: Record<string, number[]> = { video: [], both: [] };
    for (let turn = 0; turn < repeats; turn++) {
      for (const mode of ["video", "both"]) {
        const clients = Array.from({ length: readers }, () =>
          ffmpeg([
            ...["-v", "error", "-rtsp_transport", "tcp"],
            ...(mode === "video" ? ["-allowed_media_types", "video"] : []),
            ...["-i", url, "-c", "copy", "-f", "null", "-"],
          ]));
        await sleep(2000);
        turns[mode].push(((await window()) - idle) / readers * 100);
        for (const c of clients) c.kill("SIGTERM");
        await Promise.all(clients.map((c) => c.status));
        await sleep(1000);
      }
    }
    const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
    const perReader = { video: median(turns.video), both: median(turns.both) };
    const audio = perReader.both - perReader.video;
    console.log(
      `${runtime.padEnd(7)} ${readers} readers, % of a core per reader: video ${
        perReader.video.toFixed(3)
      }, video + audio ${perReader.both.toFixed(3)}, audio track ${audio.toFixed(3)} (${
        (audio / perReader.video * 100).toFixed(0)
      } % of the video's)`,
    );
  } finally {
    publisher.kill("SIGTERM");
    await publisher.status;
    await server.stop();
  }
}

if (runtimes.includes("binary")) {
  const missing = await Deno.stat(binaryPath).then(() => false, () => true);
  if (args.build !== undefined || missing) {
    console.error(`building ${binaryPath}`);
    await buildBinary({ outfile: binaryPath });
  }
}
console.log(`bench:av: ${navigator.hardwareConcurrency} CPUs; rtsp-edge runtimes: ${runtimes}`);
if (sections.includes("lipsync")) {
  console.log("\nlip-sync: beep minus flash in ffmpeg's -c copy recording");
  for (const runtime of runtimes) await lipSync(runtime);
}
if (sections.includes("latency")) {
  console.log("\naudio latency, publisher's send to reader's arrival (PCMA, 20 ms packets)");
  for (const runtime of runtimes) await latency(runtime);
}
if (sections.includes("cpu")) {
  console.log(
    `\nCPU of the audio track (720p30 H.264 2 Mbit/s + AAC 64 kbit/s, ${seconds} s windows)`,
  );
  for (const runtime of runtimes) await cpu(runtime);
}
