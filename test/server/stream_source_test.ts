/**
 * A stream whose source is gone, or went quiet, shows no reader its last pictures as if live.
 */

import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import { silentLogger } from "../../src/base/log.ts";
import type { Frame } from "../../src/server/stream/frame.ts";
import { Stream, type StreamOptions } from "../../src/server/stream/stream.ts";
import { idr, PPS, slice, SPS } from "./conversation.ts";
import { within } from "./within.ts";

function makeStream(options: Partial<StreamOptions> = {}) {
  const clock = new ManualClock();
  const stream = new Stream("/s", { codec: "h264", ...options }, {
    clock,
    logger: silentLogger,
    maxPayloadSize: 1400,
  });
  return { clock, stream };
}

function recorder() {
  const frames: Frame[] = [];
  return { frames, reader: { deliver: (f: Frame) => frames.push(f) } };
}

Deno.test("a stream is starting until its first frame, then live", () => {
  const { stream } = makeStream();
  assert.deepEqual(stream.sourceState, { state: "starting" });
  assert.equal(stream.sendFrame(new Uint8Array(0)), false); // refused frames do not count
  assert.deepEqual(stream.sourceState, { state: "starting" });
  stream.sendFrame([SPS, PPS, idr()]);
  assert.deepEqual(stream.sourceState, { state: "live" });
});

Deno.test("sourceGone() drops the cached GOP and says why until the next frame", () => {
  const { stream, clock } = makeStream();
  stream.sendFrame([SPS, PPS, idr()]);
  clock.advance(40);
  stream.sendFrame([slice()]);
  stream.sourceGone("device disconnected");
  assert.deepEqual(stream.sourceState, { state: "gone", reason: "device disconnected" });
  const { frames, reader } = recorder();
  stream.attach(reader);
  assert.equal(frames.length, 0, "the gone source's frames were replayed");
  // The next point is a fresh packet, not the dropped GOP's keyframe.
  const start = stream.startPoint();
  clock.advance(5000);
  stream.sendFrame([SPS, PPS, idr()]);
  assert.deepEqual(stream.sourceState, { state: "live" });
  assert.equal(frames[0].firstSequence, start.sequence);
});

Deno.test("readers attached when the source leaves stay attached and continue when it returns", () => {
  const { stream, clock } = makeStream();
  const { frames, reader } = recorder();
  stream.attach(reader);
  stream.sendFrame([SPS, PPS, idr()]);
  stream.sourceGone("publisher ended");
  assert.equal(stream.stats.readers, 1);
  clock.advance(3000);
  stream.sendFrame([SPS, PPS, idr()]);
  clock.advance(40);
  stream.sendFrame([slice()]);
  assert.deepEqual(frames.map((f) => f.keyframe), [true, true, false]);
});

Deno.test("whenReady() resolves at once while the source is gone, and sourceGone() ends a wait", async () => {
  const { stream } = makeStream();
  const waiting = stream.whenReady(10_000);
  stream.sourceGone("device disconnected");
  assert.equal(await within(waiting, 200), undefined, "whenReady() still waits for a gone source");
  assert.equal(await within(stream.whenReady(10_000), 200), undefined);
});

Deno.test("parameter sets outlive the source, so the SDP stays complete", async () => {
  const { stream } = makeStream();
  stream.sendFrame([SPS, PPS, idr()]);
  const version = stream.sdpVersion;
  stream.sourceGone("device disconnected");
  assert.ok(stream.parameterSets);
  assert.equal(stream.sdpVersion, version);
  assert.equal(await within(stream.whenReady(10_000), 200), undefined);
});

Deno.test("a GOP whose newest frame is stale is not replayed, nor used as the start point", () => {
  const { stream, clock } = makeStream({ framerate: 25 });
  stream.sendFrame([SPS, PPS, idr()]);
  clock.advance(40);
  stream.sendFrame([slice()]);
  clock.advance(1900); // quiet, but within the 2 s a GOP stays fresh
  const early = recorder();
  stream.attach(early.reader);
  assert.equal(early.frames.length, 2);
  clock.advance(200); // 2.1 s since the newest frame: the source went quiet
  const late = recorder();
  const start = stream.startPoint();
  stream.attach(late.reader);
  assert.equal(late.frames.length, 0);
  stream.sendFrame([SPS, PPS, idr()]);
  assert.equal(late.frames[0].firstSequence, start.sequence);
});
