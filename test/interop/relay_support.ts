/**
 * Helpers of the relay and push interop tests: rtsp-edge started through its real command line
 * (its log read as it comes), GStreamer's RTSP server playing a launch line, and readers that
 * decode what a server sends (ffmpeg with -xerror, GStreamer's rtspsrc).
 */

import { gstRtspServerAvailable } from "../../bench/procs.ts";
import { argv, run, type RunResult } from "./support.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every 100 ms until it holds; throws with `what()` after `timeoutMs`. Tests wait
 * this way rather than for fixed times, so a busy machine only makes them slower.
 */
export async function waitFor(
  check: () => boolean,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms in vain: ${what()}`);
    await sleep(100);
  }
}

/** rtsp-edge run as a user runs it: `deno run -A cli.ts …`, bound to 127.0.0.1. */
export class Edge {
  readonly #child: Deno.ChildProcess;
  readonly #reading: Promise<void>;
  #stderr = "";
  #stdout = "";
  #exited: Deno.CommandStatus | undefined;

  private constructor(args: string[]) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "--bind", "127.0.0.1", ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    const drain = async (stream: ReadableStream<Uint8Array>, to: (s: string) => void) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) to(text);
    };
    this.#reading = Promise.all([
      drain(child.stdout, (s) => void (this.#stdout += s)),
      drain(child.stderr, (s) => void (this.#stderr += s)),
    ]).then(() => {});
    void child.status.then((s) => void (this.#exited = s));
  }

  /**
   * Starts rtsp-edge with `args` (add `--port`) and waits until its banner shows a URL; a
   * process that exits first fails the start with what it printed.
   */
  static async start(args: string[], timeoutMs = 30_000): Promise<Edge> {
    const edge = new Edge(args);
    try {
      await waitFor(
        () => /rtsp:\/\/\S+\n/.test(edge.#stdout) || edge.#exited !== undefined,
        timeoutMs,
        () => `rtsp-edge ${args.join(" ")} printed no URL:\n${edge.output}`,
      );
      if (edge.#exited !== undefined) {
        throw new Error(`rtsp-edge ${args.join(" ")} exited ${edge.#exited.code}:\n${edge.output}`);
      }
    } catch (error) {
      await edge.stop();
      throw error;
    }
    return edge;
  }

  /** Standard output and standard error so far. */
  get output(): string {
    return `${this.#stdout}${this.#stderr}`;
  }

  /** The log (standard error) so far. */
  get log(): string {
    return this.#stderr;
  }

  /** How many log lines match `pattern`. */
  count(pattern: RegExp): number {
    return this.#stderr.split("\n").filter((line) => pattern.test(line)).length;
  }

  /** Waits until `pattern` has been logged `times` times. */
  logged(pattern: RegExp, times = 1, timeoutMs = 20_000): Promise<void> {
    return waitFor(
      () => this.count(pattern) >= times,
      timeoutMs,
      () => `${pattern} not logged ${times}x:\n${this.output}`,
    );
  }

  /** Sessions of readers (`role=reader`) set up and not yet ended. */
  openReaderSessions(): number {
    const up = new Set<string>();
    for (const line of this.#stderr.split("\n")) {
      const id = /\bsession=(\w+)/.exec(line)?.[1];
      if (!id) continue;
      if (/session set up .*role=reader/.test(line)) up.add(id);
      else if (/INFO\s+session ended /.test(line)) up.delete(id);
    }
    return up.size;
  }

  /** Sessions the reader ended itself (TEARDOWN or closing its connection). */
  readerEnded(): number {
    return this.count(/INFO\s+session ended .*reason=(teardown|"connection closed")/);
  }

  /** Ends it as Ctrl-C would (SIGTERM) and resolves with its exit code; idempotent. */
  async stop(): Promise<number> {
    if (this.#exited === undefined) {
      try {
        this.#child.kill("SIGTERM");
      } catch { /* exited meanwhile */ }
    }
    const kill = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* exited */ }
    }, 10_000);
    const status = await this.#child.status;
    clearTimeout(kill);
    await this.#reading.catch(() => {});
    return status.code;
  }
}

export { gstRtspServerAvailable };

/** The python3-gi check as a tool name for `interopTest` (see {@link gstRtspServerAvailable}). */
export function gstServerTools(): string[] {
  return gstRtspServerAvailable() ? ["gst-launch-1.0"] : ["gst-launch-1.0", "python3-gi"];
}

/** Reads JSON lines from a child's standard output, handing each to `onLine`. */
async function readJsonLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: Record<string, unknown>) => void,
): Promise<void> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n")) {
      const line = text.slice(0, nl).trim();
      text = text.slice(nl + 1);
      if (line.startsWith("{")) onLine(JSON.parse(line));
    }
  }
}

/** A Python GStreamer helper (JSON lines out, exits when its standard input ends). */
export interface GstProcess {
  /** Its port on 127.0.0.1. */
  port: number;
  /** Decoded frames it reported (the record server), else 0. */
  frames(): number;
  /** Ends it; resolves with its standard error. */
  stop(): Promise<string>;
}

async function startGstScript(script: string, args: string[]): Promise<GstProcess> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [new URL(script, import.meta.url).pathname, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let frames = 0;
  let resolvePort!: (port: number) => void;
  const port = new Promise<number>((resolve) => resolvePort = resolve);
  const lines = readJsonLines(child.stdout, (line) => {
    if (line.event === "ready") resolvePort(line.port as number);
    if (line.event === "frames") frames = line.count as number;
  }).finally(() => resolvePort(-1));
  const stderr = new Response(child.stderr).text();
  const timer = setTimeout(() => resolvePort(-1), 20_000);
  const bound = await port;
  clearTimeout(timer);
  const stop = async () => {
    await child.stdin.close().catch(() => {});
    const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
    await child.status;
    clearTimeout(kill);
    await lines.catch(() => {});
    return await stderr;
  };
  if (bound < 0) throw new Error(`${script} did not start: ${await stop()}`);
  return { port: bound, frames: () => frames, stop };
}

/**
 * GStreamer's RTSP server playing `launch` at `rtsp://127.0.0.1:<port>/stream`, accepting only the
 * lower transports `protocols` names.
 */
export function startGstServer(
  launch: string,
  protocols: "tcp" | "udp" | "all",
): Promise<GstProcess> {
  return startGstScript("./gst_launch_server.py", [launch, "--protocols", protocols]);
}

/** GStreamer's RTSP server in record mode at `/x` (gst_record_server.py), counting decoded frames. */
export function startGstRecordServer(): Promise<GstProcess> {
  return startGstScript("./gst_record_server.py", []);
}

/**
 * A GStreamer H.264 test camera: 320x240 at 10 fps, a keyframe a second. One thread and 500 kbit/s:
 * with x264enc's defaults ffmpeg reading GStreamer's server directly conceals errors in I frames.
 */
export const GST_H264 = "( videotestsrc is-live=true ! video/x-raw,width=320,height=240," +
  "framerate=10/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 threads=1 " +
  "bitrate=500 ! rtph264pay name=pay0 pt=96 config-interval=-1 )";

/**
 * A GStreamer MJPEG test camera: 320x240 at 10 fps, RTP/JPEG (RFC 2435). I420 is named because
 * rtpjpegpay takes only 4:2:0 or 4:2:2 JPEG ("Invalid component" otherwise, and no DESCRIBE answer).
 */
export const GST_MJPEG = "( videotestsrc is-live=true ! video/x-raw,format=I420,width=320," +
  "height=240,framerate=10/1 ! jpegenc ! rtpjpegpay name=pay0 pt=26 )";

/** What ffmpeg decoded from an RTSP URL. */
export interface FfmpegRead {
  code: number;
  stderr: string;
  frames: number;
}

/**
 * ffmpeg reads `url` over `transport` and decodes `frames` frames with -xerror (any decoding
 * error fails it), or gives up after `timeoutMs`.
 */
export async function ffmpegRead(
  url: string,
  transport: "tcp" | "udp",
  frames: number,
  timeoutMs = 60_000,
): Promise<FfmpegRead> {
  const r = await run(
    "ffmpeg",
    argv`-v error -xerror -rtsp_transport ${transport} -timeout 10000000 -i ${url}
      -frames:v ${frames} -map 0:v:0 -f framecrc -`,
    timeoutMs,
  );
  const decoded = r.stdout.split("\n").filter((l) => /^\d+,/.test(l)).length;
  return { code: r.code, stderr: r.stderr, frames: decoded };
}

/** Throws unless `r` decoded all `frames` frames and exited cleanly. */
export function assertFfmpegDecoded(r: FfmpegRead, frames: number, what: string): void {
  if (r.code !== 0 || r.frames < frames) {
    throw new Error(
      `${what}: ffmpeg exited ${r.code} after ${r.frames}/${frames} frames:\n${r.stderr}`,
    );
  }
}

/** The codec name and size ffprobe sees at `url`, over `transport`. */
export async function probe(
  url: string,
  transport: "tcp" | "udp" = "tcp",
): Promise<[string, number, number]> {
  const r = await run(
    "ffprobe",
    argv`-v error -rtsp_transport ${transport} -show_streams -of json ${url}`,
  );
  if (r.code !== 0) throw new Error(`ffprobe ${url} failed: ${r.stderr}`);
  const v = JSON.parse(r.stdout).streams[0];
  return [v.codec_name, v.width, v.height];
}

/**
 * GStreamer's rtspsrc reads `url` over `protocol` and decodes `frames` frames (H.264 with
 * avdec_h264, or RTP/JPEG with jpegdec); EOS from the pipeline proves every one went through.
 */
export async function gstRead(
  url: string,
  protocol: "tcp" | "udp",
  frames: number,
  codec: "h264" | "jpeg" = "h264",
): Promise<RunResult & { eos: boolean }> {
  const decode = codec === "h264"
    ? argv`rtph264depay ! h264parse ! avdec_h264`
    : argv`rtpjpegdepay ! jpegdec`;
  const r = await run("gst-launch-1.0", [
    ...argv`rtspsrc location=${url} protocols=${protocol} latency=0 !`,
    ...decode,
    ...argv`! fakesink num-buffers=${frames}`,
  ], 60_000);
  return { ...r, eos: /Got EOS from element "pipeline0"/.test(r.stdout) };
}
