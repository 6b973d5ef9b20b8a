import assert from "node:assert/strict";
import {
  CAPTURE_FORMAT_NAMES,
  CAPTURE_FORMATS,
  chooseMode,
  describeDifferences,
  fpsOf,
  NegotiationError,
} from "../../src/camera/negotiate.ts";
import { PIX_FMT } from "../../src/camera/v4l2_abi.ts";
import type { FormatOffer, SizeOffer } from "../../src/camera/v4l2_device.ts";
import { PixelFormat } from "../../src/codec/raw_frame.ts";
import { discrete, offer } from "./fake_libc.ts";

/** A typical USB webcam: raw YUYV is bandwidth-bound at 720p, MJPEG is not. */
const WEBCAM: FormatOffer[] = [
  offer("YUYV", "YUYV 4:2:2", [discrete(640, 480, [30, 15]), discrete(1280, 720, [10])]),
  offer("MJPG", "Motion-JPEG", [discrete(640, 480, [30]), discrete(1280, 720, [30, 15])], true),
];

function stepwiseSize(
  minWidth: number,
  maxWidth: number,
  stepWidth: number,
  minHeight: number,
  maxHeight: number,
  stepHeight: number,
  fps = [30],
): SizeOffer {
  return {
    size: { kind: "stepwise", minWidth, maxWidth, stepWidth, minHeight, maxHeight, stepHeight },
    intervals: discrete(0, 0, fps).intervals,
  };
}

Deno.test("chooseMode() takes MJPEG for 1280x720@30 on a webcam whose YUYV does 720p only at 10 fps", () => {
  assert.deepEqual(chooseMode(WEBCAM, { width: 1280, height: 720, fps: 30 }), {
    pixelFormat: PIX_FMT.MJPEG,
    layout: "jpeg",
    width: 1280,
    height: 720,
    interval: { numerator: 1, denominator: 30 },
  });
});

Deno.test("chooseMode() takes YUYV for 1280x720@10: raw is cheaper when the rate is met", () => {
  assert.deepEqual(chooseMode(WEBCAM, { width: 1280, height: 720, fps: 10 }), {
    pixelFormat: PIX_FMT.YUYV,
    layout: PixelFormat.YUYV,
    width: 1280,
    height: 720,
    interval: { numerator: 1, denominator: 10 },
  });
});

Deno.test("chooseMode() honours an insisted-on format at its nearest rate (--format yuyv → 10 fps)", () => {
  const mode = chooseMode(WEBCAM, { width: 1280, height: 720, fps: 30, pixelFormat: PIX_FMT.YUYV });
  assert.equal(mode.pixelFormat, PIX_FMT.YUYV);
  assert.equal(mode.layout, PixelFormat.YUYV);
  assert.deepEqual([mode.width, mode.height], [1280, 720]);
  assert.deepEqual(mode.interval, { numerator: 1, denominator: 10 });
});

Deno.test("chooseMode() prefers the nearest size over the nearest rate", () => {
  const mode = chooseMode(WEBCAM, { width: 1280, height: 720, fps: 30, pixelFormat: PIX_FMT.YUYV });
  assert.deepEqual([mode.width, mode.height], [1280, 720]); // not 640x480, which does 30 fps
  const small = chooseMode(WEBCAM, { width: 600, height: 400, fps: 30 });
  assert.deepEqual([small.pixelFormat, small.width, small.height], [PIX_FMT.YUYV, 640, 480]);
});

Deno.test("chooseMode() breaks a tie of size and rate by format cost (YUYV before NV12 before MJPEG)", () => {
  const sizes = [discrete(640, 480, [30])];
  const offers = [
    offer("MJPG", "Motion-JPEG", sizes, true),
    offer("GREY", "8-bit Greyscale", sizes),
    offer("NV12", "Y/UV 4:2:0", sizes),
    offer("YUYV", "YUYV 4:2:2", sizes),
  ];
  const request = { width: 640, height: 480, fps: 30 };
  assert.equal(chooseMode(offers, request).pixelFormat, PIX_FMT.YUYV);
  assert.equal(chooseMode(offers.slice(0, 3), request).pixelFormat, PIX_FMT.NV12);
  assert.equal(chooseMode(offers.slice(0, 2), request).pixelFormat, PIX_FMT.MJPEG);
  assert.equal(chooseMode(offers.slice(1, 2), request).layout, PixelFormat.GRAY8);
});

Deno.test("chooseMode() picks the nearest size on the step inside a stepwise range", () => {
  const offers = [offer("YUYV", "YUYV 4:2:2", [stepwiseSize(16, 1920, 8, 16, 1080, 8)])];
  const pick = (width: number, height: number) => {
    const m = chooseMode(offers, { width, height, fps: 30 });
    return [m.width, m.height];
  };
  assert.deepEqual(pick(1280, 720), [1280, 720]);
  assert.deepEqual(pick(1283, 723), [1280, 720]);
  assert.deepEqual(pick(1286, 726), [1288, 728]);
  assert.deepEqual(pick(4000, 3000), [1920, 1080]);
  assert.deepEqual(pick(2, 2), [16, 16]);
});

Deno.test("chooseMode() measures the step from the range's minimum", () => {
  const offers = [offer("NV12", "Y/UV 4:2:0", [stepwiseSize(48, 2592, 16, 32, 1944, 16)])];
  const m = chooseMode(offers, { width: 1280, height: 720, fps: 30 });
  assert.deepEqual([m.width, m.height], [1280, 720]); // 48 + 77·16, 32 + 43·16
  const n = chooseMode(offers, { width: 1290, height: 730, fps: 30 });
  assert.deepEqual([n.width, n.height], [1296, 736]);
});

Deno.test({
  name: "chooseMode() never picks a stepwise size beyond the range's maximum",
  fn() {
    const offers = [offer("YUYV", "YUYV 4:2:2", [stepwiseSize(16, 1000, 16, 16, 600, 16)])];
    const m = chooseMode(offers, { width: 1000, height: 600, fps: 30 });
    assert.ok(m.width <= 1000 && m.height <= 600, `${m.width}x${m.height}`);
    assert.deepEqual([m.width, m.height], [992, 592]);
  },
});

Deno.test("chooseMode() picks within a stepwise interval range, clamped to its ends", () => {
  const size: SizeOffer = {
    size: { kind: "discrete", width: 640, height: 480 },
    intervals: [{
      kind: "stepwise",
      min: { numerator: 1, denominator: 60 },
      max: { numerator: 1, denominator: 1 },
    }],
  };
  const offers = [offer("YUYV", "YUYV 4:2:2", [size])];
  const interval = (fps: number) => chooseMode(offers, { width: 640, height: 480, fps }).interval;
  assert.deepEqual(interval(25), { numerator: 1000, denominator: 25000 });
  assert.equal(fpsOf(interval(29.97)), 29.97);
  assert.deepEqual(interval(120), { numerator: 1, denominator: 60 });
  assert.deepEqual(interval(0.5), { numerator: 1, denominator: 1 });
});

Deno.test("chooseMode() prefers the faster of two rates equally far from the request", () => {
  const offers = [offer("YUYV", "YUYV 4:2:2", [discrete(640, 480, [15, 60])])];
  const mode = chooseMode(offers, { width: 640, height: 480, fps: 30 });
  assert.deepEqual(mode.interval, { numerator: 1, denominator: 60 });
});

Deno.test("chooseMode() asks for the wanted rate when the driver lists no intervals", () => {
  const offers = [offer("YUYV", "YUYV 4:2:2", [{
    size: { kind: "discrete", width: 640, height: 480 },
    intervals: [],
  }])];
  const mode = chooseMode(offers, { width: 640, height: 480, fps: 30 });
  assert.deepEqual(mode.interval, { numerator: 1000, denominator: 30000 });
});

Deno.test("chooseMode() lists at most 8 unsupported formats and counts the rest", () => {
  const codes = ["H264", "HEVC", "Y10 ", "Y12 ", "BA81", "RGGB", "Y16 ", "Z16 ", "VP80", "M420"];
  const offers = codes.map((c) => offer(c, c, [discrete(640, 480, [30])]));
  assert.throws(
    () => chooseMode(offers, { width: 640, height: 480, fps: 30 }),
    (error: unknown) => {
      assert.ok(error instanceof NegotiationError);
      assert.ok(
        error.message.startsWith(
          "unsupported format: the camera offers H264, HEVC, Y10, Y12, BA81, RGGB, Y16, Z16 " +
            "and 2 more, ",
        ),
        error.message,
      );
      assert.match(error.message, /yuyv, uyvy, nv12, yu12, rgb24, bgr24, mjpeg, jpeg, grey$/);
      assert.doesNotMatch(error.message, /VP80|M420|\n/);
      return true;
    },
  );
});

Deno.test("chooseMode() names all formats when there are 8 or fewer, and says when there are none", () => {
  const offers = ["H264", "Y10 "].map((c) => offer(c, c, [discrete(640, 480, [30])]));
  assert.throws(
    () => chooseMode(offers, { width: 640, height: 480, fps: 30 }),
    /^NegotiationError: unsupported format: the camera offers H264, Y10, not /,
  );
  assert.throws(
    () => chooseMode([], { width: 640, height: 480, fps: 30 }),
    /the camera offers nothing, /,
  );
});

Deno.test("chooseMode() refuses an insisted-on format the camera does not offer, naming both", () => {
  const yuyvOnly = WEBCAM.slice(0, 1);
  assert.throws(
    () => chooseMode(yuyvOnly, { width: 640, height: 480, fps: 30, pixelFormat: PIX_FMT.MJPEG }),
    {
      name: "NegotiationError",
      message: "unsupported format: the camera offers YUYV, not MJPG",
    },
  );
});

Deno.test("chooseMode() skips odd and tiny sizes, which H.264 4:2:0 cannot carry", () => {
  const offers = [
    offer("YUYV", "YUYV 4:2:2", [
      discrete(1281, 720, [30]),
      discrete(1280, 721, [30]),
      discrete(8, 8, [30]),
      discrete(320, 240, [30]),
    ]),
  ];
  const mode = chooseMode(offers, { width: 1280, height: 720, fps: 30 });
  assert.deepEqual([mode.width, mode.height], [320, 240]);
  // A continuous range of odd widths only.
  const odd = [offer("YUYV", "YUYV 4:2:2", [stepwiseSize(17, 33, 2, 17, 33, 2)])];
  assert.throws(() => chooseMode(odd, { width: 20, height: 20, fps: 30 }), {
    name: "NegotiationError",
    message: "unsupported format: the camera offers no even frame size",
  });
});

Deno.test("describeDifferences() says nothing when the camera gives what was asked", () => {
  const request = { width: 1280, height: 720, fps: 30 };
  assert.deepEqual(describeDifferences(request, { width: 1280, height: 720, fps: 30 }), []);
  assert.deepEqual(describeDifferences(request, { width: 1280, height: 720, fps: 30.005 }), []);
});

Deno.test("describeDifferences() names the nearest size and rate, rate rounded to 2 decimals", () => {
  assert.deepEqual(
    describeDifferences({ width: 600, height: 400, fps: 24 }, { width: 640, height: 360, fps: 25 }),
    [
      "asked for 600x400, the camera's nearest size is 640x360",
      "asked for 24 fps, the camera's nearest rate is 25 fps",
    ],
  );
  assert.deepEqual(
    describeDifferences({ width: 640, height: 360, fps: 30 }, {
      width: 640,
      height: 360,
      fps: 30000 / 1001,
    }),
    ["asked for 30 fps, the camera's nearest rate is 29.97 fps"],
  );
});

Deno.test("fpsOf() inverts an interval and is 0 for a zero numerator", () => {
  assert.equal(fpsOf({ numerator: 1, denominator: 30 }), 30);
  assert.equal(fpsOf({ numerator: 2, denominator: 25 }), 12.5);
  assert.equal(fpsOf({ numerator: 0, denominator: 30 }), 0);
});

Deno.test("every capture format's name is a --format name for the same code", () => {
  for (const f of CAPTURE_FORMATS) {
    assert.equal(CAPTURE_FORMAT_NAMES[f.name], f.pixelFormat, f.name);
  }
  assert.equal(CAPTURE_FORMAT_NAMES.i420, PIX_FMT.YU12);
  assert.equal(CAPTURE_FORMAT_NAMES.mjpg, PIX_FMT.MJPEG);
});
