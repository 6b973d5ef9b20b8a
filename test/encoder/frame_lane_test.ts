import assert from "node:assert/strict";
import { FrameLane } from "../../src/encoder/frame_lane.ts";
import { H264Encoder } from "../../src/encoder/h264_encoder.ts";
import { PixelFormat } from "../../src/codec/raw_frame.ts";
import { JpegEncoder } from "../../src/jpeg/jpeg_encoder.ts";

/**
 * Runs `fn` with a timer alive: a lane used within one thread has nothing else that keeps Deno's
 * event loop running while an `Atomics.waitAsync` is pending (an encoder's Worker does).
 */
async function keepingAlive(fn: () => Promise<void>): Promise<void> {
  const timer = setInterval(() => {}, 1000);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
}

Deno.test("a frame and its answer cross the lane, the Worker's side seeing the caller's fields", () =>
  keepingAlive(async () => {
    assert.ok(FrameLane.supported);
    const caller = FrameLane.create(1024, 2048);
    const worker = new FrameLane(caller.buffer, 1024);
    const frame = new Uint8Array(600).map((_, i) => i & 255);
    caller.send(7, frame, PixelFormat.NV12, 123_456.5, { keyframe: true, bitrate: 300_000 });
    const got = await worker.next(0);
    assert.ok(got);
    assert.deepEqual(
      { ...got, data: [...got.data] },
      {
        id: 7,
        data: [...frame],
        format: PixelFormat.NV12,
        timestamp: 123_456.5,
        keyframe: true,
        bitrate: 300_000,
      },
    );
    const unit = new Uint8Array([0, 0, 0, 1, 0x65, 1, 2, 3]);
    const answer = caller.answer(7);
    assert.equal(worker.reply(7, unit, true), true);
    assert.deepEqual(await answer, { byMessage: false, data: unit, keyframe: true });

    // A JPEG, skipped by rate control; then one answered by message.
    caller.send(8, frame.subarray(0, 10), "jpeg", 0, { keyframe: false, bitrate: 0 });
    const jpeg = await worker.next(7);
    assert.equal(jpeg?.format, "jpeg");
    assert.equal(jpeg?.data.length, 10);
    assert.equal(worker.reply(8, undefined, false), true);
    assert.deepEqual(await caller.answer(8), {
      byMessage: false,
      data: undefined,
      keyframe: false,
    });
    caller.send(9, frame, PixelFormat.I420, 0, { keyframe: false, bitrate: 0 });
    await worker.next(8);
    assert.equal(
      worker.reply(9, new Uint8Array(4096), false),
      false,
      "too big for the output area",
    );
    worker.answeredByMessage(9);
    assert.deepEqual(await caller.answer(9), { byMessage: true });

    // Closing ends the Worker's wait.
    const waiting = worker.next(9);
    caller.close();
    assert.equal(await waiting, undefined);
    assert.equal(caller.fits(1024), true);
    assert.equal(caller.fits(1025), false);
  }));

Deno.test("a caller that has moved on past an answer by message is told so, not left waiting", () =>
  keepingAlive(async () => {
    const caller = FrameLane.create(64, 64);
    const worker = new FrameLane(caller.buffer, 64);
    caller.send(1, new Uint8Array(4), PixelFormat.I420, 0, { keyframe: false, bitrate: 0 });
    await worker.next(0);
    worker.answeredByMessage(1);
    caller.send(2, new Uint8Array(4), PixelFormat.I420, 0, { keyframe: false, bitrate: 0 });
    await worker.next(1);
    worker.reply(2, new Uint8Array([9]), false);
    // The wait for frame 1 began late: the lane already answers frame 2.
    assert.deepEqual(await caller.answer(1), { byMessage: true });
    assert.deepEqual(await caller.answer(2), {
      byMessage: false,
      data: new Uint8Array([9]),
      keyframe: false,
    });
  }));

Deno.test("in a Worker: overlapping frames, a larger lane, answers by message, all in order", async () => {
  const width = 64, height = 48;
  const encoder = await H264Encoder.create({ width, height, gop: 10, worker: true });
  try {
    const picture = new Uint8Array(width * height * 1.5).fill(90);
    // Bigger than the lane made for the first frame (64 kB): a larger lane replaces it.
    const oversized = new Uint8Array(70_000).fill(90);
    const jpegEncoder = await JpegEncoder.create();
    const plane = (w: number, h: number, v: number) => new Uint8Array(w * h).fill(v);
    const jpeg = jpegEncoder.encode({
      width,
      height,
      y: plane(width, height, 120),
      u: plane(width / 2, height / 2, 100),
      v: plane(width / 2, height / 2, 140),
    });
    jpegEncoder.close();
    const damaged = jpeg.subarray(0, jpeg.length - 40); // decodes, with libjpeg's warning
    const frames = [];
    for (let i = 0; i < 40; i++) {
      const data = i === 5 ? oversized : i === 9 ? damaged : i === 12 ? jpeg : picture;
      const format = i === 9 || i === 12 ? "jpeg" as const : PixelFormat.I420;
      picture[i] = i * 5;
      if (i === 20) encoder.requestKeyframe();
      frames.push(encoder.encode({ data, format, timestamp: i * 1000 }));
    }
    frames.push(encoder.encode({ data: new Uint8Array(10) }).catch((e) => e));
    const results = await Promise.all(frames);
    const bad = results.pop();
    assert.ok(bad instanceof RangeError, String(bad));
    assert.deepEqual(
      results.map((au) => au?.timestamp),
      Array.from({ length: 40 }, (_, i) => i * 1000),
    );
    assert.match(results[9]?.warning ?? "", /Premature end of JPEG file/);
    const keyframes = results.flatMap((au, i) => au?.keyframe ? [i] : []);
    assert.deepEqual(keyframes, [0, 10, 20, 30]);
    // The Worker's memory report comes with the answers, by message, about every 30 frames.
    assert.ok((encoder.memory?.wasmBytes ?? 0) > 0);
  } finally {
    await encoder.close();
  }
});

Deno.test("in a Worker: close() lets the frames already given finish", async () => {
  const encoder = await H264Encoder.create({ width: 64, height: 48, worker: true });
  const picture = new Uint8Array(64 * 48 * 1.5).fill(30);
  const pending = [1, 2, 3].map((i) => encoder.encode({ data: picture, timestamp: i }));
  await encoder.close();
  const done = await Promise.all(pending);
  assert.deepEqual(done.map((au) => au?.timestamp), [1, 2, 3]);
});
