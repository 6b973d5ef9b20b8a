/**
 * Fast start (INTEROP.md): a reader that joins in the middle of a GOP of a passthrough source gets
 * the GOP from its IDR at once, so its first picture decodes within a fraction of a second, not at
 * the next keyframe. A reader of an encoder starts instead at the keyframe its join asks for: at
 * the live edge, not a GOP behind it.
 */

import assert from "node:assert/strict";
import { encodeAnnexB } from "../../src/codec/annexb.ts";
import { EncodePipeline } from "../../src/encoder/encode_pipeline.ts";
import { H264Encoder } from "../../src/encoder/h264_encoder.ts";
import { pace } from "../../src/source/pacer.ts";
import { TestPattern } from "../../src/source/test_pattern.ts";
import { serve } from "../../mod.ts";
import type { Stream } from "../../src/server/stream/stream.ts";
import { type ReceivedAccessUnit, RtspTestClient } from "../support/rtsp_client.ts";
import { argv, decodeFrames, interopTest, run, startClipServer } from "./support.ts";

interopTest(
  "a reader joining mid-GOP decodes its first frame within 300 ms of PLAY",
  ["ffmpeg"],
  async () => {
    const s = await startClipServer();
    const dir = await Deno.makeTempDir();
    const frames: ReceivedAccessUnit[] = [];
    let enough: () => void;
    const gotEnough = new Promise<void>((resolve) => enough = resolve);
    try {
      // The clip has an IDR every 30 frames (1 s); 2.5 s in, a reader lands half-way through a GOP.
      await new Promise((r) => setTimeout(r, 2500));
      const client = await RtspTestClient.connect(s.url, {
        onFrame(au) {
          frames.push(au);
          if (frames.length === 20) enough();
        },
      });
      await client.describe();
      await client.setup();
      const playAt = performance.timeOrigin + performance.now();
      await client.play();
      await gotEnough;
      await client.close();
      assert.equal(frames[0].keyframe, true, "the first access unit is not a keyframe");
      const delay = frames[0].receivedAt - playAt;
      assert.ok(delay < 300, `first frame ${delay.toFixed(0)} ms after PLAY`);
      // It really was mid-GOP: several replayed frames arrived together with the keyframe.
      assert.ok(
        frames[5].receivedAt - playAt < 300,
        "no GOP was replayed: the join was not mid-GOP",
      );
      const file = `${dir}/first.h264`;
      await Deno.writeFile(file, encodeAnnexB(frames.flatMap((f) => f.nalUnits)));
      const decoded = await decodeFrames(file);
      assert.equal(decoded.errors, "");
      assert.equal(decoded.frames, frames.length);
    } finally {
      await s.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/** The UDP readers' SO_RCVBUF: room for the largest replay (Linux doubles it, to rmem_max). */
const READER_BUFFER_BYTES = 4 << 20;

/** Why a reader may have got a smaller buffer than it asked for: Linux caps it at rmem_max. */
function bufferCapNote(): string {
  try {
    const max = Number(Deno.readTextFileSync("/proc/sys/net/core/rmem_max").trim());
    return max >= READER_BUFFER_BYTES
      ? ""
      : ` (net.core.rmem_max is ${max}, below the ${READER_BUFFER_BYTES} bytes the readers ask ` +
        `for: on a busy machine, raise it with sysctl -w net.core.rmem_max=${READER_BUFFER_BYTES})`;
  } catch {
    return "";
  }
}

interopTest(
  "UDP readers joining mid-GOP lose no packet from the fast-start burst",
  ["ffmpeg"],
  async () => {
    // 60 KB of filler per frame makes a mid-GOP replay 0.7 to 1.5 MB: every packet of it must
    // arrive, in order, with no gap in the sequence numbers (ffmpeg reports "missed packets").
    //
    // The server paces the burst (unit-tested in test/server/transport_test.ts); what it cannot do
    // is make a starved reader read. ffmpeg's default UDP buffer (384 KB) overflows when the
    // machine is busy and ffmpeg is not scheduled for ~15 ms of the burst, so the readers ask for
    // a buffer that holds the whole replay: loss then means the server lost or skipped packets.
    const s = await startClipServer({}, 60_000);
    try {
      const join = async (afterMs: number) => {
        await new Promise((r) => setTimeout(r, afterMs));
        return run(
          "ffmpeg",
          argv`-v warning -rtsp_transport udp -buffer_size ${READER_BUFFER_BYTES} -i ${s.url}
            -t 2 -c copy -f framecrc -`,
          30_000,
        );
      };
      for (const r of await Promise.all([join(2400), join(2800)])) {
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /missed \d+ packets/, `${r.stderr}${bufferCapNote()}`);
        const frames = r.stdout.split("\n").filter((l) => /^0,/.test(l)).length;
        assert.ok(frames >= 59, `only ${frames} frames`);
      }
    } finally {
      await s.close();
    }
  },
);

interopTest(
  "a reader of an encoder joining mid-GOP starts at a fresh keyframe, at the live edge",
  ["ffmpeg"],
  async () => {
    const [width, height, fps] = [320, 240, 30];
    const encoder = await H264Encoder.create({ width, height, fps, gop: 150 }); // a 5 s GOP
    const server = await serve({ port: 0, hostname: "127.0.0.1" });
    const stream = server.addStream("/stream", {
      codec: "h264",
      framerate: fps,
      onKeyframeRequest: () => encoder.requestKeyframe(),
    });
    const pipeline = new EncodePipeline(encoder, stream, () => {});
    const pattern = new TestPattern({ width, height });
    const player = pace(fps, (i) => pipeline.push(pattern.draw(i, Date.now(), (i * 1e6) / fps)));
    const dir = await Deno.makeTempDir();
    const frames: ReceivedAccessUnit[] = [];
    let enough: () => void;
    const gotEnough = new Promise<void>((resolve) => enough = resolve);
    try {
      await new Promise((r) => setTimeout(r, 2000)); // 2 s into the first GOP
      const client = await RtspTestClient.connect(server.url("/stream"), {
        onFrame(au) {
          frames.push(au);
          if (frames.length === 10) enough();
        },
      });
      await client.describe();
      await client.setup();
      const playAt = performance.timeOrigin + performance.now();
      await client.play();
      await gotEnough;
      await client.close();
      const first = frames[0];
      assert.equal(first.keyframe, true, "the first access unit is not a keyframe");
      // Bounds wide enough for a busy machine, yet far from the alternatives: the GOP's next own
      // keyframe is 3 s away, and a replayed GOP would start 2 s behind live (bench:join measures).
      const delay = first.receivedAt - playAt;
      assert.ok(delay < 1500, `first frame ${delay.toFixed(0)} ms after PLAY`);
      // Its RTP time is that of the stream when it arrived.
      const liveRtp = (stream as Stream).rtpTimeAt(first.receivedAt - performance.timeOrigin);
      const behindMs = ((liveRtp - first.timestamp) | 0) / 90;
      assert.ok(behindMs < 1000, `first frame ${behindMs.toFixed(0)} ms behind live`);
      const file = `${dir}/first.h264`;
      await Deno.writeFile(file, encodeAnnexB(frames.flatMap((f) => f.nalUnits)));
      const decoded = await decodeFrames(file);
      assert.equal(decoded.errors, "");
      assert.equal(decoded.frames, frames.length);
    } finally {
      player.stop();
      await server.close();
      await encoder.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
