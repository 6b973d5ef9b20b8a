/**
 * rtsp-edge's pull client against GStreamer's gst-rtsp-server (bench/gst_rtsp_server.py, through
 * the system python3-gi): the H.264 test clip is pulled over TCP, UDP and auto, and what arrives
 * is the clip's access units (rtph264pay may add SPS/PPS in front of IDRs: config-interval=-1).
 */

import assert from "node:assert/strict";
import { encodeAnnexB } from "../../src/codec/annexb.ts";
import { pullRtsp, type RtspTransportChoice } from "../../src/client/pull.ts";
import { gstRtspServerAvailable } from "../../bench/procs.ts";
import { clip } from "../support/fake_rtsp_device.ts";
import { assertMonotonic, CollectingSink } from "../client/_support.ts";
import { interopTest, withTempDir } from "./support.ts";

const SCRIPT = new URL("../../bench/gst_rtsp_server.py", import.meta.url).pathname;

/** Writes the clip as bench/clip.ts's .aus file: 4-byte big-endian length, then Annex B bytes. */
async function writeAus(path: string): Promise<void> {
  const parts: Uint8Array[] = [];
  for (const au of clip().accessUnits) {
    const bytes = encodeAnnexB(au);
    const head = new Uint8Array(4);
    new DataView(head.buffer).setUint32(0, bytes.length);
    parts.push(head, bytes);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  await Deno.writeFile(path, out);
}

async function withGstServer(fn: (url: string) => Promise<void>): Promise<void> {
  if (!gstRtspServerAvailable()) {
    throw new Error(
      "python3-gi with GstRtspServer 1.0 must be installed (gir1.2-gst-rtsp-server-1.0)",
    );
  }
  await withTempDir(async (dir) => {
    await writeAus(`${dir}/clip.aus`);
    const child = new Deno.Command("/usr/bin/python3", {
      args: [SCRIPT, "--aus", `${dir}/clip.aus`, "--fps", "25"],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      let text = "";
      let url: string | undefined;
      const deadline = Date.now() + 20_000;
      while (url === undefined && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) throw new Error("gst_rtsp_server.py exited before it was ready");
        text += value;
        const ready = text.split("\n").find((l) => l.includes('"ready"'));
        if (ready) url = String(JSON.parse(ready).url);
      }
      if (url === undefined) throw new Error("gst_rtsp_server.py was not ready in 20 s");
      await fn(url);
    } finally {
      await child.stdin.close().catch(() => {});
      reader.cancel().catch(() => {});
      try {
        child.kill("SIGTERM");
      } catch {
        // exited
      }
      await child.status;
    }
  });
}

for (const transport of ["tcp", "udp", "auto"] as RtspTransportChoice[]) {
  interopTest(`pullRtsp() reads gst-rtsp-server's H.264 over ${transport}`, [
    "gst-launch-1.0",
  ], () =>
    withGstServer(async (url) => {
      const sink = new CollectingSink();
      const session = await pullRtsp({ url, transport }, sink);
      assert.equal(session.transport, transport === "tcp" ? "tcp" : "udp");
      assert.equal(session.media.codec, "h264");
      await sink.waitFrames(15, 10_000);
      assertMonotonic(sink.frames);
      const slices = clip().accessUnits.map((au) =>
        au.filter((n) => (n[0] & 0x1f) === 1 || (n[0] & 0x1f) === 5).map((n) => n.length).join()
      );
      // Each access unit's slices are one of the clip's (h264parse keeps them byte for byte).
      for (const f of sink.frames) {
        const got = f.nalUnits!.filter((n) => (n[0] & 0x1f) === 1 || (n[0] & 0x1f) === 5);
        assert.ok(slices.includes(got.map((n) => n.length).join()), "slices match the clip");
      }
      assert.equal(session.stats.droppedFrames, 0);
      await session.close();
      assert.equal(sink.closedError, undefined);
    }));
}
