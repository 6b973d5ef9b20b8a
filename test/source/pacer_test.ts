import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import { pace, playPaced } from "../../src/source/pacer.ts";

Deno.test("pace() ticks on a schedule counted from the start, so late timers add no drift", () => {
  const clock = new ManualClock(1000);
  const ticks: [number, number][] = [];
  const pacer = pace(10, (i) => ticks.push([i, clock.now()]), clock);
  clock.advance(0);
  assert.deepEqual(ticks, [[0, 1000]]);
  clock.advance(250); // frames 1 and 2 fall due at 1100 and 1200
  assert.deepEqual(ticks.slice(1), [[1, 1100], [2, 1200]]);
  pacer.stop();
  clock.advance(1000);
  assert.equal(ticks.length, 3, "nothing after stop()");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("pace() skips ahead after more than a second late instead of bursting the backlog", () => {
  let now = 0;
  // A clock whose timers fire when the test says: the machine is suspended for 5 s at one point.
  const timers: { ms: number; fn: () => void }[] = [];
  const clock = {
    now: () => now,
    wallMs: () => now,
    after(ms: number, fn: () => void) {
      timers.push({ ms, fn });
      return () => {};
    },
  };
  const ticks: number[] = [];
  pace(10, (i) => ticks.push(i), clock);
  timers.shift()!.fn(); // frame 0 at 0; frame 1 is asked for 100 ms later
  assert.equal(timers[0].ms, 100);
  now = 5000;
  timers.shift()!.fn(); // frame 1, 4.9 s late: the schedule restarts here
  assert.equal(timers[0].ms, 100, "frame 2 a frame interval later, not at once to catch up");
  now = 5050;
  timers.shift()!.fn(); // frame 2, early by a timer's whim: still no burst
  assert.equal(timers[0].ms, 150);
  assert.deepEqual(ticks, [0, 1, 2]);
});

Deno.test("playPaced() holds items until due and stamps them with their slot's time", async () => {
  const clock = new ManualClock(0);
  const stamps: [string, number][] = [];
  async function* items() {
    yield "a";
    yield "b";
    yield "c";
  }
  const done = playPaced(items(), 25, (item, us) => stamps.push([item, us]), undefined, clock);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(stamps, [["a", 0]], "the second item waits for its slot");
  clock.advance(40);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(stamps.map(([, us]) => us), [0, 40_000]);
  clock.advance(40);
  await done;
  assert.deepEqual(stamps, [["a", 0], ["b", 40_000], ["c", 80_000]]);
});

/** The stamps of three items at 10 fps whose pipe stalls `stallMs` after the first. */
async function stampsAfterStall(stallMs: number): Promise<number[]> {
  const clock = new ManualClock(0);
  const stamps: number[] = [];
  async function* items() {
    yield 1;
    clock.advance(stallMs);
    yield 2;
    yield 3;
  }
  const done = playPaced(items(), 10, (_item, us) => stamps.push(us), undefined, clock);
  for (let i = 0; i < 5 && stamps.length < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.advance(100);
  }
  await done;
  return stamps;
}

Deno.test("playPaced() restarts its schedule from an item that comes more than a frame late", async () => {
  // Half a second: item 2 goes out at once, item 3 a frame later.
  assert.deepEqual(await stampsAfterStall(500), [0, 500_000, 600_000]);
  // A stall that is not a whole number of frames: the stamps stay on the frame grid.
  assert.deepEqual(await stampsAfterStall(530), [0, 500_000, 600_000]);
});

Deno.test("playPaced() stops at once when its signal aborts during a wait", async () => {
  const clock = new ManualClock(0);
  const abort = new AbortController();
  const seen: number[] = [];
  async function* items() {
    yield 1;
    yield 2;
  }
  const done = playPaced(items(), 1, (item) => seen.push(item), abort.signal, clock);
  await new Promise((resolve) => setTimeout(resolve, 0));
  abort.abort();
  await done;
  assert.deepEqual(seen, [1]);
  assert.equal(clock.pendingTimers, 0);
});
