/**
 * Shared pieces of the interop suite: real clients as child processes, a test clip made by ffmpeg,
 * and a server on loopback that plays it.
 *
 * A test that needs a client that is missing is skipped on a developer's machine, and fails under
 * `CI=true`: CI must prove interop, never skip it.
 */

import { serve } from "../../mod.ts";
import type { LiveStream, Logger, RtspServer, ServeOptions } from "../../mod.ts";
import { playClip, readAnnexBClip } from "../../src/source/annexb_file.ts";

/** Whether we run in CI. */
export const IN_CI = Deno.env.get("CI") === "true";

const toolCache = new Map<string, boolean>();

/** Whether an executable is on PATH. */
export function hasTool(name: string): boolean {
  let found = toolCache.get(name);
  if (found === undefined) {
    const out = new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
      .outputSync();
    found = out.success;
    toolCache.set(name, found);
  }
  return found;
}

/**
 * Registers a test that needs real client programs: ignored locally when one is missing, failing in
 * CI with a message that names it.
 */
export function interopTest(
  name: string,
  tools: readonly string[],
  fn: () => Promise<void>,
): void {
  const missing = tools.filter((t) => !hasTool(t));
  Deno.test({
    name,
    ignore: missing.length > 0 && !IN_CI,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      if (missing.length > 0) {
        throw new Error(`${missing.join(", ")} must be installed when CI=true (see .ci/run)`);
      }
      await fn();
    },
  });
}

/**
 * A command line from a template: split on the literal white space, each interpolated value kept
 * whole inside the word it stands in (so URLs and paths need no quoting).
 * `` argv`-i ${url} -s ${w}x${h}` `` → `["-i", url, "-s", "640x360"]`.
 */
export function argv(parts: TemplateStringsArray, ...values: (string | number)[]): string[] {
  const mark = (i: number) => `\ue000${i}\ue001`; // private-use marks, never in a literal
  const text = parts.reduce((out, part, i) => out + part + (i < values.length ? mark(i) : ""), "");
  return text.split(/\s+/).filter((w) => w !== "").map((word) =>
    word.replace(/\ue000(\d+)\ue001/g, (_, i) => String(values[Number(i)]))
  );
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "rtsp-edge-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * GStreamer's rtspsrc reading `url` and decoding `frames` frames with avdec_h264; `rtspsrc` holds
 * extra rtspsrc properties. `fakesink num-buffers` ends the pipeline with EOS after that many
 * decoded frames, so EOS means they all went through depayloading, parsing and decoding.
 */
export async function gstDecode(
  url: string,
  rtspsrc: string[],
  frames: number,
): Promise<RunResult & { eos: boolean }> {
  const r = await run("gst-launch-1.0", [
    ...argv`rtspsrc location=${url}`,
    ...rtspsrc,
    ...argv`latency=0 ! rtph264depay ! h264parse ! avdec_h264 ! fakesink num-buffers=${frames}`,
  ], 60_000);
  return { ...r, eos: /Got EOS from element "pipeline0"/.test(r.stdout) };
}

/**
 * Checks a {@link gstDecode} run: every frame decoded (EOS), and a clean exit, or only the
 * shutdown race of GStreamer 1.22's rtspsrc, which is not the server's: after EOS it closes its
 * own connection while its TEARDOWN (or the PAUSE it tries next) is still to be sent, and each
 * such send fails with "Could not send message. (Received end-of-file)". `clientEnded` counts
 * sessions the server saw the client end (TEARDOWN, or the client closing its connection), proving
 * the server did not drop the client itself.
 */
export function assertGstDecoded(r: RunResult & { eos: boolean }, clientEnded: number): void {
  if (r.timedOut) throw new Error("gst-launch did not finish in time");
  if (!r.eos) throw new Error(`GStreamer did not decode every frame:\n${r.stderr}${r.stdout}`);
  if (r.code === 0) return;
  const errors = r.stderr.split(/^ERROR: /m).slice(1);
  const shutdownRace = errors.length > 0 && clientEnded > 0 &&
    errors.every((e) => /Could not send message\. \(Received end-of-file\)/.test(e));
  if (!shutdownRace) throw new Error(`gst-launch failed after EOS:\n${r.stderr}`);
}

/**
 * A logger that counts the sessions the client ended: by TEARDOWN, or by closing its connection
 * while the server had not closed it (a stalled or too-slow client, which the server drops itself,
 * resets the count to never count).
 */
export function teardownCounter(): { logger: Logger; count: () => number } {
  let n = 0;
  let serverDropped = false;
  return {
    logger: {
      log(_level, message, fields) {
        const reason = fields?.reason;
        if (
          message === "session ended" && (reason === "teardown" || reason === "connection closed")
        ) n++;
        if (/stalled|too slow/.test(message)) serverDropped = true;
      },
    },
    count: () => (serverDropped ? 0 : n),
  };
}

/** What a finished child process printed. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Whether it was killed at the time limit. */
  timedOut: boolean;
}

/** Runs a program to completion, killing it after `timeoutMs`. */
export async function run(
  cmd: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<RunResult> {
  const child = new Deno.Command(cmd, {
    args: [...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
    timedOut,
  };
}

let clipPromise: Promise<string> | undefined;

/**
 * A 10 s 640x360 30 fps H.264 clip (libx264, baseline, GOP 30, Annex B), made once per test run.
 */
export function testClip(): Promise<string> {
  clipPromise ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "rtsp-edge-clip-" });
    const path = `${dir}/clip.h264`;
    const r = await run(
      "ffmpeg",
      argv`-v error -f lavfi -i testsrc2=size=640x360:rate=30 -t 10 -c:v libx264
        -profile:v baseline -g 30 -bf 0 -pix_fmt yuv420p -f h264 ${path}`,
    );
    if (r.code !== 0) throw new Error(`ffmpeg could not make the test clip: ${r.stderr}`);
    return path;
  })();
  return clipPromise;
}

/** A server on 127.0.0.1 playing the test clip at `/stream`. */
export interface ClipServer {
  server: RtspServer;
  stream: LiveStream;
  url: string;
  close(): Promise<void>;
}

/**
 * A filler-data NAL unit (H.264 §7.3.2.7, type 12) of `size` bytes: decoders skip it, so it adds
 * bandwidth without changing the pictures.
 */
export function fillerNal(size: number): Uint8Array {
  const nal = new Uint8Array(size).fill(0xff);
  nal[0] = 0x0c;
  nal[size - 1] = 0x80; // rbsp_trailing_bits
  return nal;
}

/**
 * Starts a server on loopback that loops the test clip at 30 fps; `fillerBytes` pads every access
 * unit with a filler NAL unit of that size, to make the stream as heavy as a test needs.
 */
export async function startClipServer(
  options: ServeOptions = {},
  fillerBytes = 0,
): Promise<ClipServer> {
  const clip = readAnnexBClip(await Deno.readFile(await testClip()));
  const server = await serve({ port: 0, hostname: "127.0.0.1", ...options });
  const stream = server.addStream("/stream", { codec: "h264", framerate: 30 });
  const filler = fillerBytes > 0 ? [fillerNal(fillerBytes)] : [];
  const player = playClip(clip, 30, (nals, o) => stream.sendFrame([...nals, ...filler], o));
  return {
    server,
    stream,
    url: server.url("/stream"),
    async close() {
      player.stop();
      await server.close();
    },
  };
}

/** Counts the video frames in a media file by decoding it; fails on any decoding error (-xerror). */
export async function decodeFrames(path: string): Promise<{ frames: number; errors: string }> {
  const r = await run("ffmpeg", argv`-v error -xerror -i ${path} -map 0:v:0 -f framecrc -`);
  const frames = r.stdout.split("\n").filter((l) => /^\d+,/.test(l)).length;
  return { frames, errors: r.code === 0 ? r.stderr.trim() : `exit ${r.code}: ${r.stderr.trim()}` };
}

/** A server process whose standard output was read up to its banner. */
export interface ServingProcess {
  /** What it printed up to the line that matched. */
  banner: string;
  /** Sends SIGTERM and waits: the exit code and what went to standard error. */
  stop(): Promise<{ code: number; stderr: string }>;
}

/**
 * Starts `program` and reads its standard output until `until` matches (or the output ends), so
 * a test can use what the banner says; `stop()` ends it as a user's Ctrl-C would.
 */
export async function spawnServing(
  program: string,
  args: string[],
  until: RegExp,
  options: { cwd?: string; stdin?: ReadableStream<Uint8Array> } = {},
): Promise<ServingProcess> {
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const piping = options.stdin?.pipeTo(child.stdin).catch(() => {});
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!until.test(banner)) {
    const { value, done } = await reader.read();
    if (done) break;
    banner += value;
  }
  return {
    banner,
    async stop() {
      child.kill("SIGTERM");
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
      const status = await child.status;
      const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
      await piping;
      return { code: status.code, stderr };
    },
  };
}

/** A free TCP port on the loopback interface (for a server that must be told its port). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
