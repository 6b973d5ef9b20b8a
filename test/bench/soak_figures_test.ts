import assert from "node:assert/strict";
import {
  fitLine,
  judgeGrowth,
  type SequencedPacket,
  SequenceLoss,
  trendWindow,
} from "../../bench/soak_figures.ts";

const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} is not ${b}`);

Deno.test("fitLine() finds the line through exact points, with no error", () => {
  const fit = fitLine([0, 1, 2, 3], [5, 7, 9, 11]);
  assert.equal(fit.n, 4);
  close(fit.slope, 2);
  close(fit.intercept, 5);
  close(fit.slopeError, 0);
});

Deno.test("fitLine() matches a worked least squares example", () => {
  // x̄ = 2, ȳ = 3.2; Sxx = 10, Sxy = 8: slope 0.8, intercept 1.6; residuals 0.4, -0.4, -0.2,
  // 0, 0.2, so s² = 0.4 / 3.
  const xs = [0, 1, 2, 3, 4];
  const ys = [2, 2, 3, 4, 5];
  const fit = fitLine(xs, ys);
  close(fit.slope, 0.8);
  close(fit.intercept, 1.6);
  close(fit.slopeError, Math.sqrt(0.4 / 3 / 10));
});

Deno.test("fitLine() gives NaN where a slope cannot be had", () => {
  assert.ok(Number.isNaN(fitLine([], []).slope));
  assert.ok(Number.isNaN(fitLine([1], [4]).slope));
  assert.ok(Number.isNaN(fitLine([2, 2, 2], [1, 2, 3]).slope));
  const two = fitLine([0, 1], [0, 3]);
  close(two.slope, 3);
  assert.ok(Number.isNaN(two.slopeError));
  assert.throws(() => fitLine([1, 2], [1]), RangeError);
});

Deno.test("trendWindow() takes the last 20 minutes of a 30-minute run or longer", () => {
  assert.deepEqual(trendWindow(1800), { fromS: 600, toS: 1800, label: "the last 20 minutes" });
  const long = trendWindow(3600);
  assert.equal(long.fromS, 2400);
  assert.equal(long.toS, 3600);
});

Deno.test("trendWindow() takes the last two thirds of a shorter run, and says so", () => {
  const w = trendWindow(180);
  assert.equal(w.fromS, 60);
  assert.equal(w.toS, 180);
  assert.match(w.label, /last two thirds \(2 min; the run was shorter than 30 min\)/);
  assert.match(trendWindow(480).label, /\(5\.3 min;/);
});

Deno.test("judgeGrowth() needs the slope above the floor and above twice its error", () => {
  const fit = { n: 100, slope: 3, intercept: 40, slopeError: 1 };
  assert.equal(judgeGrowth(fit, 1).verdict, "growth");
  assert.equal(judgeGrowth(fit, 1).thresholdPerHour, 2);
  // Above the floor, within the noise.
  assert.equal(judgeGrowth({ ...fit, slopeError: 2 }, 1).verdict, "no growth beyond noise");
  // Beyond the noise, below the floor.
  assert.equal(judgeGrowth({ ...fit, slopeError: 0.1 }, 5).verdict, "no growth beyond noise");
  // Falling is not growth.
  assert.equal(judgeGrowth({ ...fit, slope: -30 }, 1).verdict, "no growth beyond noise");
  // An unknown error leaves the floor.
  const two = judgeGrowth({ n: 2, slope: 3, intercept: 0, slopeError: NaN }, 1);
  assert.equal(two.thresholdPerHour, 1);
  assert.equal(two.verdict, "growth");
});

/** Packets of whole frames: `sizes[i]` packets at timestamp `ts0 + i * ticks`, marker on the last. */
function frames(seq0: number, ts0: number, ticks: number, sizes: number[]): SequencedPacket[] {
  const out: SequencedPacket[] = [];
  let seq = seq0;
  sizes.forEach((n, i) => {
    for (let k = 0; k < n; k++) {
      out.push({
        sequenceNumber: seq++ & 0xffff,
        timestamp: (ts0 + i * ticks) >>> 0,
        marker: k === n - 1,
      });
    }
  });
  return out;
}

Deno.test("SequenceLoss counts nothing lost in an unbroken run, across the 16-bit wrap", () => {
  const loss = new SequenceLoss(3000);
  for (const p of frames(65530, 0xffffe000, 3000, [3, 4, 5, 1])) loss.push(p);
  assert.equal(loss.packets, 13);
  assert.equal(loss.lostPackets, 0);
  assert.equal(loss.lostFrames, 0);
  assert.equal(loss.gapCount, 0);
  assert.equal(loss.late, 0);
});

Deno.test("SequenceLoss counts whole frames dropped between two frames", () => {
  const all = frames(100, 0, 3000, [2, 3, 2, 2, 1]);
  // Frames 1 and 2 (5 packets) are dropped whole.
  const got = [...all.slice(0, 2), ...all.slice(7)];
  const loss = new SequenceLoss(3000);
  got.forEach((p, i) => loss.push(p, i));
  assert.equal(loss.lostPackets, 5);
  assert.equal(loss.lostFrames, 2);
  assert.equal(loss.gapCount, 1);
  assert.deepEqual(loss.gaps, [{ at: 2, packets: 5, frames: 2 }]);
});

Deno.test("SequenceLoss counts a frame cut inside, and one whose tail was lost", () => {
  const all = frames(0, 1000, 9000, [4, 3]);
  const inside = new SequenceLoss(9000);
  for (const p of [all[0], all[2], all[3], ...all.slice(4)]) inside.push(p);
  assert.equal(inside.lostPackets, 1);
  assert.equal(inside.lostFrames, 1);
  const tail = new SequenceLoss(9000);
  for (const p of [all[0], all[1], ...all.slice(4)]) tail.push(p); // lost 2, 3 (with the marker)
  assert.equal(tail.lostPackets, 2);
  assert.equal(tail.lostFrames, 1);
});

Deno.test("SequenceLoss does not count a source's silence, only numbers skipped", () => {
  // A device gone for 3 s: the timestamps jump, the sequence numbers do not.
  const before = frames(500, 0, 9000, [2, 2]);
  const after = frames(504, 9000 * 31, 9000, [2, 2]);
  const loss = new SequenceLoss(9000);
  for (const p of [...before, ...after]) loss.push(p);
  assert.equal(loss.lostPackets, 0);
  assert.equal(loss.lostFrames, 0);
});

Deno.test("SequenceLoss sets late and repeated packets aside", () => {
  const all = frames(10, 0, 3000, [1, 1, 1, 1]);
  const loss = new SequenceLoss(3000);
  for (const p of [all[0], all[2], all[1], all[2], all[3]]) loss.push(p);
  assert.equal(loss.late, 2);
  assert.equal(loss.lostPackets, 1); // 11 had not come when 12 did; it is counted as lost
  assert.equal(loss.packets, 5);
});

Deno.test("SequenceLoss keeps only the first gaps but counts them all", () => {
  const loss = new SequenceLoss(3000, 2);
  for (let i = 0; i < 10; i++) {
    loss.push({ sequenceNumber: i * 2, timestamp: i * 6000, marker: true });
  }
  assert.equal(loss.gapCount, 9);
  assert.equal(loss.gaps.length, 2);
  assert.equal(loss.lostPackets, 9);
  assert.equal(loss.lostFrames, 9);
  assert.throws(() => new SequenceLoss(0), RangeError);
});
