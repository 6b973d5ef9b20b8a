import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import type { LogFields, LogLevel } from "../../src/base/log.ts";
import { startRetrying } from "../../src/source/retrying_source.ts";
import type { RunningSource } from "../../src/source/running_source.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("startRetrying() logs a failure once per reason and hands over to the source once it starts", async () => {
  const clock = new ManualClock();
  const lines: [LogLevel, string, LogFields | undefined][] = [];
  const logger = { log: (l: LogLevel, m: string, f?: LogFields) => void lines.push([l, m, f]) };
  const failures = ["not there", "not there", "busy"];
  let stopped = 0;
  let endInner!: () => void;
  const inner: RunningSource = {
    description: "the real thing",
    ended: new Promise((resolve) => (endInner = resolve)),
    stop: () => Promise.resolve(void stopped++),
  };
  let attempts = 0;
  const start = () => {
    attempts++;
    const reason = failures.shift();
    return reason ? Promise.reject(new Error(reason)) : Promise.resolve(inner);
  };
  const source = await startRetrying(start, { path: "/cam", logger, clock, delayMs: 500 });
  assert.equal(source.description, "not started yet (not there); trying again every 0.5 s");
  for (let i = 0; i < 3; i++) {
    clock.advance(500);
    await tick();
  }
  assert.equal(attempts, 4);
  assert.deepEqual(lines, [
    ["warn", "the source could not start; trying again", { path: "/cam", reason: "not there" }],
    ["warn", "the source could not start; trying again", { path: "/cam", reason: "busy" }],
    ["info", "the source started", { path: "/cam", source: "the real thing" }],
  ]);
  assert.equal(clock.pendingTimers, 0, "no more attempts once it runs");
  endInner();
  await source.ended; // the started source's end is the stand-in's
  await source.stop();
  assert.equal(stopped, 1);
});

Deno.test("startRetrying() returns the source itself when the first attempt works", async () => {
  const inner: RunningSource = {
    description: "x",
    ended: Promise.resolve(),
    stop: () => Promise.resolve(),
  };
  const logger = { log: () => assert.fail("nothing to log") };
  const source = await startRetrying(() => Promise.resolve(inner), {
    path: "/p",
    logger,
    clock: new ManualClock(),
    delayMs: 1000,
  });
  assert.equal(source, inner);
});

Deno.test("a source being retried backs off with its error until it starts, then has its own status", async () => {
  const clock = new ManualClock();
  const logger = { log() {} };
  const inner: RunningSource = {
    description: "camera",
    ended: new Promise(() => {}),
    stop: () => Promise.resolve(),
    status: { state: "streaming", reconnects: 0 },
  };
  const failures = ["no such device /dev/video0"];
  const start = () => {
    const reason = failures.shift();
    return reason ? Promise.reject(new Error(reason)) : Promise.resolve(inner);
  };
  const source = await startRetrying(start, { path: "/cam", logger, clock, delayMs: 500 });
  assert.deepEqual(source.status, {
    state: "backing-off",
    since: clock.wallMs(),
    lastError: "no such device /dev/video0",
    retryAt: clock.wallMs() + 500,
    reconnects: 0,
  });
  clock.advance(500);
  await tick();
  assert.deepEqual(source.status, { state: "streaming", reconnects: 0 });
  await source.stop();
});
