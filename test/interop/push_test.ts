/**
 * Pushing a path to real servers that take RECORD, and checking that the far side decodes it:
 * GStreamer's RTSP server in record mode (depayload, parse, decode with avdec_h264) over TCP and
 * UDP, and ffmpeg as a listening server (`-rtsp_flags listen`, decoding with `-xerror`).
 */

import assert from "node:assert/strict";
import { PushError, pushRtsp } from "../../src/client/push.ts";
import { serve } from "../../src/server/server.ts";
import { selfSignedPem } from "../runtime/self_signed.ts";
import { argv, hasTool, IN_CI, interopTest, startClipServer } from "./support.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether the system Python has GStreamer's RTSP server bindings (python3-gi, GstRtspServer). */
function gstRtspServerAvailable(): boolean {
  try {
    return new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import gi; gi.require_version('GstRtspServer', '1.0')"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

/** Reads JSON lines from a child's standard output, handing each to `onLine`. */
async function readLines(
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

/** GStreamer's RTSP server in record mode at `/x`; `frames` counts what it decoded. */
async function startGstRecordServer() {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [new URL("./gst_record_server.py", import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let frames = 0;
  let resolvePort!: (port: number) => void;
  const port = new Promise<number>((resolve) => resolvePort = resolve);
  const lines = readLines(child.stdout, (line) => {
    if (line.event === "ready") resolvePort(line.port as number);
    if (line.event === "frames") frames = line.count as number;
  });
  const stderr = new Response(child.stderr).text();
  const timer = setTimeout(() => resolvePort(-1), 10_000);
  const bound = await port;
  clearTimeout(timer);
  const stop = async () => {
    await child.stdin.close().catch(() => {});
    const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
    await child.status;
    clearTimeout(kill);
    await lines.catch(() => {});
    return await stderr;
  };
  if (bound < 0) throw new Error(`the GStreamer record server did not start: ${await stop()}`);
  return { url: `rtsp://127.0.0.1:${bound}/x`, frames: () => frames, stop };
}

for (const transport of ["tcp", "udp"] as const) {
  Deno.test({
    name: `a path pushed over ${transport} to GStreamer's record-mode server is decoded there`,
    ignore: !IN_CI && (!hasTool("gst-launch-1.0") || !gstRtspServerAvailable()),
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      if (!gstRtspServerAvailable()) {
        throw new Error("python3-gi and gir1.2-gst-rtsp-server-1.0 must be installed when CI=true");
      }
      const edge = await startClipServer();
      const gst = await startGstRecordServer();
      let log = "";
      try {
        const push = await pushRtsp(edge.server, "/stream", { url: gst.url, transport });
        for (let i = 0; i < 100 && gst.frames() < 45; i++) await sleep(100);
        await push.close();
        assert.equal(await push.closed, undefined);
        assert.ok(gst.frames() >= 45, `GStreamer decoded only ${gst.frames()} frames`);
      } finally {
        log = await gst.stop();
        await edge.close();
      }
      assert.doesNotMatch(log, /CRITICAL|ERROR/, log);
    },
  });
}

/** A free TCP port on loopback (for a server that must be told its port). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

for (const transport of ["tcp", "udp"] as const) {
  interopTest(
    `a path pushed over ${transport} to ffmpeg listening for RECORD decodes without error`,
    ["ffmpeg"],
    async () => {
      const edge = await startClipServer();
      const port = freePort();
      const url = `rtsp://127.0.0.1:${port}/x`;
      const ffmpeg = new Deno.Command("ffmpeg", {
        args:
          argv`-v error -xerror -rtsp_flags listen -rtsp_transport ${transport} -listen_timeout 20
          -i ${url} -map 0:v:0 -f framecrc -`,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const output = ffmpeg.output();
      try {
        // ffmpeg takes one connection and then stops listening, so a probe would use it up: the
        // push itself is retried until ffmpeg listens.
        await sleep(300);
        let push;
        for (let i = 0;; i++) {
          try {
            push = await pushRtsp(edge.server, "/stream", { url, transport, timeoutMs: 5000 });
            break;
          } catch (error) {
            if (i >= 20) throw error;
            await sleep(100);
          }
        }
        await sleep(2500);
        await push.close();
        const timer = setTimeout(() => ffmpeg.kill("SIGKILL"), 10_000);
        const out = await output;
        clearTimeout(timer);
        const text = new TextDecoder();
        const stderr = text.decode(out.stderr).trim();
        const frames = text.decode(out.stdout).split("\n").filter((l) => /^\d+,/.test(l)).length;
        assert.equal(stderr, "", `ffmpeg reported errors (exit ${out.code})`);
        assert.ok(frames >= 30, `ffmpeg decoded only ${frames} frames`);
      } finally {
        try {
          ffmpeg.kill("SIGKILL");
        } catch { /* it has exited */ }
        await output.catch(() => {});
        await edge.close();
      }
    },
  );
}

interopTest(
  "a push over rtsps:// reaches a server with a self-signed certificate only when told to trust it",
  ["openssl"],
  async () => {
    const { cert, key } = await selfSignedPem();
    const edge = await startClipServer();
    const central = await serve({
      port: 0,
      hostname: "127.0.0.1",
      tls: { port: 0, cert, key },
      publishers: () => ({}),
    });
    try {
      const url = central.tlsUrl("/up");
      await assert.rejects(
        () => pushRtsp(edge.server, "/stream", { url }),
        (e) =>
          e instanceof PushError && e.message.startsWith(`${url}: cannot connect to `) &&
          /TLS/.test(e.message),
      );
      const push = await pushRtsp(edge.server, "/stream", { url, tlsVerify: false });
      for (let i = 0; i < 100 && (central.getStream("/up")?.stats.frames ?? 0) < 30; i++) {
        await sleep(50);
      }
      assert.ok((central.getStream("/up")?.stats.frames ?? 0) >= 30, "frames arrived over TLS");
      await push.close();
    } finally {
      await central.close();
      await edge.close();
    }
  },
);
