import assert from "node:assert/strict";
import { MediaClock, rtpTimeOf } from "../../src/server/stream/media_clock.ts";

function clockAt(start = 1000) {
  const t = { now: start };
  return { t, clock: new MediaClock(() => t.now, 33_333) };
}

Deno.test("stream time starts at 0 and follows the source's presentation times", () => {
  const { t, clock } = clockAt();
  assert.equal(clock.frame(5_000_000), 0);
  t.now += 33;
  assert.equal(clock.frame(5_033_333), 33_333);
  assert.equal(clock.frameDurationUs, 33_333);
});

Deno.test("a follower on the source's clock lands where the frames do", () => {
  const { t, clock } = clockAt();
  clock.frame(5_000_000);
  t.now += 10;
  assert.equal(clock.follow(5_021_000), 21_000);
  assert.equal(clock.follow(4_990_000), -10_000, "audio just before the first frame");
});

Deno.test("a new source continues stream time by the wall-clock gap, for every track", () => {
  const { t, clock } = clockAt();
  clock.frame(5_000_000);
  t.now += 33;
  clock.frame(5_033_333);
  clock.restart();
  t.now += 2000;
  // The new publisher's audio arrives before its first frame: it starts the new mapping.
  const audio = clock.follow(100);
  assert.equal(audio, 33_333 + 2_000_000);
  t.now += 5;
  assert.equal(clock.frame(20_100), audio + 20_000, "video on the same new clock");
});

Deno.test("a jump of more than 10 s, or back more than 1 s, is a new clock", () => {
  const { t, clock } = clockAt();
  clock.frame(0);
  t.now += 40;
  assert.equal(clock.frame(60_000_000), 40_000, "a jump ahead moves on by the wall clock");
  t.now += 20;
  assert.equal(clock.frame(50_000_000), 40_000 + 33_333, "at least one frame, never back");
  t.now += 33;
  assert.equal(clock.frame(49_990_000), 73_333 - 10_000, "B-frame reordering stays");
});

Deno.test("sender-report time extrapolates from the latest frame along the wall clock", () => {
  const { t, clock } = clockAt();
  clock.frame(1_000_000);
  t.now += 250;
  assert.equal(clock.streamTimeAt(), 250_000);
});

Deno.test("RTP time of stream time wraps at 2^32 on each track's clock", () => {
  assert.equal(rtpTimeOf(0xffff_fff0, 90_000, 1000), (0xffff_fff0 + 90) % 2 ** 32);
  assert.equal(rtpTimeOf(7, 48_000, 20_000), 7 + 960);
  assert.equal(rtpTimeOf(7, 8_000, 20_000), 7 + 160);
});
