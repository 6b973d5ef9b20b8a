import assert from "node:assert/strict";
import { parseBitrate, resolveEncoderOptions } from "../../src/encoder/options.ts";

Deno.test("parseBitrate() reads 2M, 2.5m, 500k and plain numbers", () => {
  assert.equal(parseBitrate("2M"), 2_000_000);
  assert.equal(parseBitrate("2.5m"), 2_500_000);
  assert.equal(parseBitrate("500k"), 500_000);
  assert.equal(parseBitrate("800000"), 800_000);
  for (const bad of ["", "2G", "-5", "1e6", "fast", "1k"]) {
    assert.throws(() => parseBitrate(bad), RangeError, bad);
  }
});

Deno.test("resolveEncoderOptions() fills in the defaults users know and names bad values", () => {
  assert.deepEqual(resolveEncoderOptions({ width: 640, height: 480 }), {
    width: 640,
    height: 480,
    fps: 30,
    bitrate: 2_000_000,
    gop: 30,
    rateControl: "bitrate",
    qpMin: 10,
    qpMax: 40,
  });
  assert.throws(
    () => resolveEncoderOptions({ width: 641, height: 480 }),
    /width must be an even integer/,
  );
  assert.throws(
    () => resolveEncoderOptions({ width: 640, height: 480, bitrate: -5 }),
    /bitrate must be an integer from 10000/,
  );
  assert.throws(
    () => resolveEncoderOptions({ width: 640, height: 480, qpMin: 30, qpMax: 20 }),
    /qpMin \(30\) must not be above qpMax \(20\)/,
  );
  assert.throws(
    () => resolveEncoderOptions({ width: 640, height: 480, gop: 0 }),
    /gop must be an integer/,
  );
});
