/**
 * Fan-out with real readers: ten ffmpeg processes read at once while a reader that stopped reading
 * sits on the same stream; every ffmpeg must get every frame.
 */

import assert from "node:assert/strict";
import { RtspTestClient } from "../support/rtsp_client.ts";
import { argv, interopTest, run, startClipServer } from "./support.ts";

/**
 * DTS values (90 kHz) of the video packets ffmpeg's framecrc muxer printed. The first is left out:
 * with `-c copy`, ffmpeg hands its first RTSP packet on without timestamps and stamps it 0 (it does
 * the same with GStreamer's rtsp-server), so it says nothing about what the server sent.
 */
function packetTimestamps(framecrc: string): number[] {
  const lines = framecrc.split("\n").filter((l) => /^0,/.test(l));
  return lines.slice(1).map((l) => Number(l.split(",")[1]));
}

interopTest(
  "ten concurrent ffmpeg readers get every frame while a stalled reader is on the stream",
  ["ffmpeg"],
  async () => {
    // 100 KB of filler per frame (3 MB/s) fills the stalled reader's kernel buffers within a second
    // or two, so it reaches its queue cap during the test.
    const s = await startClipServer({ maxQueueBytes: 256 * 1024 }, 100_000);
    const stalled = await RtspTestClient.connect(s.url, { receiverReportIntervalMs: 0 });
    try {
      await stalled.describe();
      await stalled.setup();
      await stalled.play();
      stalled.stopReading();
      const readers = Array.from({ length: 10 }, () =>
        run(
          "ffmpeg",
          argv`-v warning -rtsp_transport tcp -i ${s.url} -t 5 -c copy -f framecrc -`,
          40_000,
        ));
      const results = await Promise.all(readers);
      for (const [i, r] of results.entries()) {
        assert.equal(r.code, 0, `reader ${i}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /missed|corrupt|error/i, `reader ${i}`);
        const ts = packetTimestamps(r.stdout);
        assert.ok(ts.length >= 148, `reader ${i} got ${ts.length} frames in 5 s`);
        // Consecutive frames are exactly one frame interval (3000 ticks at 30 fps) apart: a dropped
        // frame would leave a gap of 6000.
        const gaps = ts.slice(1).map((t, k) => t - ts[k]).filter((d) => d !== 3000);
        assert.deepEqual(gaps, [], `reader ${i} has timestamp gaps`);
      }
      // ...while the stalled reader really was held back at its queue cap.
      assert.ok(s.server.stats.framesDropped > 0, "the stalled reader never reached its cap");
    } finally {
      await stalled.close();
      await s.close();
    }
  },
);
