/**
 * Relaying cameras through the real command line (`--input rtsp://…`, `--input http://…`), with
 * real peers upstream (rtsp-edge itself, GStreamer's RTSP server, ffmpeg serving MJPEG over HTTP)
 * and real readers downstream (ffmpeg with -xerror, GStreamer's rtspsrc), over TCP and UDP.
 */

import assert from "node:assert/strict";
import { RtspTestClient } from "../support/rtsp_client.ts";
import { argv, assertGstDecoded, freePort, interopTest, run, withTempDir } from "./support.ts";
import {
  assertFfmpegDecoded,
  Edge,
  ffmpegRead,
  GST_H264,
  GST_MJPEG,
  gstRead,
  gstServerTools,
  probe,
  sleep,
  startGstServer,
  waitFor,
} from "./relay_support.ts";

/** rtsp-edge serving its test pattern, small and slow enough for a busy machine. */
function startPattern(port: number, size = "320x240"): Promise<Edge> {
  return Edge.start(["--port", String(port), "--size", size, "--fps", "10", "--gop", "10"]);
}

/** rtsp-edge relaying `input` at its /stream, with more flags. */
function startRelay(port: number, input: string, ...flags: string[]): Promise<Edge> {
  return Edge.start(["--port", String(port), "--input", input, ...flags]);
}

/** Stops each, last started first, and checks that each exited cleanly. */
async function stopAll(...edges: (Edge | undefined)[]): Promise<void> {
  const codes: string[] = [];
  for (const edge of edges.reverse()) {
    if (!edge) continue;
    const code = await edge.stop();
    if (code !== 0) codes.push(`exit ${code}:\n${edge.output}`);
  }
  assert.deepEqual(codes, [], "every rtsp-edge exits 0 on SIGTERM");
}

interopTest(
  "a chain of two rtsp-edge: B relays A's test pattern, and ffmpeg and GStreamer decode B over " +
    "TCP and UDP",
  ["ffmpeg", "ffprobe", "gst-launch-1.0"],
  async () => {
    const portA = freePort();
    const portB = freePort();
    let a: Edge | undefined, b: Edge | undefined;
    try {
      a = await startPattern(portA);
      b = await startRelay(portB, `rtsp://127.0.0.1:${portA}/stream`);
      assert.match(b.output, /relayed from rtsp:\/\/127\.0\.0\.1:\d+\/stream/);
      await b.logged(/relay streaming/);
      const url = `rtsp://127.0.0.1:${portB}/stream`;
      assert.deepEqual(await probe(url), ["h264", 320, 240]);
      for (const transport of ["tcp", "udp"] as const) {
        assertFfmpegDecoded(await ffmpegRead(url, transport, 20), 20, `ffmpeg over ${transport}`);
        assertGstDecoded(await gstRead(url, transport, 20), b.readerEnded());
      }
      // One connection upstream however many readers came and went.
      assert.equal(a.count(/session set up .*role=reader/), 1, a.log);
    } finally {
      await stopAll(a, b);
    }
  },
);

for (
  const [transport, serverProtocols] of [
    ["tcp", "tcp"],
    ["udp", "udp"],
    // auto tries UDP first: a TCP-only camera refuses it, and the relay falls back to TCP.
    ["auto", "tcp"],
  ] as const
) {
  interopTest(
    `relays GStreamer's RTSP server (H.264, ${serverProtocols.toUpperCase()} only) with ` +
      `--rtsp-transport ${transport}`,
    ["ffmpeg", "ffprobe", ...gstServerTools()],
    async () => {
      const gst = await startGstServer(GST_H264, serverProtocols);
      const port = freePort();
      let b: Edge | undefined;
      try {
        b = await startRelay(
          port,
          `rtsp://127.0.0.1:${gst.port}/stream`,
          "--rtsp-transport",
          transport,
        );
        await b.logged(/relay streaming/);
        assert.match(b.log, new RegExp(`pull: playing .*transport=${serverProtocols}`));
        const url = `rtsp://127.0.0.1:${port}/stream`;
        assert.deepEqual(await probe(url), ["h264", 320, 240]);
        assertFfmpegDecoded(await ffmpegRead(url, "tcp", 20), 20, "ffmpeg over tcp");
        assertFfmpegDecoded(await ffmpegRead(url, "udp", 20), 20, "ffmpeg over udp");
      } finally {
        await stopAll(b);
        await gst.stop();
      }
    },
  );
}

for (const jpeg of ["h264", "rtp-jpeg"] as const) {
  interopTest(
    `relays GStreamer's UDP-only MJPEG camera as ${
      jpeg === "h264" ? "H.264 (the default)" : "RTP/JPEG (--jpeg rtp-jpeg)"
    }`,
    ["ffmpeg", "ffprobe", ...gstServerTools()],
    async () => {
      const gst = await startGstServer(GST_MJPEG, "udp");
      const port = freePort();
      let b: Edge | undefined;
      try {
        b = await startRelay(
          port,
          `rtsp://127.0.0.1:${gst.port}/stream`,
          ...(jpeg === "h264" ? [] : ["--jpeg", "rtp-jpeg"]),
        );
        await b.logged(/relay streaming/);
        assert.match(b.log, /pull: playing .*transport=udp codec=jpeg/);
        const url = `rtsp://127.0.0.1:${port}/stream`;
        assert.deepEqual(await probe(url), [jpeg === "h264" ? "h264" : "mjpeg", 320, 240]);
        for (const transport of ["tcp", "udp"] as const) {
          assertFfmpegDecoded(await ffmpegRead(url, transport, 20), 20, `ffmpeg over ${transport}`);
        }
        assertGstDecoded(
          await gstRead(url, "udp", 20, jpeg === "h264" ? "h264" : "jpeg"),
          b.readerEnded(),
        );
      } finally {
        await stopAll(b);
        await gst.stop();
      }
    },
  );
}

interopTest(
  "relays ffmpeg's MJPEG over HTTP (multipart/x-mixed-replace) as H.264",
  ["ffmpeg", "ffprobe"],
  async () => {
    const httpPort = freePort();
    const camera = new Deno.Command("ffmpeg", {
      args: argv`-v error -re -f lavfi -i testsrc2=size=320x240:rate=10 -t 60 -c:v mjpeg
        -f mpjpeg -listen 1 http://127.0.0.1:${httpPort}/stream`,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const cameraLog = new Response(camera.stderr).text();
    const port = freePort();
    let b: Edge | undefined;
    try {
      // Started at once: if ffmpeg does not listen yet, the relay tries again after its backoff.
      b = await startRelay(port, `http://127.0.0.1:${httpPort}/stream`);
      await b.logged(/relay streaming/);
      const url = `rtsp://127.0.0.1:${port}/stream`;
      assert.deepEqual(await probe(url), ["h264", 320, 240]);
      for (const transport of ["tcp", "udp"] as const) {
        assertFfmpegDecoded(await ffmpegRead(url, transport, 20), 20, `ffmpeg over ${transport}`);
      }
    } finally {
      await stopAll(b);
      try {
        camera.kill("SIGKILL");
      } catch { /* ended */ }
      await camera.status;
      await cameraLog;
    }
  },
);

/** Whether RTP timestamp `b` comes after `a` (modulo 2^32, RFC 3550 §5.1). */
function after32(a: number, b: number): boolean {
  const d = (b - a) >>> 0;
  return d !== 0 && d < 2 ** 31;
}

interopTest(
  "readers of a relay stay connected while the upstream rtsp-edge is killed and started again " +
    "(at a new size), " +
    "and continue with rising timestamps and sequence numbers",
  ["ffmpeg"],
  async () => {
    const portA = freePort();
    const portB = freePort();
    let a: Edge | undefined, b: Edge | undefined;
    const readers: {
      client: RtspTestClient;
      frames: { timestamp: number; seq: number; at: number }[];
    }[] = [];
    try {
      a = await startPattern(portA);
      b = await startRelay(portB, `rtsp://127.0.0.1:${portA}/stream`);
      await b.logged(/relay streaming/);
      const url = `rtsp://127.0.0.1:${portB}/stream`;
      for (const transport of ["tcp", "udp"] as const) {
        const frames: { timestamp: number; seq: number; at: number }[] = [];
        let client: RtspTestClient | undefined = undefined;
        client = await RtspTestClient.connect(url, {
          transport,
          onFrame: (au) =>
            frames.push({ timestamp: au.timestamp, seq: client!.lastSequence, at: Date.now() }),
        });
        readers.push({ client, frames });
        await client.play();
      }
      await waitFor(
        () => readers.every((r) => r.frames.length >= 10),
        20_000,
        () => `frames before the loss: ${readers.map((r) => r.frames.length)}`,
      );
      // ffmpeg reads across the gap as well, with -xerror: 15 s of media timestamps, which the gap
      // is part of (timestamps follow the wall clock across it).
      const ffmpeg = run(
        "ffmpeg",
        argv`-v error -xerror -rtsp_transport tcp -timeout 30000000 -i ${url} -t 15 -map 0:v:0
          -f framecrc -`,
        90_000,
      );
      await waitFor(() => readers[0].frames.length >= 20, 20_000, () => "frames for ffmpeg");

      const code = await a.stop();
      assert.equal(code, 0, a.output);
      a = undefined;
      await b.logged(/relay lost its upstream/);
      const before = readers.map((r) => r.frames.length);
      // Down for a moment: the relay fails to connect at least once and waits longer.
      await b.logged(/relay lost its upstream.*connection refused/, 1, 20_000);

      // The camera comes back reconfigured: new parameter sets, a new size.
      a = await startPattern(portA, "640x360");
      const restarted = Date.now();
      await waitFor(
        () => readers.every((r, i) => r.frames.length >= before[i] + 10),
        30_000,
        () => `frames after the upstream came back: ${readers.map((r) => r.frames.length)}`,
      );
      // Within the relay's next wait (1 s, 2 s, 4 s, … ±20 %) of the moment A listened again.
      for (const [i, { frames }] of readers.entries()) {
        const back = frames[before[i]].at - restarted;
        assert.ok(back < 10_000, `the first frame after the gap came ${back} ms after A was back`);
      }
      assert.equal(b.count(/relay streaming/), 2, b.log);

      for (const { client, frames } of readers) {
        assert.equal(client.isClosed, false, `${client.transport} reader's connection was closed`);
        assert.equal(client.reordered, 0, `${client.transport}: a sequence number went back`);
        for (let i = 1; i < frames.length; i++) {
          assert.ok(
            after32(frames[i - 1].timestamp, frames[i].timestamp),
            `${client.transport}: timestamp ${frames[i].timestamp} after ${
              frames[i - 1].timestamp
            } (frame ${i})`,
          );
          assert.ok(
            after32(frames[i - 1].seq, frames[i].seq) && frames[i].seq - frames[i - 1].seq < 1000,
            `${client.transport}: sequence ${frames[i].seq} after ${frames[i - 1].seq}`,
          );
        }
        // The session goes on: a keepalive is still answered.
        assert.equal((await client.request("GET_PARAMETER", client.contentBase)).status, 200);
      }
      assert.doesNotMatch(b.log, /INFO\s+session ended/, "no reader session ended across the gap");
      const crossed = await ffmpeg;
      assert.equal(crossed.code, 0, `ffmpeg reading across the gap: ${crossed.stderr}`);
      const pts = crossed.stdout.split("\n").filter((l) => /^\d+,/.test(l)).map((l) =>
        Number(l.split(",")[1])
      );
      const steps = pts.slice(1).map((p, i) => p - pts[i]);
      assert.ok(steps.some((d) => d >= 10), `ffmpeg saw no gap of a second or more: ${pts}`);
      assert.ok(steps.indexOf(Math.max(...steps)) < steps.length - 10, "frames came after the gap");
      // A new reader decodes from the new upstream, at its new size.
      assert.deepEqual(await probe(url), ["h264", 640, 360]);
      assertFfmpegDecoded(await ffmpegRead(url, "udp", 10), 10, "ffmpeg after the gap");
    } finally {
      for (const { client } of readers) await client.close();
      await stopAll(a, b);
    }
  },
);

interopTest(
  "--on-demand relay connects upstream only while someone reads, and leaves the close-after later",
  ["ffmpeg"],
  async () => {
    const portA = freePort();
    const portB = freePort();
    let a: Edge | undefined, b: Edge | undefined;
    try {
      a = await startPattern(portA);
      b = await startRelay(
        portB,
        `rtsp://127.0.0.1:${portA}/stream`,
        "--on-demand",
        "--on-demand-close-after",
        "2s",
      );
      const upstream = a;
      const url = `rtsp://127.0.0.1:${portB}/stream`;
      await sleep(2000);
      assert.equal(upstream.count(/session set up/), 0, `connected with no reader:\n${a.log}`);

      for (const [round, transport] of [[1, "tcp"], [2, "udp"]] as const) {
        const client = await RtspTestClient.connect(url, { transport });
        try {
          await client.play();
          await waitFor(() => client.framesReceived >= 10, 20_000, () => "frames through B");
          assert.equal(upstream.count(/session set up/), round, upstream.log);
          assert.equal(upstream.openReaderSessions(), 1);
          // ffmpeg beside it shares the one upstream connection.
          assertFfmpegDecoded(await ffmpegRead(url, transport, 10), 10, `ffmpeg over ${transport}`);
          assert.equal(upstream.openReaderSessions(), 1);
          assert.equal((await client.teardown()).status, 200);
        } finally {
          await client.close();
        }
        const left = Date.now();
        await waitFor(() => upstream.openReaderSessions() === 0, 20_000, () => upstream.log);
        const lingered = Date.now() - left;
        assert.ok(lingered >= 1500, `upstream left ${lingered} ms after the last reader, not 2 s`);
        assert.equal(upstream.count(/session set up/), round);
      }
    } finally {
      await stopAll(a, b);
    }
  },
);

interopTest(
  "relays a still JPEG polled over HTTP (--fps 5) as H.264, at the rate asked",
  ["ffmpeg", "ffprobe"],
  async () => {
    await withTempDir(async (dir) => {
      const still = `${dir}/still.jpg`;
      const made = await run(
        "ffmpeg",
        argv`-v error -f lavfi -i testsrc2=size=320x240 -frames:v 1 -pix_fmt yuvj420p ${still}`,
      );
      assert.equal(made.code, 0, made.stderr);
      const jpeg = await Deno.readFile(still);
      let requests = 0;
      const camera = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
        if (new URL(req.url).pathname !== "/capture") return new Response(null, { status: 404 });
        requests++;
        return new Response(jpeg, { headers: { "content-type": "image/jpeg" } });
      });
      const port = freePort();
      let b: Edge | undefined;
      try {
        // ffmpeg probes 20 frames for the frame rate before it decodes: 4 s at 5 fps (10 s at 2).
        b = await startRelay(port, `http://127.0.0.1:${camera.addr.port}/capture`, "--fps", "5");
        await b.logged(/relay streaming/);
        const polling = Date.now();
        const polledBefore = requests;
        const url = `rtsp://127.0.0.1:${port}/stream`;
        assert.deepEqual(await probe(url), ["h264", 320, 240]);
        assertFfmpegDecoded(await ffmpegRead(url, "tcp", 10), 10, "ffmpeg over tcp");
        assertFfmpegDecoded(await ffmpegRead(url, "udp", 10), 10, "ffmpeg over udp");
        const rate = (requests - polledBefore) / ((Date.now() - polling) / 1000);
        assert.ok(rate > 3 && rate < 6, `polled ${rate.toFixed(1)} pictures a second, not 5`);
      } finally {
        await stopAll(b);
        await camera.shutdown();
      }
    });
  },
);
