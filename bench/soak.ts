/**
 * `deno task bench:soak`: the compiled binary (`dist/rtsp-edge`) serving three kinds of path for
 * half an hour while readers, a device and a publisher come and go, to see whether its memory or
 * open file descriptors grow and whether steady readers lose frames.
 *
 * One YAML config on 127.0.0.1 (every port picked by the OS):
 * - `/pattern`: the test pattern, 320x240 at 15 fps, encoded by the server;
 * - `/cam`: a device simulator in this process pushing JPEG at 10 fps to `/ingest/cam` as the
 *   ESP32 examples do (one chunked `multipart/x-mixed-replace` POST, one part per frame with
 *   `X-Timestamp-Us`), transcoded to H.264 by the server; every minute it drops its connection and
 *   comes back two seconds later;
 * - `/pub`: `ffmpeg -re -stream_loop -1 … -c copy -f rtsp` publishing the fan-out benchmark's
 *   cached clip (1280x720, 30 fps, 2 Mbit/s) over TCP; every five minutes it is killed (SIGTERM and
 *   SIGKILL in turn) and a new one starts.
 *
 * Meanwhile a reader joins every second and each leaves five seconds after it joined (paths in
 * turn, TCP and UDP alternating, leaving with TEARDOWN or by closing the connection in turn), and
 * ten steady readers (TCP and UDP, across the paths) read from start to end, counting what they
 * lose by RTP sequence gaps. Every minute a line: elapsed, RSS and open fds of the binary, readers
 * joined and left. At the end: the RSS and fd slopes with a verdict, the steady readers' losses,
 * and the errors in the binary's log.
 *
 * ```sh
 * deno run --allow-all bench/soak.ts [--minutes 30] [--build] [--json FILE] [--clip-dir DIR]
 *   [--device-every 60] [--publisher-every 300]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { splitJpegs } from "../src/codec/jpeg.ts";
import { RtspTestClient } from "../test/support/rtsp_client.ts";
import { ensureClip } from "./clip.ts";
import { BINARY_PATH, ensureBinary } from "./console_binary.ts";
import { bannerPorts, cpuSeconds } from "./procs.ts";
import {
  fitLine,
  type GrowthVerdict,
  judgeGrowth,
  SequenceLoss,
  trendWindow,
} from "./soak_figures.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "30" },
    build: { type: "boolean", default: false },
    json: { type: "string" },
    "clip-dir": { type: "string" },
    "device-every": { type: "string", default: "60" },
    "publisher-every": { type: "string", default: "300" },
  },
});
const MINUTES = Number(values.minutes);
const DEVICE_EVERY_S = Number(values["device-every"]);
const PUBLISHER_EVERY_S = Number(values["publisher-every"]);
if (!(MINUTES > 0) || !(DEVICE_EVERY_S > 2) || !(PUBLISHER_EVERY_S > 0)) {
  console.error(
    "usage: deno run --allow-all bench/soak.ts [--minutes 30] [--build] [--json FILE]" +
      " [--clip-dir DIR] [--device-every 60] [--publisher-every 300]",
  );
  Deno.exit(2);
}
const RUN_S = MINUTES * 60;
const clipDir = values["clip-dir"] ?? `${Deno.env.get("TMPDIR") ?? "/tmp"}/rtsp-edge-bench`;

/** The device's frame rate and how long it stays away when it drops. */
const DEVICE_FPS = 10;
const DEVICE_AWAY_MS = 2000;
/** How long each joining reader stays. */
const CHURN_LIFE_S = 5;
/** RSS and fds are read this often (the fit uses every sample). */
const SAMPLE_MS = 5000;
/** How long the end waits for UDP sessions left without TEARDOWN to time out (60 s default). */
const DRAIN_WAIT_MS = 75_000;
/** Below these the slope is not called growth, whatever the noise (see bench/README.md). */
const RSS_FLOOR_MIB_PER_HOUR = 1;
const FD_FLOOR_PER_HOUR = 1;

const TOKEN = "soak-token";
const PATHS = {
  pattern: { fps: 15 },
  cam: { fps: DEVICE_FPS },
  pub: { fps: 30 },
} as const;
type PathName = keyof typeof PATHS;
const PATH_ORDER: PathName[] = ["pattern", "cam", "pub"];

const CONFIG = `# bench/soak.ts
rtspPort: 0
httpPort: 0
rtpPort: 0
bind: 127.0.0.1
logLevel: info
paths:
  pattern: { source: test-pattern, size: 320x240, fps: 15, bitrate: 300k, gop: 30 }
  cam: { source: ingest, token: ${TOKEN}, jpeg: h264, bitrate: 500k, gop: 30 }
  pub: { source: publisher, replace: true }
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = new TextEncoder();
let t0 = performance.now();
/** Seconds since the steady readers started. */
const elapsed = () => (performance.now() - t0) / 1000;
const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

// ─── The binary and its log ──────────────────────────────────────────────────────────────────────

interface LogCounts {
  errors: number;
  warnings: number;
  /** Output that is not a log line (a runtime printing an error it was not handed), by block. */
  unstructured: number;
  firstErrors: string[];
  firstWarnings: string[];
  firstUnstructured: string[];
  /** framesSent / framesDropped of each reader session that ended, by session id. */
  endedReaders: Map<string, { path: string; sent: number; dropped: number }>;
  sessionsSetUp: number;
  sessionsEnded: number;
}

const FIRST = 5;
const LOG_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z (DEBUG|INFO |WARN |ERROR) (.*)$/;

function newLogCounts(): LogCounts {
  return {
    errors: 0,
    warnings: 0,
    unstructured: 0,
    firstErrors: [],
    firstWarnings: [],
    firstUnstructured: [],
    endedReaders: new Map(),
    sessionsSetUp: 0,
    sessionsEnded: 0,
  };
}

/** Reads the binary's standard error line by line into `counts`. */
async function readLog(stream: ReadableStream<Uint8Array>, counts: LogCounts): Promise<void> {
  let text = "";
  let inBlock = false;
  let block: string[] = [];
  const endBlock = () => {
    if (block.length === 0) return;
    counts.unstructured++;
    if (counts.firstUnstructured.length < FIRST) {
      counts.firstUnstructured.push(`[${clock(elapsed())}] ${block.join(" | ").slice(0, 300)}`);
    }
    block = [];
  };
  const line = (l: string) => {
    const m = LOG_LINE.exec(l);
    if (!m) {
      if (l.trim() === "") {
        if (inBlock) endBlock();
        inBlock = false;
        return;
      }
      inBlock = true;
      block.push(l.trim());
      return;
    }
    if (inBlock) endBlock();
    inBlock = false;
    const [, level, message] = m;
    if (level === "ERROR") {
      counts.errors++;
      if (counts.firstErrors.length < FIRST) counts.firstErrors.push(l);
    } else if (level === "WARN ") {
      counts.warnings++;
      if (counts.firstWarnings.length < FIRST) counts.firstWarnings.push(l);
    } else if (message.startsWith("session set up ")) {
      counts.sessionsSetUp++;
    } else if (message.startsWith("session ended ")) {
      counts.sessionsEnded++;
      const f = fields(message);
      if (f.role === "reader") {
        counts.endedReaders.set(f.session, {
          path: f.path,
          sent: Number(f.framesSent),
          dropped: Number(f.framesDropped),
        });
      }
    }
  };
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      line(text.slice(0, nl));
      text = text.slice(nl + 1);
    }
  }
  if (text) line(text);
  endBlock();
}

function fields(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of message.matchAll(/(\w+)=(\S+)/g)) out[m[1]] = m[2];
  return out;
}

interface Binary {
  pid: number;
  rtspPort: number;
  httpPort: number;
  log: LogCounts;
  logDone: Promise<void>;
  exited: () => boolean;
  stop(): Promise<void>;
}

async function startBinary(configPath: string): Promise<Binary> {
  const child = new Deno.Command(BINARY_PATH, {
    args: ["--config", configPath],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let exited = false;
  child.status.then(() => exited = true);
  const log = newLogCounts();
  const logDone = readLog(child.stderr, log).catch(() => {});
  const { rtspPort, httpPort } = await bannerPorts(child);
  return {
    pid: child.pid,
    rtspPort,
    httpPort,
    log,
    logDone,
    exited: () => exited,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      const grace = setTimeout(() => !exited && child.kill("SIGKILL"), 5000);
      await child.status;
      clearTimeout(grace);
      await logDone;
    },
  };
}

/** VmRSS of `pid` in MiB and its open file descriptors. */
function sampleProcess(pid: number): { rssMiB: number; fds: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
  let fds = 0;
  for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) fds++;
  return { rssMiB: rss, fds };
}

/** Selected lines of the binary's /metrics. */
async function metrics(httpPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^(rtsp_edge_[\w]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** The system's UDP receive and send buffer overflows so far (/proc/net/snmp, every process). */
function udpBufferErrors(): { rcv: number; snd: number } {
  const lines = Deno.readTextFileSync("/proc/net/snmp").split("\n").filter((l) =>
    l.startsWith("Udp:")
  );
  if (lines.length < 2) return { rcv: NaN, snd: NaN };
  const names = lines[0].split(/\s+/);
  const nums = lines[1].split(/\s+/);
  return {
    rcv: Number(nums[names.indexOf("RcvbufErrors")]),
    snd: Number(nums[names.indexOf("SndbufErrors")]),
  };
}

/**
 * The fan-out clip in a Matroska file, made once beside it: ffmpeg's raw H.264 reader cannot seek
 * back to the start, which `-stream_loop` needs.
 */
async function loopableClip(h264: string): Promise<string> {
  const mkv = h264.replace(/\.h264$/, ".mkv");
  if (await Deno.stat(mkv).then(() => true, () => false)) return mkv;
  const part = `${mkv}.part.mkv`;
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ...["-v", "error", "-y", "-framerate", String(PATHS.pub.fps), "-i", h264, "-c", "copy"],
      part,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`ffmpeg: ${new TextDecoder().decode(out.stderr)}`);
  await Deno.rename(part, mkv);
  return mkv;
}

/** Datagrams the kernel dropped at each local UDP port (receive buffer full), /proc/net/udp. */
function udpDropsByPort(): Map<number, number> {
  const out = new Map<number, number>();
  for (const file of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13) continue;
      const port = parseInt(cols[1].split(":").pop()!, 16);
      out.set(port, (out.get(port) ?? 0) + Number(cols[12]));
    }
  }
  return out;
}

// ─── The device: JPEG pushed over one chunked multipart POST ────────────────────────────────────

async function makeJpegs(): Promise<Uint8Array[]> {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ...["-v", "error", "-f", "lavfi", "-i", `testsrc2=size=320x240:rate=${DEVICE_FPS}`],
      ...["-t", "5", "-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p", "-f", "mjpeg", "-"],
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`ffmpeg: ${new TextDecoder().decode(out.stderr)}`);
  return splitJpegs(out.stdout);
}

class Device {
  connections = 0;
  drops = 0;
  framesSent = 0;
  failures = 0;
  firstFailure: string | undefined;
  #jpegs: Uint8Array[];
  #port: number;
  #conn: Deno.TcpConn | undefined;
  #stopped = false;
  #away = false;
  #loop: Promise<void> | undefined;

  constructor(jpegs: Uint8Array[], httpPort: number) {
    this.#jpegs = jpegs;
    this.#port = httpPort;
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** Closes the connection at once (no final chunk), as a device that lost power; back later. */
  async drop(): Promise<void> {
    this.drops++;
    this.#away = true;
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
    await sleep(DEVICE_AWAY_MS);
    this.#away = false;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
    await this.#loop;
  }

  async #run(): Promise<void> {
    let i = 0;
    while (!this.#stopped) {
      if (this.#away) {
        await sleep(50);
        continue;
      }
      try {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: this.#port });
        this.#conn = conn;
        this.connections++;
        conn.setNoDelay(true);
        await writeAll(
          conn,
          enc.encode(
            "POST /ingest/cam HTTP/1.1\r\nHost: soak\r\n" +
              `Authorization: Bearer ${TOKEN}\r\n` +
              "Content-Type: multipart/x-mixed-replace; boundary=frame\r\n" +
              "Transfer-Encoding: chunked\r\n\r\n",
          ),
        );
        const start = performance.now();
        for (let k = 0; !this.#stopped && !this.#away; k++, i++) {
          await writeAll(conn, this.#part(this.#jpegs[i % this.#jpegs.length]));
          this.framesSent++;
          const wait = start + (k + 1) * (1000 / DEVICE_FPS) - performance.now();
          if (wait > 0) await sleep(wait);
        }
      } catch (error) {
        if (!this.#away && !this.#stopped) {
          this.failures++;
          this.firstFailure ??= `[${clock(elapsed())}] ${(error as Error).message}`;
          await sleep(1000);
        }
      } finally {
        try {
          this.#conn?.close();
        } catch { /* closed by drop() */ }
        this.#conn = undefined;
      }
    }
  }

  /** One multipart part in one HTTP chunk, stamped with the monotonic clock in microseconds. */
  #part(jpeg: Uint8Array): Uint8Array {
    const head = enc.encode(
      `--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n` +
        `X-Timestamp-Us: ${Math.round(performance.now() * 1000)}\r\n\r\n`,
    );
    const size = head.length + jpeg.length + 2;
    const chunkHead = enc.encode(`${size.toString(16)}\r\n`);
    const out = new Uint8Array(chunkHead.length + size + 2);
    let at = 0;
    out.set(chunkHead, at);
    at += chunkHead.length;
    out.set(head, at);
    at += head.length;
    out.set(jpeg, at);
    at += jpeg.length;
    out.set([13, 10, 13, 10], at);
    return out;
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

// ─── The publisher: ffmpeg -re -stream_loop -1 -c copy -f rtsp ──────────────────────────────────

class Publisher {
  started = 0;
  replaced = 0;
  /** Exits nobody asked for (each is followed by a new ffmpeg at once). */
  unexpectedExits = 0;
  firstUnexpected: string | undefined;
  #clip: string;
  #url: string;
  #child: Deno.ChildProcess | undefined;
  #stderr = "";
  #expectExit = false;
  #stopped = false;

  constructor(clip: string, url: string) {
    this.#clip = clip;
    this.#url = url;
  }

  start(): void {
    this.started++;
    this.#expectExit = false;
    this.#stderr = "";
    const child = new Deno.Command("ffmpeg", {
      args: [
        ...["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1"],
        ...["-i", this.#clip, "-c", "copy"],
        ...["-f", "rtsp", "-rtsp_transport", "tcp", this.#url],
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    (async () => {
      const decoder = new TextDecoder();
      for await (const c of child.stderr) {
        this.#stderr = (this.#stderr + decoder.decode(c)).slice(-1000);
      }
    })().catch(() => {});
    child.status.then((status) => {
      if (this.#child !== child || this.#expectExit || this.#stopped) return;
      this.unexpectedExits++;
      this.firstUnexpected ??= `[${clock(elapsed())}] ffmpeg exited with ${status.code}: ${
        this.#stderr.trim().split("\n").slice(-2).join(" | ")
      }`;
      this.start();
    });
  }

  /** Kills the running ffmpeg (`signal`) and starts a new one. */
  async replace(signal: Deno.Signal): Promise<void> {
    this.replaced++;
    await this.#kill(signal);
    this.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#kill("SIGTERM");
  }

  async #kill(signal: Deno.Signal): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#expectExit = true;
    try {
      child.kill(signal);
    } catch { /* gone */ }
    const grace = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 3000);
    await child.status;
    clearTimeout(grace);
  }
}

// ─── Readers ─────────────────────────────────────────────────────────────────────────────────────

interface Steady {
  path: PathName;
  transport: "tcp" | "udp";
  client: RtspTestClient;
  loss: SequenceLoss;
  session: string | undefined;
  /** Datagrams the kernel dropped at its RTP port (its receive buffer was full); UDP only. */
  socketDrops: number;
}

async function steadyReader(
  rtspPort: number,
  path: PathName,
  transport: "tcp" | "udp",
): Promise<Steady> {
  const loss = new SequenceLoss(90_000 / PATHS[path].fps);
  const client = await RtspTestClient.connect(`rtsp://127.0.0.1:${rtspPort}/${path}`, {
    transport,
    depacketize: false,
    onPacket: (p) => loss.push(p, elapsed()),
  });
  await client.play();
  return { path, transport, client, loss, session: client.session, socketDrops: 0 };
}

class Churn {
  joined = 0;
  left = 0;
  /** Joins answered 503 (the path's source was away: the device's gap, a publisher's change). */
  refused = 0;
  failed = 0;
  firstFailures: string[] = [];
  /** Readers that left without having had one whole frame, by path. */
  frameless: Record<PathName, number> = { pattern: 0, cam: 0, pub: 0 };
  #n = 0;
  #live: { client: RtspTestClient; path: PathName; at: number; n: number }[] = [];
  #pending = new Set<Promise<void>>();
  #port: number;

  constructor(rtspPort: number) {
    this.#port = rtspPort;
  }

  /** One reader joins (in the background), and those that have stayed their time leave. */
  tick(): void {
    const n = this.#n++;
    const path = PATH_ORDER[n % 3];
    const transport = n % 2 === 0 ? "tcp" : "udp";
    this.#track(this.#join(n, path, transport));
    const now = performance.now();
    while (this.#live.length > 0 && now - this.#live[0].at >= CHURN_LIFE_S * 1000) {
      const r = this.#live.shift()!;
      this.#track(this.#leave(r));
    }
  }

  /** Every reader still in leaves. */
  async end(): Promise<void> {
    await Promise.all([...this.#pending]);
    await Promise.all(this.#live.splice(0).map((r) => this.#leave(r)));
  }

  #track(p: Promise<void>): void {
    this.#pending.add(p);
    p.finally(() => this.#pending.delete(p));
  }

  async #join(n: number, path: PathName, transport: "tcp" | "udp"): Promise<void> {
    let client: RtspTestClient | undefined;
    try {
      client = await RtspTestClient.connect(`rtsp://127.0.0.1:${this.#port}/${path}`, {
        transport,
        depacketize: false,
      });
      await client.play();
      this.joined++;
      this.#live.push({ client, path, at: performance.now(), n });
    } catch (error) {
      const message = (error as Error).message;
      if (/ 503 /.test(message)) this.refused++;
      else {
        this.failed++;
        if (this.firstFailures.length < FIRST) {
          this.firstFailures.push(`[${clock(elapsed())}] ${path} ${transport}: ${message}`);
        }
      }
      await client?.close();
    }
  }

  async #leave(r: { client: RtspTestClient; path: PathName; n: number }): Promise<void> {
    if (r.client.framesReceived === 0) this.frameless[r.path]++;
    // Half leave as players do (TEARDOWN, then close), half just close the connection.
    if (Math.floor(r.n / 2) % 2 === 0) {
      await r.client.teardown().catch(() => {});
    }
    await r.client.close();
    this.left++;
  }
}

// ─── The run ─────────────────────────────────────────────────────────────────────────────────────

interface Sample {
  t: number;
  rssMiB: number;
  fds: number;
}

await ensureBinary(values.build);
const clip = await ensureClip(clipDir);
const jpegs = await makeJpegs();
const dir = await Deno.makeTempDir({ prefix: "rtsp-edge-soak-" });
const configPath = `${dir}/soak.yml`;
await Deno.writeTextFile(configPath, CONFIG);

const binary = await startBinary(configPath);
const rtspBase = `rtsp://127.0.0.1:${binary.rtspPort}`;
console.log(
  `soak: ${BINARY_PATH} (pid ${binary.pid}) on rtsp ${binary.rtspPort}, http ${binary.httpPort};` +
    ` ${MINUTES} min`,
);
const device = new Device(jpegs, binary.httpPort);
const publisher = new Publisher(await loopableClip(clip.h264), `${rtspBase}/pub`);
const steady: Steady[] = [];
let churn: Churn | undefined;
const samples: Sample[] = [];
const timers: ReturnType<typeof setInterval>[] = [];
let udpErrors0 = { rcv: NaN, snd: NaN };
let cpu0 = 0;

try {
  device.start();
  publisher.start();
  // Every path plays before anyone is counted.
  for (const path of PATH_ORDER) await waitForPath(path);
  const layout: [PathName, "tcp" | "udp"][] = [
    ["pattern", "tcp"],
    ["pattern", "udp"],
    ["pattern", "tcp"],
    ["cam", "udp"],
    ["cam", "tcp"],
    ["cam", "udp"],
    ["pub", "tcp"],
    ["pub", "udp"],
    ["pub", "tcp"],
    ["pub", "udp"],
  ];
  t0 = performance.now();
  for (const [path, transport] of layout) {
    steady.push(await steadyReader(binary.rtspPort, path, transport));
  }
  udpErrors0 = udpBufferErrors();
  cpu0 = cpuSeconds(binary.pid);
  churn = new Churn(binary.rtspPort);
  const c = churn;
  const first = sampleProcess(binary.pid);
  samples.push({ t: 0, ...first });
  console.log(
    `  0:00  RSS ${first.rssMiB.toFixed(1)} MiB  fds ${first.fds}  (10 steady readers playing)`,
  );
  timers.push(setInterval(() => c.tick(), 1000));
  timers.push(setInterval(() => {
    if (binary.exited()) return;
    samples.push({ t: elapsed(), ...sampleProcess(binary.pid) });
  }, SAMPLE_MS));
  let deviceDue = DEVICE_EVERY_S;
  let publisherDue = PUBLISHER_EVERY_S;
  let minuteDue = 60;
  let lastCpu = cpu0;
  let lastMinute = 0;
  let kills = 0;
  for (;;) {
    await sleep(Math.min(250, Math.max(0, (RUN_S - elapsed()) * 1000)));
    if (binary.exited()) throw new Error("the binary exited during the run");
    const now = elapsed();
    if (now >= deviceDue && now < RUN_S - 1) {
      deviceDue += DEVICE_EVERY_S;
      device.drop();
    }
    if (now >= publisherDue && now < RUN_S - 1) {
      publisherDue += PUBLISHER_EVERY_S;
      publisher.replace(kills++ % 2 === 0 ? "SIGTERM" : "SIGKILL");
    }
    if (now >= minuteDue) {
      minuteDue += 60;
      const s = sampleProcess(binary.pid);
      const cpu = cpuSeconds(binary.pid);
      const cpuPercent = (cpu - lastCpu) / (now - lastMinute) * 100;
      lastCpu = cpu;
      lastMinute = now;
      const lost = steady.reduce((n, r) => n + r.loss.lostPackets, 0);
      console.log(
        `${clock(now).padStart(6)}  RSS ${s.rssMiB.toFixed(1)} MiB  fds ${s.fds}` +
          `  readers joined ${c.joined} left ${c.left}` +
          (c.refused || c.failed ? ` (refused 503 ${c.refused}, failed ${c.failed})` : "") +
          `  CPU ${cpuPercent.toFixed(1)} %  steady lost packets ${lost}` +
          `  log errors ${binary.log.errors + binary.log.unstructured}`,
      );
    }
    if (now >= RUN_S) break;
  }
  for (const t of timers.splice(0)) clearInterval(t);
  const runS = elapsed();
  samples.push({ t: runS, ...sampleProcess(binary.pid) });
  const cpuTotal = cpuSeconds(binary.pid) - cpu0;
  await c.end();
  const u = udpBufferErrors();
  const udpErrors = { rcv: u.rcv - udpErrors0.rcv, snd: u.snd - udpErrors0.snd };
  const drops = udpDropsByPort();
  for (const r of steady) {
    r.socketDrops = r.client.clientPorts ? drops.get(r.client.clientPorts[0]) ?? NaN : 0;
  }
  // With the churn gone, the server's tables should come back to the steady readers and the
  // publisher: at once for TCP readers, after the session timeout for UDP readers that left
  // without TEARDOWN (RFC 2326 §3: a UDP session does not end with its connection).
  const drainStart = performance.now();
  let end = await metrics(binary.httpPort);
  while (sessionsIn(end) > 11 && performance.now() - drainStart < DRAIN_WAIT_MS) {
    await sleep(1000);
    end = await metrics(binary.httpPort);
  }
  const drainS = (performance.now() - drainStart) / 1000;
  const rest = sampleProcess(binary.pid);
  for (const r of steady) await r.client.teardown().catch(() => {});
  await sleep(1000);
  await Promise.all(steady.map((r) => r.client.close()));
  await publisher.stop();
  await device.stop();
  await binary.stop();
  report(runS, cpuTotal, { metrics: end, drainS, rest }, udpErrors);
} finally {
  for (const t of timers) clearInterval(t);
  await churn?.end().catch(() => {});
  await Promise.all(steady.map((r) => r.client.close()));
  await publisher.stop().catch(() => {});
  await device.stop().catch(() => {});
  await binary.stop();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** DESCRIBE until the path answers 200 (its source is up), within 30 s. */
async function waitForPath(path: PathName): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const client = await RtspTestClient.connect(`${rtspBase}/${path}`);
    try {
      await client.describe();
      return;
    } catch (error) {
      if (performance.now() > deadline) throw new Error(`/${path}: ${(error as Error).message}`);
    } finally {
      await client.close();
    }
    await sleep(200);
  }
}

function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "n/a";
}

function verdictLine(name: string, unit: string, v: GrowthVerdict, digits: number): string {
  return `  ${name}: ${v.perHour >= 0 ? "+" : ""}${fmt(v.perHour, digits)} ${unit}/hour` +
    ` (standard error ${fmt(v.errorPerHour, digits)}; noise threshold ${
      fmt(v.thresholdPerHour, digits)
    }) → ${v.verdict}`;
}

function sessionsIn(m: Map<string, number>): number {
  return (m.get('rtsp_edge_sessions{transport="tcp"}') ?? NaN) +
    (m.get('rtsp_edge_sessions{transport="udp"}') ?? NaN);
}

interface AtRest {
  metrics: Map<string, number>;
  /** Seconds the tables took to come back to 11 sessions. */
  drainS: number;
  /** RSS and fds then. */
  rest: { rssMiB: number; fds: number };
}

function report(
  runS: number,
  cpuS: number,
  atRest: AtRest,
  udpErrors: { rcv: number; snd: number },
): void {
  const end = atRest.metrics;
  const c = churn!;
  const window = trendWindow(runS);
  const inWindow = samples.filter((s) => s.t >= window.fromS - 1e-6);
  const hours = inWindow.map((s) => s.t / 3600);
  const rss = judgeGrowth(fitLine(hours, inWindow.map((s) => s.rssMiB)), RSS_FLOOR_MIB_PER_HOUR);
  const fds = judgeGrowth(fitLine(hours, inWindow.map((s) => s.fds)), FD_FLOOR_PER_HOUR);
  const first = samples[0];
  const last = samples[samples.length - 1];
  const log = binary.log;
  console.log(`\nsoak of ${clock(runS)} (${MINUTES} min asked), ${BINARY_PATH}`);
  console.log(
    `RSS ${fmt(first.rssMiB, 1)} → ${fmt(last.rssMiB, 1)} MiB (max ${
      fmt(Math.max(...samples.map((s) => s.rssMiB)), 1)
    }), fds ${first.fds} → ${last.fds} (max ${Math.max(...samples.map((s) => s.fds))}); CPU ${
      fmt(cpuS / runS * 100, 1)
    } % of a core on average`,
  );
  console.log(
    `slopes over ${window.label}, least squares through ${inWindow.length} samples ` +
      `(one every ${SAMPLE_MS / 1000} s):`,
  );
  console.log(verdictLine("RSS", "MiB", rss, 2));
  console.log(verdictLine("open fds", "fds", fds, 1));
  console.log(
    `  (noise threshold: the larger of a floor, ${RSS_FLOOR_MIB_PER_HOUR} MiB/hour and` +
      ` ${FD_FLOOR_PER_HOUR} fd/hour, and twice the slope's standard error)`,
  );
  console.log(
    `readers: ${c.joined} joined, ${c.left} left (refused 503 while a source was away: ${c.refused};` +
      ` failed: ${c.failed}; left without a whole frame: pattern ${c.frameless.pattern},` +
      ` cam ${c.frameless.cam}, pub ${c.frameless.pub})`,
  );
  for (const f of c.firstFailures) console.log(`  ${f}`);
  console.log(
    `device: ${device.connections} connections, ${device.drops} drops, ${device.framesSent}` +
      ` frames pushed, ${device.failures} failures${
        device.firstFailure ? ` (first: ${device.firstFailure})` : ""
      }`,
  );
  console.log(
    `publisher: ${publisher.started} ffmpeg started, ${publisher.replaced} replaced,` +
      ` ${publisher.unexpectedExits} exited unasked${
        publisher.firstUnexpected ? ` (first: ${publisher.firstUnexpected})` : ""
      }`,
  );
  console.log(
    `server tables ${fmt(atRest.drainS, 0)} s after the last joining reader left: ${
      sessionsIn(end)
    } sessions (expected 11: 10 steady readers and the publisher), ${
      end.get("rtsp_edge_connections")
    } RTSP connections (expected 11); readers per path pattern ${
      end.get('rtsp_edge_path_readers{path="pattern"}')
    }, cam ${end.get('rtsp_edge_path_readers{path="cam"}')}, pub ${
      end.get('rtsp_edge_path_readers{path="pub"}')
    } (expected 3, 3, 4); RSS ${fmt(atRest.rest.rssMiB, 1)} MiB, fds ${atRest.rest.fds}`,
  );
  console.log(`steady readers (lost = RTP sequence numbers skipped; target 0):`);
  console.log(
    "| reader | frames whole | packets | lost packets | gaps | lost frames | late |" +
      " dropped by the reader's kernel | server sent / dropped frames |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  let lostFrames = 0;
  let lostPackets = 0;
  for (const r of steady) {
    const server = r.session ? log.endedReaders.get(r.session) : undefined;
    lostFrames += r.loss.lostFrames;
    lostPackets += r.loss.lostPackets;
    console.log(
      `| /${r.path} ${r.transport} | ${r.client.framesReceived} | ${r.loss.packets} | ` +
        `${r.loss.lostPackets} | ${r.loss.gapCount} | ${r.loss.lostFrames} | ${r.loss.late} | ` +
        `${r.transport === "udp" ? fmt(r.socketDrops, 0) : "-"} | ` +
        `${server ? `${server.sent} / ${server.dropped}` : "?"} |`,
    );
  }
  const readerKernel = steady.reduce((n, r) => n + (r.socketDrops || 0), 0);
  const serverLost = steady.reduce(
    (n, r) => n + Math.max(0, r.loss.lostPackets - (r.socketDrops || 0)),
    0,
  );
  console.log(
    `steady readers' lost frames: ${lostFrames} (${lostPackets} packets, of which ${readerKernel}` +
      ` dropped by the kernel at the readers' own UDP sockets; ${serverLost} packets lost by the` +
      ` server); target 0. UDP buffer overflows on the machine during the run (every process):` +
      ` receive ${udpErrors.rcv}, send ${udpErrors.snd}`,
  );
  for (const r of steady) {
    for (const g of r.loss.gaps.slice(0, 3)) {
      console.log(
        `  gap: /${r.path} ${r.transport} at ${
          clock(g.at)
        }: ${g.packets} packets, ${g.frames} frames`,
      );
    }
  }
  console.log(
    `binary's log: ${log.errors} errors, ${log.unstructured} other error output (not log lines),` +
      ` ${log.warnings} warnings; ${log.sessionsSetUp} sessions set up, ${log.sessionsEnded} ended`,
  );
  for (const l of log.firstErrors) console.log(`  ${l}`);
  for (const l of log.firstUnstructured) console.log(`  ${l}`);
  for (const l of log.firstWarnings) console.log(`  ${l}`);
  if (values.json) {
    Deno.writeTextFileSync(
      values.json,
      JSON.stringify(
        {
          minutes: MINUTES,
          runS,
          samples,
          window,
          rss,
          fds,
          steady: steady.map((r) => ({
            path: r.path,
            transport: r.transport,
            frames: r.client.framesReceived,
            packets: r.loss.packets,
            lostPackets: r.loss.lostPackets,
            lostFrames: r.loss.lostFrames,
            socketDrops: r.socketDrops,
            gaps: r.loss.gaps,
          })),
          churn: { joined: c.joined, left: c.left, refused: c.refused, failed: c.failed },
          log: {
            errors: log.errors,
            unstructured: log.unstructured,
            warnings: log.warnings,
            firstErrors: log.firstErrors,
            firstUnstructured: log.firstUnstructured,
          },
        },
        null,
        2,
      ),
    );
  }
}
