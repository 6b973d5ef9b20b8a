/**
 * Relaying cameras through the real command line (`--input rtsp://…`, `--input http://…`), with
 * real peers upstream (rtsp-edge itself, GStreamer's RTSP server, ffmpeg serving MJPEG over HTTP)
 * and real readers downstream (ffmpeg with -xerror, GStreamer's rtspsrc), over TCP and UDP.
 */

import assert from "node:assert/strict";
import { assertGstDecoded, freePort, interopTest } from "./support.ts";
import {
  assertFfmpegDecoded,
  Edge,
  ffmpegRead,
  GST_H264,
  GST_MJPEG,
  gstRead,
  gstServerTools,
  probe,
  startGstServer,
} from "./relay_support.ts";

/** rtsp-edge serving its test pattern, small and slow enough for a busy machine. */
function startPattern(port: number): Promise<Edge> {
  return Edge.start(["--port", String(port), "--size", "320x240", "--fps", "10", "--gop", "10"]);
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
