/**
 * pullRtsp() against rtsp-edge's own server: a stream fed with the H.264 test clip (or a JPEG
 * picture) is pulled over TCP, UDP and auto, with and without credentials.
 */

import assert from "node:assert/strict";
import { type LiveStream, serve } from "../../mod.ts";
import type { ServeOptions } from "../../src/server/options.ts";
import { pullRtsp, type RtspTransportChoice } from "../../src/client/pull.ts";
import { clip, jpegs } from "../support/fake_rtsp_device.ts";
import { assertMonotonic, CollectingSink } from "./_support.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** A server with `/cam` fed at 25 fps until the returned stop function is called. */
async function feeding(codec: "h264" | "jpeg", options: ServeOptions = {}) {
  const server = await serve({ port: 0, hostname: "127.0.0.1", ...options });
  const stream: LiveStream = server.addStream("/cam", { codec, framerate: 25 });
  let i = 0;
  const timer = setInterval(() => {
    const frame = codec === "h264" ? clip().accessUnits[i % clip().accessUnits.length] : jpegs()[0];
    stream.sendFrame(frame, { timestamp: i * 40_000 });
    i++;
  }, 40);
  return {
    url: server.url("/cam"),
    async stop() {
      clearInterval(timer);
      await server.close();
    },
  };
}

for (const transport of ["tcp", "udp", "auto"] as RtspTransportChoice[]) {
  Deno.test({
    name: `pullRtsp() reads rtsp-edge's own H.264 stream over ${transport}`,
    ...opts,
    fn: async () => {
      const s = await feeding("h264");
      try {
        const sink = new CollectingSink();
        const session = await pullRtsp({ url: s.url, transport }, sink);
        assert.equal(session.transport, transport === "tcp" ? "tcp" : "udp");
        assert.equal(session.media.codec, "h264");
        assert.ok(session.media.codec === "h264" && session.media.parameterSets !== undefined);
        await sink.waitFrames(10);
        assertMonotonic(sink.frames);
        // Every access unit holds a slice; the server starts readers at a keyframe.
        const first = sink.frames[0].nalUnits!.map((n) => n[0] & 0x1f);
        assert.ok(first.includes(5), `first access unit ${first}`);
        const step = sink.frames[9].us - sink.frames[8].us;
        assert.ok(Math.abs(step - 40_000) < 2, `step ${step}`);
        assert.equal(session.stats.badPackets, 0);
        await session.close();
        assert.equal(sink.closedCalls, 1);
        assert.equal(sink.closedError, undefined);
      } finally {
        await s.stop();
      }
    },
  });
}

Deno.test({
  name: "pullRtsp() reads rtsp-edge's own JPEG stream, picture for picture",
  ...opts,
  fn: async () => {
    const s = await feeding("jpeg");
    try {
      const sink = new CollectingSink();
      const session = await pullRtsp({ url: s.url, transport: "udp" }, sink);
      assert.equal(session.media.codec, "jpeg");
      await sink.waitFrames(3);
      const got = sink.frames[0].jpeg!;
      assert.deepEqual([...got.subarray(0, 2)], [0xff, 0xd8]);
      assert.deepEqual([...got.subarray(-2)], [0xff, 0xd9]);
      await session.close();
    } finally {
      await s.stop();
    }
  },
});

for (const digestQop of [false, true]) {
  Deno.test({
    name: `pullRtsp() authenticates to rtsp-edge with Digest${digestQop ? " and qop=auth" : ""}`,
    ...opts,
    fn: async () => {
      const s = await feeding("h264", {
        access: {
          users: { alice: { password: "wonder land" } },
          read: ["alice"],
          digestQop,
          failureDelayMs: [0, 0],
        },
      });
      try {
        const url = s.url.replace("rtsp://", "rtsp://alice:wonder%20land@");
        const sink = new CollectingSink();
        const session = await pullRtsp({ url, transport: "tcp" }, sink);
        await sink.waitFrames(2);
        await session.close();
        const bad = s.url.replace("rtsp://", "rtsp://alice:nope@");
        await assert.rejects(
          pullRtsp({ url: bad, transport: "tcp" }, new CollectingSink()),
          (e: Error) => e.message === `${s.url}: DESCRIBE: wrong user or password`,
        );
      } finally {
        await s.stop();
      }
    },
  });
}

Deno.test({
  name: "a path the server does not have is a PullError naming the 404",
  ...opts,
  fn: async () => {
    const s = await feeding("h264");
    try {
      const url = s.url.replace("/cam", "/nope");
      await assert.rejects(
        pullRtsp({ url, transport: "auto" }, new CollectingSink()),
        (e: Error) => e.message === `${url}: DESCRIBE: 404 Not Found`,
      );
    } finally {
      await s.stop();
    }
  },
});
