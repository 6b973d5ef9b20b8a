/**
 * Pushing a path to real servers that take RECORD, and checking that the far side decodes it:
 * GStreamer's RTSP server in record mode (depayload, parse, decode with avdec_h264) over TCP and
 * UDP, and ffmpeg as a listening server (`-rtsp_flags listen`, decoding with `-xerror`).
 */

import assert from "node:assert/strict";
import { PushError, pushRtsp } from "../../src/client/push.ts";
import { serve } from "../../src/server/server.ts";
import { selfSignedPem } from "../runtime/self_signed.ts";
import { argv, freePort, hasTool, IN_CI, interopTest, startClipServer } from "./support.ts";
import { gstRtspServerAvailable, sleep, startGstRecordServer } from "./relay_support.ts";

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
      const url = `rtsp://127.0.0.1:${gst.port}/x`;
      let log = "";
      try {
        const push = await pushRtsp(edge.server, "/stream", { url, transport });
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
