import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import type { Logger, LogLevel } from "../../src/base/log.ts";
import { Pusher, type PushLink } from "../../src/source/pusher.ts";

/** A push target the test drives: each start is answered by the next script entry. */
function scriptedTarget() {
  const script: (Error | "ok")[] = [];
  const links: { end: (error?: Error) => void; closes: number }[] = [];
  const start = (): Promise<PushLink> => {
    const next = script.shift() ?? new Error("connection refused");
    if (next instanceof Error) return Promise.reject(next);
    let end!: (error?: Error) => void;
    const closed = new Promise<Error | undefined>((resolve) => (end = resolve));
    const link = { end, closes: 0 };
    links.push(link);
    return Promise.resolve({
      closed,
      close() {
        link.closes++;
        end(undefined);
        return Promise.resolve();
      },
    });
  };
  return { script, links, start };
}

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = {
    log(level: LogLevel, message: string, fields?: Record<string, unknown>) {
      lines.push(
        `${level} ${message} ${fields?.target}${fields?.error ? `: ${fields.error}` : ""}`,
      );
    },
  } as Logger;
  return { logger, lines };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

Deno.test("a pusher retries a refusing target with backoff, logging each change once", async () => {
  const clock = new ManualClock();
  const target = scriptedTarget();
  const { logger, lines } = recorder();
  target.script.push(new Error("refused"), new Error("refused"), "ok");
  const pusher = new Pusher({
    path: "/cam",
    url: "rtsp://user:secret@central:8554/cam",
    start: target.start,
    logger,
    clock,
    random: () => 0.5,
  });
  assert.equal(pusher.target, "rtsp://central:8554/cam");
  await settle();
  assert.deepEqual(pusher.state, { state: "waiting", until: 1000, error: "refused" });
  clock.advance(1000);
  await settle();
  assert.equal(pusher.state.state === "waiting" && pusher.state.until, 3000);
  clock.advance(2000);
  await settle();
  assert.equal(pusher.state.state, "pushing");
  // Lost after a minute of pushing: the next wait is short again.
  clock.advance(61_000);
  target.links[0].end(new Error("connection reset"));
  await settle();
  const state = pusher.state as { state: string; until?: number };
  assert.equal(state.state === "waiting" && state.until! - clock.now(), 1000);
  await pusher.stop();
  assert.equal(clock.pendingTimers, 0);
  assert.deepEqual(lines, [
    "info push connecting rtsp://central:8554/cam",
    "warn push failed; trying again rtsp://central:8554/cam: refused",
    "info push pushing rtsp://central:8554/cam",
    "warn push failed; trying again rtsp://central:8554/cam: connection reset",
    "info push stopped rtsp://central:8554/cam",
  ]);
  assert.ok(!lines.join("\n").includes("secret"), "credentials are never logged");
});

Deno.test("stopping a pusher ends its session", async () => {
  const clock = new ManualClock();
  const target = scriptedTarget();
  target.script.push("ok");
  const pusher = new Pusher({
    path: "/cam",
    url: "rtsp://central/cam",
    start: target.start,
    logger: recorder().logger,
    clock,
  });
  await settle();
  assert.equal(pusher.state.state, "pushing");
  await pusher.stop();
  assert.equal(target.links[0].closes, 1);
  assert.equal(pusher.state.state, "stopped");
  assert.equal(clock.pendingTimers, 0, "a session closed by stop() is not retried");
});

Deno.test("a pusher waits for its path to appear, looking every second, then pushes", async () => {
  const clock = new ManualClock();
  const target = scriptedTarget();
  const { logger, lines } = recorder();
  let published = false;
  let starts = 0;
  target.script.push("ok");
  const pusher = new Pusher({
    path: "/door",
    url: "rtsp://central/door",
    start: () => (starts++, target.start()),
    ready: () => published,
    logger,
    clock,
  });
  await settle();
  assert.equal(pusher.state.state, "waiting for the path");
  clock.advance(5000); // a device that comes late costs no failure and no growing wait
  await settle();
  assert.equal(starts, 0);
  published = true;
  clock.advance(1000);
  await settle();
  assert.equal(starts, 1);
  assert.equal(pusher.state.state, "pushing");
  await pusher.stop();
  assert.deepEqual(lines, [
    "info push waiting for the path rtsp://central/door",
    "info push pushing rtsp://central/door",
    "info push stopped rtsp://central/door",
  ]);
});
