import assert from "node:assert/strict";
import { ManualClock, sleep } from "../../src/base/clock.ts";

Deno.test("ManualClock fires its timers in time order as it advances, each at its own time", () => {
  const clock = new ManualClock(100);
  const fired: string[] = [];
  clock.after(30, () => fired.push(`b@${clock.now()}`));
  clock.after(10, () => {
    fired.push(`a@${clock.now()}`);
    clock.after(5, () => fired.push(`a2@${clock.now()}`)); // scheduled within the step, still due
  });
  const cancel = clock.after(20, () => fired.push("cancelled"));
  clock.after(31, () => fired.push(`c@${clock.now()}`));
  cancel();
  clock.advance(30);
  assert.deepEqual(fired, ["a@110", "a2@115", "b@130"]);
  assert.equal(clock.now(), 130);
  assert.equal(clock.pendingTimers, 1);
  clock.advance(1);
  assert.deepEqual(fired.at(-1), "c@131");
  assert.equal(clock.wallMs() - clock.now(), 1_700_000_000_000 - 100);
});

Deno.test("sleep() resolves when the clock reaches the time, or at once on abort", async () => {
  const clock = new ManualClock();
  let woke = false;
  const slept = sleep(clock, 50).then(() => (woke = true));
  clock.advance(49);
  await Promise.resolve();
  assert.equal(woke, false);
  clock.advance(1);
  await slept;
  const abort = new AbortController();
  const aborted = sleep(clock, 1e9, abort.signal);
  abort.abort();
  await aborted;
  assert.equal(clock.pendingTimers, 0, "the aborted sleep's timer is cancelled");
});
