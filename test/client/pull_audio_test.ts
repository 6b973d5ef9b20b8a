/**
 * pullRtsp() of a stream with an audio track beside the video, from rtsp-edge's own server: both
 * tracks are set up in one session (interleaved channels 0-1 and 2-3 over TCP, a port pair each over
 * UDP), the audio frames come through as they were sent, and their times land on the video's clock
 * through the server's sender reports even when the sound is sent late.
 */

import assert from "node:assert/strict";
import { type LiveStream, serve } from "../../mod.ts";
import { pullRtsp } from "../../src/client/pull.ts";
import { clip } from "../support/fake_rtsp_device.ts";
import { AudioCollectingSink, CollectingSink } from "./_support.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** 20 ms of 8 kHz A-law whose bytes say which frame it is. */
function pcma(j: number): Uint8Array {
  return new Uint8Array(160).fill(j & 0xff);
}

const LATE_TICKS = 15;

/** A server with `/cam`: video at 25 fps and PCMA every 20 ms, on one source clock. */
async function feeding() {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  const stream: LiveStream = server.addStream("/cam", { codec: "h264", framerate: 25 });
  stream.setAudio({ codec: "pcma", clockRate: 8000, channels: 1 });
  const aus = clip().accessUnits;
  let tick = 0;
  const timer = setInterval(() => {
    // Every 20 ms one audio frame; every other tick one video frame, at the same source time.
    if (tick % 2 === 0) {
      stream.sendFrame(aus[(tick / 2) % aus.length], { timestamp: tick * 20_000 });
    }
    // The sound leaves 300 ms after the picture of the same instant (as ffmpeg's AAC packetizer
    // holds frames back): timed by arrival it would play 300 ms late.
    const late = tick - LATE_TICKS;
    if (late >= 0) stream.sendAudio(pcma(late), late * 20_000);
    tick++;
  }, 20);
  return {
    url: server.url("/cam"),
    async stop() {
      clearInterval(timer);
      await server.close();
    },
  };
}

for (const transport of ["tcp", "udp"] as const) {
  Deno.test({
    name:
      `pullRtsp() over ${transport} sets up the audio track too and times it on the video's clock`,
    ...opts,
    fn: async () => {
      const s = await feeding();
      try {
        const sink = new AudioCollectingSink();
        const session = await pullRtsp({ url: s.url, transport }, sink);
        assert.equal(session.transport, transport);
        assert.deepEqual(session.audio, { codec: "pcma", clockRate: 8000, channels: 1 });
        await sink.waitFrames(30);
        await sink.waitSound(60);
        await session.close();
        // Frames as sent: 160 bytes of one value, one after another.
        for (const { frame } of sink.sound) {
          assert.equal(frame.length, 160);
          assert.ok(frame.every((b) => b === frame[0]));
        }
        for (let k = 1; k < sink.sound.length; k++) {
          assert.equal(sink.sound[k].frame[0], (sink.sound[k - 1].frame[0] + 1) & 0xff);
        }
        // The server sends a sender report per track right after its first packet, so past the
        // first few frames every audio time is that of the video frame of the same source tick:
        // audio frame j and video frame 2i at source time 20 ms·j lie on one line.
        const videoStart = sink.frames[0].us; // 0: the first pulled frame
        assert.equal(videoStart, 0);
        // The tick of audio frame k is its byte value, counted on from the first one's (256 ticks
        // are a whole number of video frames, so the 40 ms grid below is not disturbed).
        const t0 = sink.sound[0].frame[0];
        const offsets = sink.sound.slice(10).map(({ us }, k) => us - 20_000 * (t0 + k + 10));
        const spread = Math.max(...offsets) - Math.min(...offsets);
        assert.ok(spread <= 2_000, `audio times drift by ${spread} µs`);
        // On the video's grid (40 ms) within a ms: the video frame of the same instant.
        const phase = ((offsets[0] % 40_000) + 40_000) % 40_000;
        assert.ok(Math.min(phase, 40_000 - phase) <= 1_000, `audio is ${phase} µs off the video`);
        assert.equal(session.stats.droppedAudio, 0);
        assert.equal(sink.closedError, undefined);
      } finally {
        await s.stop();
      }
    },
  });
}

Deno.test({
  name: "pullRtsp() with a sink that takes no audio sets up the video alone",
  ...opts,
  fn: async () => {
    const s = await feeding();
    try {
      const sink = new CollectingSink();
      const session = await pullRtsp({ url: s.url, transport: "tcp" }, sink);
      assert.equal(session.audio, undefined);
      await sink.waitFrames(5);
      assert.equal(session.stats.strayPackets, 0);
      await session.close();
    } finally {
      await s.stop();
    }
  },
});
