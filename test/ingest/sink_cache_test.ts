import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import type { Stream } from "../../src/server/stream/stream.ts";
import { type ParkedSink, SinkCache } from "../../src/ingest/sink_cache.ts";
import { TimestampSmoother } from "../../src/ingest/timestamps.ts";

/** A parked sink whose encoder records being closed; the stream is only compared by identity. */
function parkedFor(stream: Stream): ParkedSink & { closes: () => number } {
  let closes = 0;
  return {
    path: "/a",
    peer: "10.0.0.7",
    frames: 3,
    stopLogged: false,
    stream,
    streamFrames: 0,
    sink: {
      frame() {},
      close() {
        closes++;
        return Promise.resolve();
      },
    },
    smoother: new TimestampSmoother(),
    closes: () => closes,
  };
}

const streamA = { path: "/a" } as unknown as Stream;
const streamB = { path: "/a" } as unknown as Stream;

Deno.test("SinkCache hands a parked sink back within the idle time, by the injected clock", () => {
  const clock = new ManualClock();
  const cache = new SinkCache(() => clock.now(), 10_000);
  const parked = parkedFor(streamA);
  cache.park("k", parked);
  clock.advance(10_000);
  cache.expire();
  assert.ok(cache.has("k"));
  assert.equal(cache.take("k", streamA), parked);
  assert.equal(parked.closes(), 0);
  assert.equal(cache.size, 0);
});

Deno.test("SinkCache frees a sink parked past the idle time when swept", () => {
  const clock = new ManualClock();
  const cache = new SinkCache(() => clock.now(), 10_000);
  const parked = parkedFor(streamA);
  cache.park("k", parked);
  clock.advance(10_001);
  assert.equal(cache.has("k"), false, "expired before any sweep");
  assert.equal(parked.closes(), 0, "freed by the sweep, not before");
  assert.deepEqual(cache.expire(), [parked], "the sweep tells which it freed");
  assert.equal(parked.closes(), 1);
  assert.deepEqual(cache.expire(), []);
  assert.equal(cache.size, 0);
});

Deno.test("SinkCache does not hand out an expired sink the sweep has not reached yet", () => {
  const clock = new ManualClock();
  const cache = new SinkCache(() => clock.now(), 10_000);
  const parked = parkedFor(streamA);
  cache.park("k", parked);
  clock.advance(10_001);
  assert.equal(cache.take("k", streamA), undefined);
  assert.equal(parked.closes(), 1);
  assert.equal(cache.size, 0);
});

Deno.test("SinkCache closes a sink parked for a stream the path no longer serves", () => {
  const clock = new ManualClock();
  const cache = new SinkCache(() => clock.now());
  const parked = parkedFor(streamA);
  cache.park("k", parked);
  assert.equal(cache.take("k", streamB), undefined);
  assert.equal(parked.closes(), 1);
});

Deno.test("SinkCache closes what a new park under the same key replaces, and all on clear", () => {
  const clock = new ManualClock();
  const cache = new SinkCache(() => clock.now());
  const first = parkedFor(streamA);
  const second = parkedFor(streamA);
  cache.park("k", first);
  cache.park("k", second);
  assert.equal(first.closes(), 1);
  cache.clear();
  assert.equal(second.closes(), 1);
  assert.equal(cache.size, 0);
});
