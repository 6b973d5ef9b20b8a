/**
 * `/metrics` on a server with a test pattern, a device pushing JPEG, an RTSP publisher's path and a
 * reader: the families expected are there, and `promtool check metrics` (Prometheus's own linter)
 * passes the text. Skipped without promtool, failing under CI=true (see .ci/run).
 */

import assert from "node:assert/strict";
import { startIngest } from "../../src/ingest/ingest_server.ts";
import { serve } from "../../src/server/server.ts";
import { StatusBoard } from "../../src/http/status.ts";
import { metricsRoute } from "../../src/http/metrics.ts";
import { runLocalSource } from "../../src/source/local_source.ts";
import { silentLogger } from "../../src/base/log.ts";
import { FFMPEG_420 } from "../rtp/jpeg_cases.ts";
import { RtspTestClient } from "../support/rtsp_client.ts";
import { interopTest } from "../interop/support.ts";

/** Polls `check` until it holds, for up to 20 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `promtool check metrics` on `text`: its exit code and what it said. */
async function promtool(text: string): Promise<{ code: number; said: string }> {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const decode = new TextDecoder();
  return { code: out.code, said: decode.decode(out.stdout) + decode.decode(out.stderr) };
}

interopTest(
  "promtool passes the metrics of a server with every kind of path",
  ["promtool"],
  async () => {
    const server = await serve({ port: 0, hostname: "127.0.0.1" });
    const pattern = await runLocalSource(
      server.addStream("/pattern", { codec: "h264", framerate: 10 }),
      { kind: "test-pattern", width: 160, height: 96, fps: 10, bitrate: 200_000, gop: 10 },
      { logger: silentLogger },
    );
    const ingest = await startIngest({
      rtsp: server,
      port: 0,
      hostname: "127.0.0.1",
      policyFor: (path) =>
        path === "/dev"
          ? { jpeg: "rtp-jpeg", replace: false, bitrate: 1e6, gop: 15, maxFrameBytes: 1 << 20 }
          : undefined,
    });
    const published = server.publish("/pub", { codec: "h264", publisher: "rtsp 127.0.0.1" });
    const board = new StatusBoard({
      server,
      paths: [
        {
          path: "/pattern",
          type: "test-pattern",
          detail: "test pattern 160x96 at 10 fps",
          source: pattern,
        },
        { path: "/dev", type: "ingest", detail: 'pushed by a device "front\\door"' },
        { path: "/pub", type: "publisher", detail: "published over RTSP" },
      ],
    });
    const client = await RtspTestClient.connect(server.url("/pattern"));
    try {
      const response = await fetch(`http://127.0.0.1:${ingest.port}/ingest/dev`, {
        method: "POST",
        headers: { "Content-Type": "image/jpeg" },
        body: FFMPEG_420.slice(),
      });
      await response.body?.cancel();
      assert.ok(response.status < 300, `push answered ${response.status}`);
      await client.describe();
      await client.setup();
      await client.play();
      await until("frames to the reader", () => (server.sessions()[0]?.framesSent ?? 0) >= 2);
      const metrics = metricsRoute(board);
      const answer = await metrics(new Request("http://edge/metrics"));
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
      const text = await answer.text();
      for (
        const line of [
          'rtsp_edge_path_readers{path="pattern"} 1',
          'rtsp_edge_path_source_state{path="pattern",state="streaming"} 1',
          'rtsp_edge_path_source_state{path="pub",state="waiting"} 1',
          'rtsp_edge_ingest_frames_total{path="dev"} 1',
          'rtsp_edge_publisher_frames_total{path="pub"} 0',
          'rtsp_edge_sessions{transport="tcp"} 1',
          "rtsp_edge_auth_failures_total 0",
          "# TYPE process_cpu_seconds_total counter",
        ]
      ) {
        assert.ok(text.includes(line + "\n") || text.includes(line), `missing ${line}:\n${text}`);
      }
      assert.match(text, /^process_resident_memory_bytes \d+$/m);
      assert.match(text, /^rtsp_edge_encoder_frames_total\{path="pattern"\} [1-9]\d*$/m);
      assert.match(text, /^process_start_time_seconds \d+(\.\d+)?$/m);
      const checked = await promtool(text);
      assert.equal(checked.code, 0, `promtool check metrics:\n${checked.said}\n${text}`);
      const post = await metrics(new Request("http://edge/metrics", { method: "POST" }));
      assert.equal(post.status, 405);
      assert.equal(post.headers.get("Allow"), "GET, HEAD");
    } finally {
      board.close();
      await client.close();
      published.release();
      await ingest.close();
      await pattern.stop();
      await server.close();
    }
  },
);
