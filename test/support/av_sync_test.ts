import assert from "node:assert/strict";
import { beepsIn, flashesIn, pairOffsets, summarizeOffsets } from "./av_sync.ts";

Deno.test("flashes are bright frames after dark ones; a recording that starts bright has none there", () => {
  const lines = (frames: [number, number][]) =>
    frames.map(([t, y]) => `frame:0 pts:0 pts_time:${t}\nlavfi.signalstats.YAVG=${y}`).join("\n");
  assert.deepEqual(flashesIn(lines([[0, 235], [0.04, 16], [1, 235], [1.04, 235], [1.08, 16]])), [
    1,
  ]);
});

Deno.test("beeps start where silences end; each flash pairs with the nearest beep within half a second", () => {
  const log = "[silencedetect] silence_end: 1.02 | silence_duration: 0.96\n" +
    "[silencedetect] silence_end: 2.5 | silence_duration: 0.96\n";
  const beeps = beepsIn(log);
  assert.deepEqual(beeps, [1.02, 2.5]);
  // 2 has no beep closer than half a second, 4 none at all.
  const offsets = pairOffsets([1, 2, 4], beeps);
  assert.equal(offsets.length, 1);
  assert.ok(Math.abs(offsets[0] - 20) < 1e-6);
  assert.deepEqual(summarizeOffsets([10, -30, 5]), { median: 5, worst: -30 });
});
