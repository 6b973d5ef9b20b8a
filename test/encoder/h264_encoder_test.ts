import assert from "node:assert/strict";
import { H264Encoder } from "../../src/encoder/h264_encoder.ts";
import { PixelFormat } from "../../src/codec/raw_frame.ts";

for (const worker of [true, false]) {
  const where = worker ? "in a Worker" : "in the calling thread";

  Deno.test(`${where}: bad frames get a clear error and the encoder keeps working`, async () => {
    const encoder = await H264Encoder.create({ width: 64, height: 48, worker });
    try {
      await assert.rejects(
        encoder.encode({ data: new Uint8Array(100) }),
        (e) =>
          e instanceof RangeError &&
          /a 64x48 frame of this format needs 4608 bytes, got 100/.test(e.message),
      );
      await assert.rejects(
        encoder.encode({ data: new Uint8Array(64 * 48 * 4), format: 42 as PixelFormat }),
        (e) => e instanceof TypeError && /unknown pixel format code 42/.test(e.message),
      );
      const au = await encoder.encode({
        data: new Uint8Array(64 * 48 * 2),
        format: PixelFormat.YUYV,
      });
      assert.equal(au?.keyframe, true);
    } finally {
      await encoder.close();
    }
    await assert.rejects(encoder.encode({ data: new Uint8Array(4608) }), /the encoder is closed/);
  });

  Deno.test(`${where}: requestKeyframe() makes the next frame an IDR; setBitrate() checks its value`, async () => {
    const encoder = await H264Encoder.create({ width: 64, height: 48, gop: 100, worker });
    try {
      const frame = new Uint8Array(64 * 48 * 1.5).fill(100);
      const types: boolean[] = [];
      for (let i = 0; i < 6; i++) {
        if (i === 4) encoder.requestKeyframe();
        frame[i] = i * 40; // keep the picture changing
        const au = await encoder.encode({ data: frame, timestamp: i * 33_333 });
        types.push(au?.keyframe ?? false);
      }
      assert.deepEqual(types, [true, false, false, false, true, false]);
      assert.throws(() => encoder.setBitrate(5), /bitrate must be an integer/);
      encoder.setBitrate(300_000);
    } finally {
      await encoder.close();
    }
  });
}

Deno.test("H264Encoder.create() refuses bad settings before starting anything", async () => {
  await assert.rejects(
    H264Encoder.create({ width: 63, height: 48 }),
    /width must be an even integer/,
  );
  await assert.rejects(
    H264Encoder.create({ width: 64, height: 48, fps: 0 }),
    /fps must be a number/,
  );
});
