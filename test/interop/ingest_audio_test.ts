/**
 * A device pushing video and microphone PCM to one path, end to end. The device simulator here
 * sends a flashing-and-beeping clip (test/support/av_sync.ts) made by ffmpeg: JPEG pictures in one
 * long multipart upload, and 16 kHz PCM to `/ingest/<path>/audio` (over a WebSocket with `ts=`
 * device timestamps, a chunked POST with them as chunk extensions, or one timed by arrival), each
 * in real time. ffmpeg reads both
 * tracks over TCP and UDP and records them with `-c copy` into Matroska (MP4 cannot hold L16 or
 * G.711, MEDIA.md §1.3); the recordings decode without error and flash and beep land within 40 ms,
 * before and after the device reconnects with a restarted clock.
 */

import assert from "node:assert/strict";
import { avSyncInputs, measureAvSync, summarizeOffsets } from "../support/av_sync.ts";
import { argv, interopTest, run, withTempDir } from "./support.ts";
import { ffmpegMake, POLICY, sleep, splitJpegs, startRig } from "./ingest_support.ts";
import type { IngestPathPolicy } from "../../src/ingest/ingest_request.ts";

const FPS = 25;
const RATE = 16000;
/** Audio per message or chunk, ms. */
const CHUNK_MS = 40;

interface Clip {
  jpegs: Uint8Array[];
  /** s16le mono samples. */
  pcm: Uint8Array;
}

async function makeClip(dir: string, seconds: number): Promise<Clip> {
  await ffmpegMake([
    ...avSyncInputs({ fps: FPS, rate: 48000 }),
    ...argv`-t ${seconds} -map 0:v -c:v mjpeg -q:v 5 -f mjpeg ${dir}/v.mjpeg
      -t ${seconds} -map 1:a -ar ${RATE} -ac 1 -f s16le ${dir}/a.pcm`,
  ]);
  return {
    jpegs: splitJpegs(await Deno.readFile(`${dir}/v.mjpeg`)),
    pcm: await Deno.readFile(`${dir}/a.pcm`),
  };
}

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** A chunked upload on a raw socket. */
async function upload(port: number, target: string, type: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await writeAll(
    conn,
    latin1(
      `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\n` +
        "Transfer-Encoding: chunked\r\n\r\n",
    ),
  );
  return conn;
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** One chunk of `body`, with a `ts=` chunk extension (RFC 9112 §7.1.1) when `ts` is given. */
function chunkOf(body: Uint8Array, ts?: number): Uint8Array {
  const ext = ts === undefined ? "" : `;ts=${ts}`;
  const head = latin1(`${body.length.toString(16)}${ext}\r\n`);
  const out = new Uint8Array(head.length + body.length + 2);
  out.set(head);
  out.set(body, head.length);
  out.set(latin1("\r\n"), head.length + body.length);
  return out;
}

/** How the simulated device sends its audio. */
type AudioWay = "websocket" | "post" | "post-ts";

/**
 * The device: from `deviceStartUs` on its own clock, sends picture i at i/FPS s (plus `videoLagMs`,
 * a camera pipeline's delay) and the audio of each CHUNK_MS once it is captured, in real time,
 * until stopped. Pictures carry X-Timestamp-Us (multipart part header); audio carries `ts=` over a
 * WebSocket or as a chunk extension (`post-ts`), or nothing over a POST.
 */
function device(
  port: number,
  clip: Clip,
  deviceStartUs: number,
  way: AudioWay,
  videoLagMs: number,
) {
  let stopped = false;
  const start = performance.now();
  const at = (ms: number) => sleep(Math.max(0, start + ms - performance.now()));
  const video = (async () => {
    const conn = await upload(port, "/ingest/cam", "multipart/x-mixed-replace; boundary=frame");
    for (let i = 0; !stopped; i++) {
      await at((i * 1000) / FPS + videoLagMs);
      const jpeg = clip.jpegs[i % clip.jpegs.length];
      const ts = deviceStartUs + Math.round((i * 1e6) / FPS);
      const part = latin1(
        `--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n` +
          `X-Timestamp-Us: ${ts}\r\n\r\n`,
      );
      const body = new Uint8Array(part.length + jpeg.length + 2);
      body.set(part);
      body.set(jpeg, part.length);
      body.set(latin1("\r\n"), part.length + jpeg.length);
      await writeAll(conn, chunkOf(body));
    }
    await writeAll(conn, latin1("0\r\n\r\n"));
    conn.close();
  })();
  const bytesPerChunk = (RATE * CHUNK_MS / 1000) * 2;
  const chunks = Math.floor(clip.pcm.length / bytesPerChunk);
  const samples = (j: number) => {
    const k = j % chunks;
    return clip.pcm.subarray(k * bytesPerChunk, (k + 1) * bytesPerChunk);
  };
  const type = `audio/x-raw;format=s16le;rate=${RATE};channels=1`;
  const audio = (async () => {
    if (way === "websocket") {
      const ws = new WebSocket(
        `ws://127.0.0.1:${port}/ingest/cam/audio?type=${encodeURIComponent(type)}`,
      );
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      for (let j = 0; !stopped; j++) {
        await at((j + 1) * CHUNK_MS); // sent once captured
        ws.send(`ts=${deviceStartUs + j * CHUNK_MS * 1000}`);
        ws.send(samples(j));
      }
      const closed = new Promise((resolve) => ws.onclose = resolve);
      ws.close();
      await closed;
    } else {
      const conn = await upload(port, "/ingest/cam/audio", type);
      for (let j = 0; !stopped; j++) {
        await at((j + 1) * CHUNK_MS);
        const ts = way === "post-ts" ? deviceStartUs + j * CHUNK_MS * 1000 : undefined;
        await writeAll(conn, chunkOf(samples(j), ts));
      }
      await writeAll(conn, latin1("0\r\n\r\n"));
      conn.close();
    }
  })();
  return {
    async stop() {
      stopped = true;
      await Promise.all([video, audio]);
    },
  };
}

interface Probed {
  codec_type: string;
  codec_name: string;
  sample_rate?: string;
  channels?: number;
}

/** Records `seconds` over `transport` with -c copy; probes, decodes and measures lip-sync. */
function record(url: string, transport: string, seconds: number) {
  return withTempDir(async (dir) => {
    const out = `${dir}/out.mkv`;
    const r = await run(
      "ffmpeg",
      argv`-v error -rtsp_transport ${transport} -i ${url} -t ${seconds} -c copy ${out}`,
      seconds * 1000 + 30_000,
    );
    assert.equal(r.code, 0, `${transport}: ${r.stderr}`);
    const probe = await run("ffprobe", argv`-v error -show_streams -of json ${out}`);
    const streams = JSON.parse(probe.stdout).streams as Probed[];
    const decode = await run("ffmpeg", argv`-v error -xerror -i ${out} -f null -`);
    assert.equal(decode.code, 0, `${transport} decode: ${decode.stderr}`);
    assert.equal(decode.stderr.trim(), "", `${transport} decode`);
    return { transport, streams, ...(await measureAvSync(out)) };
  });
}

async function checkReaders(url: string, codec: string, when: string): Promise<void> {
  const results = await Promise.all(["tcp", "udp"].map((t) => record(url, t, 5)));
  for (const r of results) {
    const label = `${when}, ${r.transport}`;
    assert.deepEqual(r.streams.map((s) => s.codec_type).sort(), ["audio", "video"], label);
    const a = r.streams.find((s) => s.codec_type === "audio")!;
    assert.equal(a.codec_name, codec, label);
    assert.equal(Number(a.sample_rate), RATE, label);
    assert.equal(a.channels, 1, label);
    assert.ok(r.offsetsMs.length >= 3, `${label}: ${JSON.stringify(r)}`);
    const { worst } = summarizeOffsets(r.offsetsMs);
    assert.ok(Math.abs(worst) <= 40, `${label}: offsets ${r.offsetsMs.join(", ")} ms`);
  }
}

const CASES: {
  name: string;
  way: AudioWay;
  policy: IngestPathPolicy;
  codec: string;
  videoLagMs: number;
}[] = [
  {
    // The pictures reach the server 150 ms after the sound of the same instant: the device's
    // timestamps, not the arrivals, must line them up.
    name: "L16 over a WebSocket with device timestamps, pictures 150 ms late",
    way: "websocket",
    policy: POLICY,
    codec: "pcm_s16be",
    videoLagMs: 150,
  },
  {
    name: "PCMA (audio: pcma) over a chunked POST with ts= chunk extensions, pictures 150 ms late",
    way: "post-ts",
    policy: { ...POLICY, audio: "pcma" },
    codec: "pcm_alaw",
    videoLagMs: 150,
  },
  {
    name: "PCMU (audio: pcmu) over a chunked POST timed by arrival",
    way: "post",
    policy: { ...POLICY, audio: "pcmu" },
    codec: "pcm_mulaw",
    videoLagMs: 0,
  },
];

for (const c of CASES) {
  interopTest(
    `a device pushes JPEG video and ${c.name}; ffmpeg records both in sync, also after it ` +
      "reconnects",
    ["ffmpeg", "ffprobe"],
    async () => {
      await withTempDir(async (dir) => {
        const clip = await makeClip(dir, 4);
        const rig = await startRig(c.policy);
        const url = rig.rtsp.url("/cam");
        try {
          let dev = device(rig.ingest.port, clip, 7_000_000_000, c.way, c.videoLagMs);
          await sleep(1500);
          await checkReaders(url, c.codec, "first connection");
          await dev.stop();
          // The device restarts: a new connection each, its clock from near zero again.
          await sleep(1000);
          dev = device(rig.ingest.port, clip, 2_000_000, c.way, c.videoLagMs);
          await sleep(1500);
          await checkReaders(url, c.codec, "after reconnecting");
          await dev.stop();
          const refused = rig.lines.filter((l) => l.message === "ingest refused");
          assert.deepEqual(refused, []);
          assert.equal(
            rig.lines.filter((l) => l.message === "device audio publishing").length,
            2,
            JSON.stringify(rig.lines),
          );
        } finally {
          await rig.close();
        }
      });
    },
  );
}
