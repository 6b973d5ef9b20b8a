import assert from "node:assert/strict";
import {
  type CameraOptions,
  type CapturedFrame,
  openCamera,
} from "../../src/camera/camera_capture.ts";
import { ManualClock } from "../../src/base/clock.ts";
import { NegotiationError } from "../../src/camera/negotiate.ts";
import { PIX_FMT } from "../../src/camera/v4l2_abi.ts";
import { CameraError } from "../../src/camera/v4l2_device.ts";
import type { LogFields, Logger, LogLevel } from "../../src/base/log.ts";
import { PixelFormat } from "../../src/codec/raw_frame.ts";
import {
  discrete,
  ERRNO,
  FakeCamera,
  type FakeCameraSpec,
  FakeLibC,
  FLAG_ERROR,
  FLAG_TIMESTAMP_MONOTONIC,
  offer,
} from "./fake_libc.ts";

const PATH = "/dev/video0";
const REQUEST = { width: 32, height: 16, fps: 30 };
/** A small YUYV camera, so frames are cheap: 32x16 at 30 fps. */
const SMALL: FakeCameraSpec = {
  card: "Fake Webcam",
  formats: [offer("YUYV", "YUYV 4:2:2", [discrete(32, 16, [30])])],
};
const FRAME_BYTES = 32 * 16 * 2;

interface Line {
  level: LogLevel;
  message: string;
  fields?: LogFields;
}

function recorder(): { logger: Logger; lines: Line[]; messages: () => string[] } {
  const lines: Line[] = [];
  return {
    lines,
    logger: { log: (level, message, fields) => void lines.push({ level, message, fields }) },
    messages: () => lines.map((l) => l.message),
  };
}

/** Waits (on 1 ms timers) until `condition` holds; fails after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 800): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A camera, its fake libc, and a started capture collecting frames and log lines. */
async function start(spec: FakeCameraSpec = SMALL, options: Partial<CameraOptions> = {}) {
  const camera = new FakeCamera(spec);
  const libc = new FakeLibC({ [PATH]: camera });
  const log = recorder();
  const frames: CapturedFrame[] = [];
  const capture = await openCamera(
    {
      device: PATH,
      request: REQUEST,
      logger: log.logger,
      libc,
      reopenDelayMs: 5,
      stallMs: 100,
      ...options,
    },
    (frame) => frames.push(frame),
  );
  return { camera, libc, log, frames, capture };
}

Deno.test("openCamera() reports the card, mode and rate and delivers frames with driver timestamps", async () => {
  const { camera, libc, frames, capture, log } = await start();
  assert.equal(capture.card, "Fake Webcam");
  assert.deepEqual(capture.mode, {
    pixelFormat: PIX_FMT.YUYV,
    layout: PixelFormat.YUYV,
    width: 32,
    height: 16,
    interval: { numerator: 1, denominator: 30 },
  });
  assert.equal(capture.fps, 30);
  assert.deepEqual(log.lines, [], "the camera gave what was asked: nothing to say");
  for (const t of [7_000_000, 7_033_333, 7_066_667]) camera.pushFrame({ timestampUs: t });
  await until(() => frames.length === 3, "3 frames");
  assert.deepEqual(frames.map((f) => f.timestamp), [7_000_000, 7_033_333, 7_066_667]);
  assert.deepEqual(frames.map((f) => f.data[0]), [0, 1, 2]); // the fake fills with the sequence
  for (const f of frames) {
    assert.equal(f.data.length, FRAME_BYTES);
    assert.deepEqual([f.format, f.width, f.height], [PixelFormat.YUYV, 32, 16]);
  }
  assert.deepEqual({ ...capture.stats }, { frames: 3, damaged: 0, missed: 0, reopened: 0 });
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("openCamera() keeps up: every buffer is handed back, so frames keep coming", async () => {
  const { camera, libc, frames, capture } = await start();
  for (let i = 0; i < 20; i++) {
    assert.ok(camera.pushFrame(), `frame ${i} found an empty buffer`);
    await until(() => frames.length === i + 1, `frame ${i}`);
  }
  assert.equal(camera.queuedBuffers, 4);
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("openCamera() removes the driver's row padding", async () => {
  const { camera, libc, frames, capture } = await start({ ...SMALL, padding: 8 });
  const stride = 32 * 2 + 8;
  const driver = new Uint8Array(stride * 16).fill(0xee);
  for (let y = 0; y < 16; y++) driver.fill(y + 1, y * stride, y * stride + 64);
  camera.pushFrame({ data: driver });
  await until(() => frames.length === 1, "a frame");
  const expected = new Uint8Array(FRAME_BYTES);
  for (let y = 0; y < 16; y++) expected.fill(y + 1, y * 64, (y + 1) * 64);
  assert.deepEqual(frames[0].data, expected);
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("openCamera() stamps frames on the local clock when the driver's clock is not monotonic", async () => {
  const { camera, libc, frames, capture } = await start();
  const before = performance.now() * 1000;
  camera.pushFrame({ flags: 0, timestampUs: 5 });
  await until(() => frames.length === 1, "a frame");
  const after = performance.now() * 1000;
  assert.ok(frames[0].timestamp >= before - 1 && frames[0].timestamp <= after + 1);
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("openCamera() counts damaged and short frames and does not deliver them", async () => {
  const { camera, libc, frames, capture } = await start();
  camera.pushFrame({ timestampUs: 1 });
  camera.pushFrame({ flags: FLAG_ERROR | FLAG_TIMESTAMP_MONOTONIC });
  camera.pushFrame({ bytesUsed: FRAME_BYTES - 1 });
  camera.pushFrame({ timestampUs: 4 });
  await until(() => capture.stats.frames + capture.stats.damaged === 4, "4 frames handled");
  assert.deepEqual(frames.map((f) => f.timestamp), [1, 4]);
  assert.deepEqual({ ...capture.stats }, { frames: 2, damaged: 2, missed: 0, reopened: 0 });
  assert.equal(camera.queuedBuffers, 4, "damaged frames' buffers are handed back too");
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("openCamera() counts gaps in the driver's sequence numbers as missed frames", async () => {
  const { camera, libc, frames, capture } = await start();
  for (const sequence of [0, 1, 5, 6]) camera.pushFrame({ sequence });
  await until(() => frames.length === 4, "4 frames");
  camera.pushFrame({ sequence: 8 });
  await until(() => frames.length === 5, "a fifth frame");
  assert.equal(capture.stats.missed, 3 + 1);
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("openCamera() logs a lost camera once, keeps retrying quietly, and resumes when it returns", async () => {
  const { camera, libc, frames, capture, log } = await start();
  camera.pushFrame();
  camera.pushFrame();
  await until(() => frames.length === 2, "2 frames");

  camera.vanish();
  await until(() => log.messages().includes("waiting for the camera"), "the waiting line");
  const attempts = camera.openAttempts;
  await until(() => camera.openAttempts >= attempts + 5, "5 more attempts to reopen");
  assert.deepEqual(log.messages(), [
    "camera lost; readers stay connected",
    "waiting for the camera",
  ]);
  assert.equal(log.lines[0].level, "warn");
  assert.equal(log.lines[0].fields?.device, PATH);
  assert.match(String(log.lines[0].fields?.reason), /no such device/);
  assert.equal(log.lines[1].fields?.reason, "camera /dev/video0 not found");
  assert.equal(libc.openFds.length, 0, "the lost device's descriptor was closed");
  assert.equal(libc.liveMappings, 0, "and its buffers unmapped");

  camera.reappear();
  await until(() => capture.stats.reopened === 1, "the reopen");
  assert.deepEqual(log.lines.at(-1), {
    level: "info",
    message: "camera is back; capture resumes",
    fields: { device: PATH },
  });
  assert.equal(log.lines.length, 3);
  camera.pushFrame({ timestampUs: 99_000_000 });
  await until(() => frames.length === 3, "a frame after the return");
  assert.equal(frames[2].timestamp, 99_000_000);
  assert.deepEqual(
    { ...capture.stats },
    { frames: 3, damaged: 0, missed: 0, reopened: 1 },
    "the driver's numbering restarts with the device: no frames counted missed",
  );
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("stop() while waiting for a lost camera returns promptly and leaves nothing open", async () => {
  const { camera, libc, capture, log } = await start(SMALL, { reopenDelayMs: 60_000 });
  camera.vanish();
  await until(() => log.messages().includes("waiting for the camera"), "the waiting line");
  const began = performance.now();
  await capture.stop();
  const took = performance.now() - began;
  assert.ok(took < 100, `stop() took ${took.toFixed(0)} ms`);
  libc.assertNoLeaks();
  const attempts = camera.openAttempts;
  camera.reappear();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(camera.openAttempts, attempts, "no attempt to reopen after stop()");
});

Deno.test("stop() while streaming closes the device, and a second stop() is harmless", async () => {
  const { camera, libc, capture } = await start(SMALL, { stallMs: 50 });
  await capture.stop();
  assert.equal(camera.streaming, false);
  libc.assertNoLeaks();
  await capture.stop();
  libc.assertNoLeaks();
  assert.equal(camera.pushFrame(), false);
});

Deno.test("openCamera() restarts a camera that stalls (no frame for stallMs)", async () => {
  const { camera, libc, frames, capture, log } = await start(SMALL, { stallMs: 40 });
  camera.pushFrame();
  await until(() => frames.length === 1, "a frame");
  const opens = camera.opens;
  await until(() => capture.stats.reopened === 1, "a restart");
  assert.equal(camera.opens, opens + 1);
  assert.deepEqual(log.messages(), [
    "camera lost; readers stay connected",
    "camera is back; capture resumes",
  ]);
  assert.match(String(log.lines[0].fields?.reason), /^no frame for 40 ms/);
  camera.pushFrame();
  await until(() => frames.length === 2, "a frame after the restart");
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("a stall is timed on the injected clock: a still clock never restarts, a moved one does", async () => {
  const clock = new ManualClock();
  const { camera, libc, frames, capture, log } = await start(SMALL, { stallMs: 30, clock });
  camera.pushFrame();
  await until(() => frames.length === 1, "a frame");
  await new Promise((resolve) => setTimeout(resolve, 120)); // four real stall periods go by
  assert.equal(capture.stats.reopened, 0, "no restart while the clock stands still");
  clock.advance(31);
  await until(() => capture.stats.reopened === 1, "a restart once the clock moved past stallMs");
  assert.match(String(log.lines[0].fields?.reason), /^no frame for 30 ms/);
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("a lost camera is retried on the injected clock's timers", async () => {
  const clock = new ManualClock();
  const { camera, libc, capture, log } = await start(SMALL, { reopenDelayMs: 1000, clock });
  camera.vanish();
  await until(() => log.messages().includes("waiting for the camera"), "the waiting line");
  const attempts = camera.openAttempts;
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(camera.openAttempts, attempts, "no attempt before the clock moves");
  camera.reappear();
  clock.advance(1000);
  await until(() => capture.stats.reopened === 1, "the reopen");
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("openCamera() calls an error that is not a lost device a failed capture, and recovers", async () => {
  // The node must exist for the error to count as a failure rather than a loss.
  const node = await Deno.makeTempFile();
  try {
    const camera = new FakeCamera(SMALL);
    const libc = new FakeLibC({ [node]: camera });
    const log = recorder();
    const frames: CapturedFrame[] = [];
    const capture = await openCamera(
      { device: node, request: REQUEST, logger: log.logger, libc, reopenDelayMs: 5, stallMs: 200 },
      (f) => frames.push(f),
    );
    camera.failNext("QBUF", ERRNO.EINVAL);
    camera.pushFrame();
    await until(() => capture.stats.reopened === 1, "the restart");
    assert.deepEqual(log.messages(), [
      "capture failed; readers stay connected",
      "camera is back; capture resumes",
    ]);
    camera.pushFrame();
    await until(() => frames.length === 1, "a frame after the restart");
    await capture.stop();
    libc.assertNoLeaks();
  } finally {
    await Deno.remove(node);
  }
});

Deno.test("openCamera() logs what differs from the request", async () => {
  const { libc, capture, log } = await start({
    ...SMALL,
    formats: [offer("YUYV", "YUYV 4:2:2", [discrete(64, 48, [25])])],
    interval: { numerator: 1, denominator: 25 },
    intervalSettable: false,
  });
  assert.deepEqual([capture.mode.width, capture.mode.height, capture.fps], [64, 48, 25]);
  assert.deepEqual(log.lines, [
    {
      level: "warn",
      message: "asked for 32x16, the camera's nearest size is 64x48",
      fields: { device: PATH },
    },
    {
      level: "warn",
      message: "asked for 30 fps, the camera's nearest rate is 25 fps",
      fields: { device: PATH },
    },
  ]);
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("openCamera() delivers frames when waiting polls on timers (Bun)", async () => {
  const camera = new FakeCamera(SMALL);
  const libc = new FakeLibC({ [PATH]: camera }, { waitPolls: true });
  const frames: CapturedFrame[] = [];
  const capture = await openCamera(
    { device: PATH, request: REQUEST, logger: recorder().logger, libc, stallMs: 200 },
    (f) => frames.push(f),
  );
  camera.pushFrame();
  camera.pushFrame();
  await until(() => frames.length === 2, "2 frames");
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test("openCamera() refuses a missing camera with a one-sentence CameraError", async () => {
  const libc = new FakeLibC({});
  await assert.rejects(
    openCamera({ device: PATH, request: REQUEST, logger: recorder().logger, libc }, () => {}),
    { name: "CameraError", kind: "missing", message: "camera /dev/video0 not found" },
  );
  libc.assertNoLeaks();
});

Deno.test("openCamera() refuses a camera another program is streaming from as busy", async () => {
  const camera = new FakeCamera(SMALL);
  camera.busy = true;
  const libc = new FakeLibC({ [PATH]: camera });
  await assert.rejects(
    openCamera({ device: PATH, request: REQUEST, logger: recorder().logger, libc }, () => {}),
    (error: unknown) => {
      assert.ok(error instanceof CameraError);
      assert.equal(error.kind, "busy");
      assert.equal(error.message, "camera /dev/video0 is busy: another program is using it");
      return true;
    },
  );
  libc.assertNoLeaks();
});

Deno.test("openCamera() refuses a camera with no usable format and closes it", async () => {
  const camera = new FakeCamera({ formats: [offer("H264", "H.264", [discrete(640, 480, [30])])] });
  const libc = new FakeLibC({ [PATH]: camera });
  await assert.rejects(
    openCamera({ device: PATH, request: REQUEST, logger: recorder().logger, libc }, () => {}),
    NegotiationError,
  );
  libc.assertNoLeaks();
});

Deno.test("openCamera() refuses a driver that substitutes another format for the chosen one", async () => {
  const camera = new FakeCamera({
    formats: [offer("MJPG", "Motion-JPEG", [discrete(32, 16, [30])], true)],
    adjustFormat: (f) => ({ ...f, pixelFormat: PIX_FMT.YUYV, bytesPerLine: 64 }),
  });
  const libc = new FakeLibC({ [PATH]: camera });
  await assert.rejects(
    openCamera({ device: PATH, request: REQUEST, logger: recorder().logger, libc }, () => {}),
    {
      name: "CameraError",
      kind: "unsupported",
      message: "unsupported format: /dev/video0 refused MJPG",
    },
  );
  libc.assertNoLeaks();
});

Deno.test("openCamera() delivers MJPEG frames as the JPEG bytes the driver wrote", async () => {
  const { camera, libc, frames, capture } = await start({
    formats: [offer("MJPG", "Motion-JPEG", [discrete(32, 16, [30])], true)],
  });
  assert.equal(capture.mode.layout, "jpeg");
  const jpeg = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
  camera.pushFrame({ data: jpeg });
  await until(() => frames.length === 1, "a JPEG");
  assert.deepEqual(frames[0].data, jpeg);
  await capture.stop();
  libc.assertNoLeaks();
});

Deno.test({
  name: "openCamera() reports a camera lost while listing its formats as a missing CameraError",
  async fn() {
    const camera = new FakeCamera(SMALL);
    camera.failNext("ENUM_FRAMESIZES", ERRNO.ENODEV);
    const libc = new FakeLibC({ [PATH]: camera });
    await assert.rejects(
      openCamera({ device: PATH, request: REQUEST, logger: recorder().logger, libc }, () => {}),
      { name: "CameraError", kind: "missing" },
    );
    libc.assertNoLeaks();
  },
});
