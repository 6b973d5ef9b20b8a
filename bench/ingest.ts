/**
 * `deno task bench:ingest`: latency rtsp-edge adds between a device and a reader, from the moment
 * the last byte of a pushed frame is handed to the kernel to the moment the last RTP packet of that
 * frame reaches an RTSP reader (both on loopback, both in this process, so the figure is an upper
 * bound of the server's own delay), for H.264 passthrough and JPEG→H.264 at 640x480 and 1280x720.
 *
 * The server runs as its own process (`deno run cli.ts`, or `--binary dist/rtsp-edge`). The device
 * pushes one frame per HTTP chunk (`video/h264; framing=chunk`, or multipart JPEG with
 * X-Timestamp-Us); it pauses 1.2 s after the reader joins, so the first frame after the pause is
 * known, and later frames are matched by order (passthrough) or by RTP time (transcoding, where
 * rate control may skip a frame).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { splitAccessUnits } from "../src/codec/access_unit.ts";
import { RtspTestClient } from "../test/support/rtsp_client.ts";
import { splitJpegs } from "../src/codec/jpeg.ts";
import { freePort } from "../test/interop/support.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { binary: { type: "string" }, frames: { type: "string" } },
});
const FRAMES = Number(values.frames ?? 150);
const enc = new TextEncoder();
const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ffmpeg(args: string[]): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", ...args, "-"],
    stdout: "piped",
  })
    .output();
  if (!out.success) throw new Error(`ffmpeg ${args.join(" ")} failed`);
  return out.stdout;
}

/** An access unit as Annex B bytes (4-byte start codes), as a hardware encoder emits it. */
function annexB(au: { nalUnits: Uint8Array[] }): Uint8Array {
  const out = new Uint8Array(au.nalUnits.reduce((n, nal) => n + 4 + nal.length, 0));
  let at = 0;
  for (const nal of au.nalUnits) {
    out.set([0, 0, 0, 1], at);
    out.set(nal, at + 4);
    at += 4 + nal.length;
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

interface Case {
  name: string;
  size: string;
  fps: number;
  frames: Uint8Array[];
  jpeg: boolean;
}

/** One case: returns the added delays in ms, and how many frames were matched. */
async function measure(c: Case, ingestPort: number, rtspPort: number): Promise<number[]> {
  const path = `/${c.jpeg ? "jpeg" : "h264"}${c.size}`;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: ingestPort });
  conn.setNoDelay(true);
  const boundary = "frame";
  const type = c.jpeg
    ? `multipart/x-mixed-replace; boundary=${boundary}`
    : "video/h264; framing=chunk";
  await conn.write(enc.encode(
    `POST /ingest${path} HTTP/1.1\r\nHost: bench\r\nContent-Type: ${type}\r\n` +
      "Transfer-Encoding: chunked\r\n\r\n",
  ));
  const interval = 1000 / c.fps;
  const sendFrame = async (i: number, ts: number) => {
    let payload = c.frames[i % c.frames.length];
    if (c.jpeg) {
      const head = enc.encode(
        `--${boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: ${payload.length}\r\n` +
          `X-Timestamp-Us: ${Math.round(ts * 1000)}\r\n\r\n`,
      );
      const part = new Uint8Array(head.length + payload.length + 2);
      part.set(head);
      part.set(payload, head.length);
      part.set([13, 10], head.length + payload.length);
      payload = part;
    }
    const chunk = new Uint8Array(payload.length + 16);
    const size = enc.encode(`${payload.length.toString(16)}\r\n`);
    chunk.set(size);
    chunk.set(payload, size.length);
    chunk.set([13, 10], size.length + payload.length);
    const bytes = chunk.subarray(0, size.length + payload.length + 2);
    for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
    return wallNow();
  };
  // Warm up: the reader joins a running stream, and the encoder (for JPEG) is made.
  let clock = 0;
  for (let i = 0; i < Math.ceil(c.fps * 2); i++, clock += interval) {
    await sendFrame(i, clock);
    await sleep(interval);
  }
  const received: { rtp: number; at: number }[] = [];
  const reader = await RtspTestClient.connect(`rtsp://127.0.0.1:${rtspPort}${path}`, {
    transport: "tcp",
    depacketize: false,
    onFrame: (au) => received.push({ rtp: au.timestamp, at: au.receivedAt }),
  });
  await reader.play();
  for (let i = 0; i < c.fps; i++, clock += interval) {
    await sendFrame(i, clock);
    await sleep(interval);
  }
  await sleep(1200); // the pause that marks the first measured frame
  clock += 1200;
  const sentAt: number[] = [];
  const marker = received.length;
  const start = performance.now();
  for (let i = 0; i < FRAMES; i++, clock += interval) {
    sentAt.push(await sendFrame(i, clock));
    const wait = start + (i + 1) * interval - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await sleep(500);
  await reader.close();
  conn.close();
  const measured = received.slice(marker);
  if (measured.length === 0) throw new Error(`${c.name}: no frame reached the reader`);
  const first = measured[0];
  const ticks = 90_000 / c.fps;
  const delays: number[] = [];
  measured.forEach((f, k) => {
    const i = c.jpeg ? Math.round(((f.rtp - first.rtp) >>> 0) / ticks) : k;
    if (i >= 0 && i < sentAt.length) delays.push(f.at - sentAt[i]);
  });
  return delays;
}

const cases: Case[] = [];
for (const [size, fpsH264] of [["640x480", 30], ["1280x720", 30]] as const) {
  const h264 = await ffmpeg([
    ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=${fpsH264}`, "-t", "4"],
    ...["-c:v", "libx264", "-g", String(fpsH264), "-bf", "0", "-tune", "zerolatency", "-f", "h264"],
  ]);
  cases.push({
    name: "H.264 passthrough",
    size,
    fps: fpsH264,
    frames: splitAccessUnits(h264).map(annexB),
    jpeg: false,
  });
}
for (const size of ["640x480", "1280x720"]) {
  const mjpeg = await ffmpeg([
    ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=15`, "-t", "4"],
    ...["-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj422p", "-f", "mjpeg"],
  ]);
  cases.push({ name: "JPEG → H.264", size, fps: 15, frames: splitJpegs(mjpeg), jpeg: true });
}

const ingestPort = freePort();
const rtspPort = freePort();
const serverArgs = [
  ...["--ingest-port", String(ingestPort), "--port", String(rtspPort), "--bind", "127.0.0.1"],
  ...["--log-level", "warn", "--bitrate", "2M"],
];
const server = new Deno.Command(values.binary ?? Deno.execPath(), {
  args: values.binary
    ? serverArgs
    : ["run", "-A", new URL("../cli.ts", import.meta.url).pathname, ...serverArgs],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const banner = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
for (let text = ""; !text.includes("ingest");) text += (await banner.read()).value ?? "";
const runtime = values.binary ? `binary ${values.binary}` : "deno run cli.ts";
console.log(
  `\nAdded latency, last pushed byte → last RTP byte at a reader (${runtime}, loopback):\n`,
);
console.log("| path | size | fps | frames | p50 ms | p99 ms | max ms | target | met |");
console.log("|---|---|---:|---:|---:|---:|---:|---|---|");
try {
  for (const c of cases) {
    const delays = (await measure(c, ingestPort, rtspPort)).sort((a, b) => a - b);
    const p99 = percentile(delays, 0.99);
    const target = c.jpeg ? 1000 / c.fps : 5;
    const targetText = c.jpeg ? `< ${target.toFixed(1)} ms (one frame)` : "p99 < 5 ms";
    console.log(
      `| ${c.name} | ${c.size} | ${c.fps} | ${delays.length} | ${
        percentile(delays, 0.5).toFixed(2)
      } | ` +
        `${p99.toFixed(2)} | ${delays[delays.length - 1].toFixed(2)} | ${targetText} | ` +
        `${p99 < target ? "yes" : "no"} |`,
    );
  }
} finally {
  server.kill("SIGTERM");
  await banner.cancel().catch(() => {});
  await server.status;
}
