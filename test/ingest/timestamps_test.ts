import assert from "node:assert/strict";
import { TimestampSmoother } from "../../src/ingest/timestamps.ts";

Deno.test("TimestampSmoother keeps the device's own spacing, mapped onto the arrival clock", () => {
  const s = new TimestampSmoother();
  const arrivals = [5_000_000, 5_041_000, 5_070_000, 5_101_000];
  const device = [100, 33_433, 66_766, 100_100];
  const out = device.map((d, i) => s.next(d, arrivals[i]));
  assert.deepEqual(out.map((t) => t - out[0]), [0, 33_333, 66_666, 100_000]);
  assert.equal(out[0], 5_000_000);
});

Deno.test("TimestampSmoother starts a new timeline when the device clock jumps back (a reboot)", () => {
  const s = new TimestampSmoother();
  const a = s.next(9_000_000, 1_000_000);
  const b = s.next(9_033_333, 1_033_333);
  const c = s.next(10, 1_066_666); // rebooted device: its clock starts again
  const d = s.next(33_343, 1_100_000);
  assert.ok(a < b && b < c && c < d);
  assert.equal(c, 1_066_666);
  assert.equal(d - c, 33_333);
});

Deno.test("TimestampSmoother turns jittery arrivals into a steady, rising cadence", () => {
  const s = new TimestampSmoother();
  let seed = 7;
  const jitter = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 20_000) - 10_000;
  const out: number[] = [];
  for (let i = 0; i < 300; i++) out.push(s.next(undefined, 1_000_000 + i * 66_667 + jitter()));
  const steps = out.slice(1).map((t, i) => t - out[i]);
  assert.ok(steps.every((d) => d > 0), "timestamps rise");
  const late = steps.slice(100);
  const mean = late.reduce((a, b) => a + b, 0) / late.length;
  assert.ok(Math.abs(mean - 66_667) < 2_000, `mean step ${mean}`);
  // Arrivals jitter by ±10 ms; the smoothed steps by far less.
  const spread = Math.max(...late) - Math.min(...late);
  assert.ok(spread < 8_000, `step spread ${spread} µs`);
  // And the smoothed time stays near the arrivals.
  assert.ok(Math.abs(out[299] - (1_000_000 + 299 * 66_667)) < 20_000);
});

Deno.test("TimestampSmoother restarts at the arrival time after a pause of over a second", () => {
  const s = new TimestampSmoother();
  s.next(undefined, 0);
  s.next(undefined, 33_000);
  assert.equal(s.next(undefined, 5_000_000), 5_000_000);
});
