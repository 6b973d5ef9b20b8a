/**
 * Where a joining reader starts: at the fresh keyframe its join asks an encoder for (live edge),
 * at the cached GOP for a source that cannot make one (fast start) or when that keyframe is late;
 * and the reader count an on-demand source hears.
 */

import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import type { Logger } from "../../src/base/log.ts";
import { silentLogger } from "../../src/base/log.ts";
import type { Frame } from "../../src/server/stream/frame.ts";
import { Stream, type StreamOptions } from "../../src/server/stream/stream.ts";
import { idr, PPS, slice, SPS } from "./conversation.ts";

function makeStream(options: Partial<StreamOptions> = {}, logger: Logger = silentLogger) {
  const clock = new ManualClock();
  const stream = new Stream("/s", { codec: "h264", ...options }, {
    clock,
    logger,
    maxPayloadSize: 1400,
  });
  return { clock, stream };
}

function recorder() {
  const frames: Frame[] = [];
  return { frames, reader: { deliver: (f: Frame) => frames.push(f) } };
}

/** Sends an IDR then `count` P-frames, 40 ms apart, moving the clock with them. */
function sendGop(stream: Stream, clock: ManualClock, count: number): void {
  stream.sendFrame([SPS, PPS, idr()]);
  for (let i = 0; i < count; i++) {
    clock.advance(40);
    stream.sendFrame([slice()]);
  }
}

Deno.test("a reader of an encoder starts at the keyframe its join asked for, not the cached GOP", () => {
  let requests = 0;
  const { stream, clock } = makeStream({ onKeyframeRequest: () => requests++ });
  sendGop(stream, clock, 5);
  const { frames, reader } = recorder();
  clock.advance(1000); // past the rate limit of the keyframe requests at start-up
  stream.attach(reader);
  assert.equal(requests, 1);
  assert.equal(frames.length, 0, "the cached GOP was replayed");
  clock.advance(40);
  stream.sendFrame([slice()]); // made before the encoder saw the request
  assert.equal(frames.length, 0);
  clock.advance(40);
  stream.sendFrame([SPS, PPS, idr()]); // the answer
  clock.advance(40);
  stream.sendFrame([slice()]);
  assert.deepEqual(frames.map((f) => f.keyframe), [true, false]);
  assert.equal(stream.stats.readers, 1);
});

Deno.test("a joining reader whose keyframe is late gets the cached GOP after keyframeWait", () => {
  const { stream, clock } = makeStream({ onKeyframeRequest: () => {}, keyframeWait: 1000 });
  sendGop(stream, clock, 3);
  const { frames, reader } = recorder();
  stream.attach(reader);
  clock.advance(960);
  stream.sendFrame([slice()]); // 960 ms: still waiting
  assert.equal(frames.length, 0);
  clock.advance(40);
  stream.sendFrame([slice()]); // 1000 ms: no keyframe came, so the GOP, then this frame
  assert.deepEqual(frames.map((f) => f.keyframe), [true, false, false, false, false, false]);
  clock.advance(40);
  stream.sendFrame([slice()]);
  assert.equal(frames.length, 7, "the reader does not get every frame after the fallback");
});

Deno.test("the start point of a live-edge join lies at or before the first packet it gets", () => {
  const { stream, clock } = makeStream({ onKeyframeRequest: () => {} });
  sendGop(stream, clock, 2);
  const start = stream.startPoint();
  const { frames, reader } = recorder();
  stream.attach(reader);
  clock.advance(40);
  stream.sendFrame([SPS, PPS, idr()]);
  const gap = (frames[0].firstSequence - start.sequence) & 0xffff;
  assert.ok(
    gap > 0 && gap < 100,
    `RTP-Info seq ${start.sequence}, first ${frames[0].firstSequence}`,
  );
});

Deno.test("keyframeWait must be a number of milliseconds", () => {
  assert.throws(() => makeStream({ keyframeWait: -1 }), RangeError);
  assert.throws(() => makeStream({ keyframeWait: NaN }), RangeError);
  assert.ok(makeStream({ keyframeWait: 0 }).stream);
});

Deno.test("a passthrough source's reader gets the cached GOP at once (fast start)", () => {
  const { stream, clock } = makeStream(); // no onKeyframeRequest
  sendGop(stream, clock, 2);
  const { frames, reader } = recorder();
  stream.attach(reader);
  assert.deepEqual(frames.map((f) => f.keyframe), [true, false, false]);
});

Deno.test("a join refused by the keyframe rate limit asks again when the limit allows", () => {
  let requests = 0;
  const { stream, clock } = makeStream({
    onKeyframeRequest: () => requests++,
    keyframeRequestInterval: 500,
    keyframeWait: 2000,
  });
  stream.attach(recorder().reader);
  sendGop(stream, clock, 0); // the first reader's keyframe
  assert.equal(requests, 1);
  clock.advance(100);
  const { frames, reader } = recorder();
  stream.attach(reader); // too soon after the first request
  assert.equal(requests, 1);
  for (let i = 0; i < 10; i++) {
    clock.advance(40);
    stream.sendFrame([slice()]);
  }
  assert.equal(requests, 2, "the waiting reader's keyframe was never asked for");
  assert.equal(frames.length, 0);
  stream.sendFrame([SPS, PPS, idr()]);
  assert.equal(frames[0].keyframe, true);
});

Deno.test("onReaders hears the reader count after every attach and detach that changes it", () => {
  const counts: number[] = [];
  const { stream } = makeStream({ onReaders: (n) => counts.push(n), onKeyframeRequest() {} });
  const a = recorder().reader;
  const b = recorder().reader;
  stream.attach(a);
  stream.attach(a); // already attached: no change
  stream.attach(b);
  stream.detach(a);
  stream.detach(a); // not attached: no change
  stream.detach(b);
  stream.attach(a);
  stream.close();
  assert.deepEqual(counts, [1, 2, 1, 0, 1, 0]);
});

Deno.test("an onReaders callback that throws is logged and the stream carries on", () => {
  const logged: string[] = [];
  const logger: Logger = { log: (_level, message) => logged.push(message) };
  const { stream } = makeStream({
    onReaders() {
      throw new Error("camera busy");
    },
  }, logger);
  const { frames, reader } = recorder();
  stream.attach(reader);
  assert.equal(stream.sendFrame([SPS, PPS, idr()]), true);
  assert.equal(frames.length, 1);
  stream.detach(reader);
  assert.deepEqual(logged, ["reader count callback failed", "reader count callback failed"]);
});

Deno.test("an on-demand source may send its first frame from inside onReaders", () => {
  const { stream } = makeStream({
    onKeyframeRequest() {},
    onReaders: (n) => {
      if (n === 1) stream.sendFrame([SPS, PPS, idr()]); // capture starts with a keyframe
    },
  });
  const { frames, reader } = recorder();
  stream.attach(reader);
  assert.deepEqual(frames.map((f) => f.keyframe), [true]);
});
