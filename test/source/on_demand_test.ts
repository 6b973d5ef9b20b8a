import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import { silentLogger } from "../../src/base/log.ts";
import { Stream } from "../../src/server/stream/stream.ts";
import { OnDemandSource } from "../../src/source/on_demand.ts";
import { NEVER_ENDS, type RunningSource } from "../../src/source/running_source.ts";

/** A source whose starts and stops are counted; `fail` makes the next starts throw. */
function scripted() {
  const log = { starts: 0, stops: 0, fail: undefined as string | undefined };
  const start = (): Promise<RunningSource> => {
    if (log.fail) return Promise.reject(new Error(log.fail));
    log.starts++;
    return Promise.resolve({
      description: "scripted",
      ended: NEVER_ENDS,
      stop: () => {
        log.stops++;
        return Promise.resolve();
      },
    });
  };
  return { log, start };
}

function setUp(closeAfterMs = 10_000) {
  const clock = new ManualClock();
  const stream = new Stream("/cam", { codec: "h264" }, {
    clock,
    logger: silentLogger,
    maxPayloadSize: 1400,
  });
  const { log, start } = scripted();
  const source = new OnDemandSource(stream, start, {
    closeAfterMs,
    retryDelayMs: 2000,
    clock,
    logger: silentLogger,
    label: "test pattern",
  });
  return { clock, stream, log, source };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

Deno.test("an on-demand source opens nothing until a client asks for its path", async () => {
  const { clock, log, source } = setUp();
  clock.advance(60_000);
  await settle();
  assert.equal(log.starts, 0);
  assert.equal(source.active, false);
  assert.match(source.description, /test pattern, on demand .*stops 10 s after the last/);
});

Deno.test("a reader starts it; it stops the close-after once the last reader left", async () => {
  const { clock, log, source } = setUp();
  source.readers(1);
  await settle();
  assert.equal(log.starts, 1);
  assert.equal(source.active, true);
  source.readers(2);
  source.readers(1);
  clock.advance(60_000); // readers stay: it keeps running
  await settle();
  assert.equal(log.stops, 0);
  source.readers(0);
  clock.advance(9_999);
  await settle();
  assert.equal(log.stops, 0);
  clock.advance(1);
  await settle();
  assert.equal(log.stops, 1);
  assert.equal(source.active, false);
});

Deno.test("a reader coming back within the close-after keeps the same run going", async () => {
  const { clock, log, source } = setUp();
  source.readers(1);
  await settle();
  source.readers(0);
  clock.advance(5_000);
  source.readers(1);
  clock.advance(60_000);
  await settle();
  assert.deepEqual([log.starts, log.stops], [1, 0]);
});

Deno.test("a DESCRIBE starts it at once and, with no PLAY after it, it stops again", async () => {
  const { clock, log, source } = setUp(2_000);
  source.want();
  await settle();
  assert.equal(log.starts, 1);
  clock.advance(2_000);
  await settle();
  assert.equal(log.stops, 1);
  source.want(); // the next client starts it again
  await settle();
  assert.equal(log.starts, 2);
});

Deno.test("a source slower to start than the close-after is not stopped before its reader comes", async () => {
  const clock = new ManualClock();
  const stream = new Stream("/cam", { codec: "h264" }, {
    clock,
    logger: silentLogger,
    maxPayloadSize: 1400,
  });
  const log = { starts: 0, stops: 0 };
  let opened!: () => void;
  const source = new OnDemandSource(stream, () =>
    new Promise<RunningSource>((resolve) => {
      opened = () => {
        log.starts++;
        resolve({
          description: "slow camera",
          ended: NEVER_ENDS,
          stop: () => Promise.resolve(void log.stops++),
        });
      };
    }), {
    closeAfterMs: 1_000,
    retryDelayMs: 2_000,
    clock,
    logger: silentLogger,
    label: "camera",
  });
  const describing = source.want();
  clock.advance(3_000); // the camera takes 3 s to open
  opened();
  await describing;
  await settle();
  assert.equal(source.active, true, "stopped before its client could SETUP and PLAY");
  source.readers(1);
  clock.advance(10_000);
  await settle();
  assert.deepEqual([log.starts, log.stops], [1, 0]);
});

Deno.test("a source that cannot start tells the stream why and retries while a reader waits", async () => {
  const { clock, stream, log, source } = setUp();
  log.fail = "/dev/video9: no such device";
  source.readers(1);
  await settle();
  assert.deepEqual(stream.sourceState, { state: "gone", reason: "/dev/video9: no such device" });
  log.fail = undefined;
  clock.advance(2_000);
  await settle();
  assert.equal(log.starts, 1);
  assert.equal(source.active, true);
  assert.equal(stream.sourceState.state, "starting"); // no longer gone: frames are on their way
});

Deno.test("want() settles once the start it caused has settled, as DESCRIBE needs", async () => {
  const { stream, log, source } = setUp();
  log.fail = "busy";
  await source.want();
  assert.deepEqual(stream.sourceState, { state: "gone", reason: "busy" });
  log.fail = undefined;
  await source.want();
  assert.equal(log.starts, 1);
  assert.equal(source.active, true);
  await source.want(); // running already: settles at once
  assert.equal(log.starts, 1);
});

Deno.test("stop() ends a running source and it never starts again", async () => {
  const { clock, log, source } = setUp();
  source.readers(1);
  await settle();
  await source.stop();
  assert.equal(log.stops, 1);
  source.readers(2);
  source.want();
  clock.advance(60_000);
  await settle();
  assert.equal(log.starts, 1);
});

Deno.test("an on-demand source is idle while nobody reads, streaming while read, backing off on failure", async () => {
  const { clock, log, source } = setUp();
  assert.equal(source.status.state, "idle");
  source.readers(1);
  await settle();
  assert.equal(source.status.state, "streaming");
  source.readers(0);
  clock.advance(10_000);
  await settle();
  assert.equal(source.status.state, "idle");
  log.fail = "no camera";
  source.readers(1);
  await settle();
  assert.equal(source.status.state, "backing-off");
  assert.equal(source.status.lastError, "no camera");
  assert.equal(source.status.reconnects, 1);
  await source.stop();
  assert.equal(source.status.state, "stopped");
});
