import assert from "node:assert/strict";
import { ManualClock } from "../../src/base/clock.ts";
import type { Frame } from "../../src/server/stream/frame.ts";
import { silentLogger } from "../../src/base/log.ts";
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
  const frames: Frame[] = [];
  const reader = { deliver: (f: Frame) => frames.push(f) };
  return { clock, stream, frames, reader };
}

Deno.test("RTP timestamps follow frame timestamps at 90 kHz", () => {
  const { stream, frames, reader } = makeStream();
  stream.attach(reader);
  stream.sendFrame([SPS, PPS, idr()], { timestamp: 1_000_000 });
  stream.sendFrame([slice()], { timestamp: 1_040_000 });
  assert.equal((frames[1].rtpTimestamp - frames[0].rtpTimestamp) >>> 0, 3600);
});

Deno.test("RTP time never runs backwards when the source's clock jumps (a looped file, a reboot)", () => {
  const { stream, frames, reader } = makeStream({ framerate: 25 });
  stream.attach(reader);
  stream.sendFrame([SPS, PPS, idr()], { timestamp: 5_000_000 });
  stream.sendFrame([slice()], { timestamp: 5_040_000 });
  stream.sendFrame([slice()], { timestamp: 0 }); // back to zero
  stream.sendFrame([slice()], { timestamp: 99_000_000_000 }); // far ahead
  const deltas = frames.slice(1).map((f, i) => (f.rtpTimestamp - frames[i].rtpTimestamp) >>> 0);
  assert.deepEqual(deltas, [3600, 3600, 3600]);
});

Deno.test("sequence numbers and RTP timestamps wrap without a hitch", () => {
  const { stream, frames, reader } = makeStream();
  stream.attach(reader);
  let ts = 0;
  stream.sendFrame([SPS, PPS, idr(100_000)], { timestamp: ts });
  for (let i = 0; i < 1500; i++) stream.sendFrame([slice(3000)], { timestamp: ts += 33_333 });
  for (let i = 1; i < frames.length; i++) {
    const prev = frames[i - 1];
    assert.equal(frames[i].firstSequence, (prev.firstSequence + prev.packets.count) & 0xffff);
  }
});

Deno.test("a new reader gets the GOP from its IDR; one joining before any keyframe waits", () => {
  const { stream } = makeStream();
  const early: Frame[] = [];
  stream.sendFrame([slice()], { timestamp: 0 }); // no keyframe yet: nothing to replay
  stream.attach({ deliver: (f) => early.push(f) });
  assert.equal(early.length, 0);
  stream.sendFrame([SPS, PPS, idr()], { timestamp: 33_333 });
  stream.sendFrame([slice()], { timestamp: 66_666 });
  const late: Frame[] = [];
  stream.attach({ deliver: (f) => late.push(f) });
  assert.deepEqual(late.map((f) => f.keyframe), [true, false]);
  assert.equal(stream.startPoint().sequence, late[0].firstSequence);
});

Deno.test("a GOP above the cache cap is not kept for fast start", () => {
  const { stream } = makeStream({ maxGopBytes: 50_000 });
  stream.sendFrame([SPS, PPS, idr(20_000)], { timestamp: 0 });
  for (let i = 1; i <= 5; i++) stream.sendFrame([slice(10_000)], { timestamp: i * 33_333 });
  const got: Frame[] = [];
  stream.attach({ deliver: (f) => got.push(f) });
  assert.equal(got.length, 0);
});

Deno.test("keyframe requests on join are rate-limited", () => {
  let requests = 0;
  const { stream, clock } = makeStream({
    onKeyframeRequest: () => requests++,
    keyframeRequestInterval: 1000,
  });
  for (let i = 0; i < 10; i++) stream.attach({ deliver() {} });
  assert.equal(requests, 1);
  clock.advance(1001);
  stream.attach({ deliver() {} });
  assert.equal(requests, 2);
});

Deno.test("frames that are empty or above the size cap are refused and counted", () => {
  const { stream } = makeStream({ maxFrameSize: 10_000 });
  assert.equal(stream.sendFrame(new Uint8Array(0)), false);
  assert.equal(stream.sendFrame([idr(20_000)]), false);
  assert.equal(stream.stats.rejectedFrames, 2);
});

Deno.test("the SPS gives the SDP its size and profile; a new SPS bumps the SDP version", () => {
  const { stream } = makeStream();
  const v = stream.sdpVersion;
  stream.sendFrame([SPS, PPS, idr()]);
  assert.deepEqual(stream.videoInfo, { width: 640, height: 360, framerate: 30 }); // SPS VUI timing
  assert.ok(stream.sdpVersion > v);
  assert.match(stream.sdpMedia("trackID=0").fmtp ?? "", /profile-level-id=42c01e/);
});

Deno.test("whenReady() resolves when SPS and PPS arrive, or at its timeout", async () => {
  const { stream } = makeStream();
  const ready = stream.whenReady(10_000);
  stream.sendFrame([SPS, PPS, idr()]);
  assert.equal(await within(ready, 200), undefined, "SPS and PPS did not make the stream ready");
  const { stream: empty } = makeStream();
  const t0 = performance.now();
  await empty.whenReady(50);
  assert.ok(performance.now() - t0 >= 40);
});

Deno.test("the stream rejects a codec it cannot carry and an absurd frame rate", () => {
  const context = { clock: new ManualClock(), logger: silentLogger, maxPayloadSize: 1400 };
  assert.throws(
    () => new Stream("/s", { codec: "h265" } as unknown as StreamOptions, context),
    /codec must be "h264" or "jpeg", got "h265"/,
  );
  assert.throws(() => new Stream("/s", { codec: "h264", framerate: -1 }, context), RangeError);
});

Deno.test("after a publisher gap with a fresh clock, RTP time advances by the wall-clock gap", () => {
  const { stream, frames, reader, clock } = makeStream({ framerate: 25 });
  stream.attach(reader);
  stream.sendFrame([SPS, PPS, idr()], { timestamp: 7_000_000 });
  clock.advance(40);
  stream.sendFrame([slice()], { timestamp: 7_040_000 });
  clock.advance(5000); // the device reconnects 5 s later, its clock starting again at 0
  stream.sendFrame([SPS, PPS, idr()], { timestamp: 0 });
  clock.advance(40);
  stream.sendFrame([slice()], { timestamp: 40_000 });
  clock.advance(60_000); // a minute later, its clock far ahead
  stream.sendFrame([slice()], { timestamp: 900_000_000 });
  const deltas = frames.slice(1).map((f, i) => (f.rtpTimestamp - frames[i].rtpTimestamp) >>> 0);
  assert.deepEqual(deltas, [3600, 5000 * 90, 3600, 60_000 * 90]);
  // The RTCP sender report's RTP time at the last frame's arrival is that frame's RTP time.
  assert.equal(stream.rtpTimeAt(clock.now()), frames.at(-1)!.rtpTimestamp);
});

Deno.test("B-frames keep their presentation times: RTP time may step back within a GOP", () => {
  const { stream, frames, reader } = makeStream({ framerate: 25 });
  stream.attach(reader);
  // Sending order I P B B P B B with presentation times 0, 120, 40, 80, 240, 160, 200 ms.
  const pts = [0, 120, 40, 80, 240, 160, 200];
  pts.forEach((ms, i) =>
    stream.sendFrame(i === 0 ? [SPS, PPS, idr()] : [slice()], { timestamp: 1_000_000 + ms * 1000 })
  );
  const rtp = frames.map((f) => (f.rtpTimestamp - frames[0].rtpTimestamp) | 0);
  assert.deepEqual(rtp, pts.map((ms) => ms * 90));
});

Deno.test("restartSourceClock() makes the next frame a new clock even when its time looks close", () => {
  const { stream, frames, reader, clock } = makeStream({ framerate: 25 });
  stream.attach(reader);
  stream.sendFrame([SPS, PPS, idr()], { timestamp: 3_000_000 });
  clock.advance(40);
  stream.sendFrame([slice()], { timestamp: 3_040_000 });
  clock.advance(2000);
  stream.restartSourceClock(); // a new publisher, whose clock happens to read a little earlier
  stream.sendFrame([SPS, PPS, idr()], { timestamp: 2_900_000 });
  const deltas = frames.slice(1).map((f, i) => (f.rtpTimestamp - frames[i].rtpTimestamp) | 0);
  assert.deepEqual(deltas, [3600, 2000 * 90]);
});

Deno.test("setFramerate() gives the SDP a rate learnt after the stream was added, as a new version", () => {
  const { stream } = makeStream();
  assert.equal(stream.videoInfo.framerate, undefined);
  const before = stream.sdpVersion;
  stream.setFramerate(25);
  assert.equal(stream.videoInfo.framerate, 25);
  assert.equal(stream.sdpVersion, before + 1);
  stream.setFramerate(25); // the same rate again: nothing changed
  assert.equal(stream.sdpVersion, before + 1);
  assert.throws(() => stream.setFramerate(0), RangeError);
  assert.throws(() => stream.setFramerate(Number.NaN), RangeError);
});
