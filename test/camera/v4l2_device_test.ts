import assert from "node:assert/strict";
import { PIX_FMT } from "../../src/camera/v4l2_abi.ts";
import { CameraError, V4l2Device } from "../../src/camera/v4l2_device.ts";
import {
  discrete,
  ERRNO,
  FakeCamera,
  type FakeCameraSpec,
  FakeLibC,
  FLAG_ERROR,
  offer,
} from "./fake_libc.ts";

const PATH = "/dev/video0";

function setup(spec: FakeCameraSpec = {}): { camera: FakeCamera; libc: FakeLibC } {
  const camera = new FakeCamera(spec);
  return { camera, libc: new FakeLibC({ [PATH]: camera }) };
}

/** Asserts `fn` throws a CameraError of `kind` with exactly `message`, one sentence on one line. */
function assertCameraError(fn: () => unknown, kind: CameraError["kind"], message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CameraError, String(error));
    assert.equal(error.kind, kind);
    assert.equal(error.message, message);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
}

Deno.test("V4l2Device.open() reads the card, driver and bus of a capture device", () => {
  const { libc } = setup({ card: "HD Pro Webcam C920", driver: "uvcvideo", busInfo: "usb-1" });
  const device = V4l2Device.open(libc, PATH);
  assert.equal(device.path, PATH);
  assert.equal(device.capability.card, "HD Pro Webcam C920");
  assert.equal(device.capability.driver, "uvcvideo");
  assert.equal(device.capability.busInfo, "usb-1");
  device.close();
  libc.assertNoLeaks();
});

Deno.test("V4l2Device.open() calls a missing device missing", () => {
  const { libc } = setup();
  assertCameraError(
    () => V4l2Device.open(libc, "/dev/video7"),
    "missing",
    "camera /dev/video7 not found",
  );
  libc.assertNoLeaks();
});

Deno.test("V4l2Device.open() calls a device another program holds busy", () => {
  const { camera, libc } = setup();
  camera.openErrno = ERRNO.EBUSY;
  assertCameraError(
    () => V4l2Device.open(libc, PATH),
    "busy",
    "camera /dev/video0 is busy: another program is using it",
  );
});

Deno.test("V4l2Device.open() tells a user without permission to join the video group", () => {
  const { camera, libc } = setup();
  camera.openErrno = ERRNO.EACCES;
  assertCameraError(
    () => V4l2Device.open(libc, PATH),
    "denied",
    'no permission to open /dev/video0: add the user to the "video" group',
  );
});

Deno.test("V4l2Device.open() refuses a node that is not V4L2 (ENOTTY) and closes it", () => {
  const { camera, libc } = setup();
  camera.queryCapErrno = ERRNO.ENOTTY;
  assertCameraError(
    () => V4l2Device.open(libc, PATH),
    "not-capture",
    "/dev/video0 is not a V4L2 device",
  );
  assert.equal(camera.opens, 1);
  libc.assertNoLeaks();
});

Deno.test("V4l2Device.open() refuses a node without VIDEO_CAPTURE, such as a UVC metadata node", () => {
  // The physical camera captures; this node of it only carries metadata (device_caps).
  const { libc } = setup({ card: "Webcam", capabilities: 0x84a00001, caps: 0x04a00000 });
  assertCameraError(
    () => V4l2Device.open(libc, PATH),
    "not-capture",
    "/dev/video0 (Webcam) is not a video capture device",
  );
  libc.assertNoLeaks();
});

Deno.test("V4l2Device.open() says multi-planar capture is not supported", () => {
  const { libc } = setup({ card: "rkisp", caps: 0x04001000 });
  assertCameraError(
    () => V4l2Device.open(libc, PATH),
    "not-capture",
    "/dev/video0 (rkisp) is not a video capture device (multi-planar capture is not supported)",
  );
  libc.assertNoLeaks();
});

Deno.test("V4l2Device.open() refuses a capture device without streaming I/O", () => {
  const { libc } = setup({ card: "Old", caps: 0x00000001 });
  assertCameraError(
    () => V4l2Device.open(libc, PATH),
    "not-capture",
    "/dev/video0 (Old) has no streaming I/O",
  );
  libc.assertNoLeaks();
});

Deno.test("V4l2Device.open() calls a device that vanishes during QUERYCAP missing and closes it", () => {
  const { camera, libc } = setup();
  camera.failNext("QUERYCAP", ERRNO.ENODEV);
  assertCameraError(() => V4l2Device.open(libc, PATH), "missing", "camera /dev/video0 not found");
  libc.assertNoLeaks();
});

Deno.test("formats() lists every format, size and interval until the driver's EINVAL", () => {
  const formats = [
    offer("YUYV", "YUYV 4:2:2", [discrete(640, 480, [30, 15]), discrete(1280, 720, [10])]),
    offer("MJPG", "Motion-JPEG", [discrete(1280, 720, [30])], true),
    offer("NV12", "Y/UV 4:2:0", [{
      size: {
        kind: "stepwise",
        minWidth: 16,
        maxWidth: 1920,
        stepWidth: 2,
        minHeight: 16,
        maxHeight: 1080,
        stepHeight: 2,
      },
      intervals: [{
        kind: "stepwise",
        min: { numerator: 1, denominator: 60 },
        max: { numerator: 1, denominator: 1 },
      }],
    }]),
  ];
  const { libc } = setup({ formats });
  const device = V4l2Device.open(libc, PATH);
  assert.deepEqual(device.formats(), formats);
  device.close();
  libc.assertNoLeaks();
});

Deno.test("formats() of a device that lists nothing is empty", () => {
  const { libc } = setup({ formats: [] });
  const device = V4l2Device.open(libc, PATH);
  assert.deepEqual(device.formats(), []);
  device.close();
});

Deno.test("setFormat() returns what the driver chose, with its padded stride", () => {
  const { libc } = setup({ padding: 64 });
  const device = V4l2Device.open(libc, PATH);
  assert.deepEqual(device.setFormat(648, 486, PIX_FMT.YUYV), {
    width: 640,
    height: 480,
    pixelFormat: PIX_FMT.YUYV,
    bytesPerLine: 640 * 2 + 64,
    sizeImage: (640 * 2 + 64) * 480,
  });
  device.close();
});

Deno.test("setFormat() passes a busy driver's EBUSY on as the system error", () => {
  const { camera, libc } = setup();
  camera.busy = true;
  const device = V4l2Device.open(libc, PATH);
  assert.throws(() => device.setFormat(640, 480, PIX_FMT.YUYV), {
    name: "SystemError",
    code: "EBUSY",
  });
  device.close();
  libc.assertNoLeaks();
});

Deno.test("setInterval() returns the interval the driver took", () => {
  const { camera, libc } = setup();
  const device = V4l2Device.open(libc, PATH);
  assert.deepEqual(device.setInterval({ numerator: 1, denominator: 15 }), {
    numerator: 1,
    denominator: 15,
  });
  assert.deepEqual(camera.interval, { numerator: 1, denominator: 15 });
  device.close();
});

Deno.test("setInterval() returns the fixed rate of a driver that cannot change it", () => {
  const { camera, libc } = setup({
    intervalSettable: false,
    interval: { numerator: 1001, denominator: 30000 },
  });
  const device = V4l2Device.open(libc, PATH);
  assert.deepEqual(device.setInterval({ numerator: 1, denominator: 15 }), {
    numerator: 1001,
    denominator: 30000,
  });
  assert.ok(!libc.calls.includes("S_PARM"));
  assert.deepEqual(camera.interval, { numerator: 1001, denominator: 30000 });
  device.close();
});

Deno.test("setInterval() returns undefined when the driver has no G_PARM", () => {
  const { libc } = setup({ parm: false });
  const device = V4l2Device.open(libc, PATH);
  assert.equal(device.setInterval({ numerator: 1, denominator: 30 }), undefined);
  device.close();
});

Deno.test("start() maps and queues every buffer, then streams", () => {
  const { camera, libc } = setup();
  const device = V4l2Device.open(libc, PATH);
  device.setFormat(640, 480, PIX_FMT.YUYV);
  device.start();
  assert.equal(device.bufferCount, 4);
  assert.equal(libc.liveMappings, 4);
  assert.equal(camera.queuedBuffers, 4);
  assert.ok(camera.streaming);
  assert.deepEqual(libc.calls.filter((c) => c === "QUERYBUF" || c === "QBUF").length, 8);
  assert.equal(libc.calls.at(-1), "STREAMON");
  device.close();
  libc.assertNoLeaks();
});

Deno.test("start() settles for fewer buffers than asked, but not for fewer than 2", () => {
  const three = setup({ maxBuffers: 3 });
  const device = V4l2Device.open(three.libc, PATH);
  device.start(8);
  assert.equal(device.bufferCount, 3);
  device.close();
  three.libc.assertNoLeaks();

  const one = setup({ maxBuffers: 1 });
  const stingy = V4l2Device.open(one.libc, PATH);
  assertCameraError(() => stingy.start(), "failed", "/dev/video0 granted only 1 capture buffer(s)");
  stingy.close();
  one.libc.assertNoLeaks();
});

Deno.test("dequeue() is undefined until a frame is ready and never blocks", () => {
  const { libc } = setup();
  const device = V4l2Device.open(libc, PATH);
  device.start();
  assert.equal(device.dequeue(), undefined);
  assert.equal(device.dequeue(), undefined);
  device.close();
});

Deno.test("dequeue() hands over the frame in place, and requeue() gives the buffer back", () => {
  const { camera, libc } = setup();
  const device = V4l2Device.open(libc, PATH);
  device.setFormat(640, 480, PIX_FMT.YUYV);
  device.start(2);
  assert.ok(camera.pushFrame({ data: new Uint8Array([1, 2, 3, 4]), timestampUs: 5_000_123 }));
  assert.ok(camera.pushFrame({ flags: FLAG_ERROR | 0x2000 }));
  assert.ok(!camera.pushFrame(), "both buffers are full: the driver drops the third frame");
  assert.equal(camera.queuedBuffers, 0);

  const first = device.dequeue()!;
  assert.equal(first.index, 0);
  assert.deepEqual(first.bytes, new Uint8Array([1, 2, 3, 4]));
  assert.equal(first.timestampUs, 5_000_123);
  assert.equal(first.monotonic, true);
  assert.equal(first.sequence, 0);
  assert.equal(first.damaged, false);
  // A view into the mapping, not a copy.
  assert.equal(first.bytes.byteOffset, 0);
  assert.equal(first.bytes.buffer.byteLength, (640 * 2) * 480);

  const second = device.dequeue()!;
  assert.equal(second.index, 1);
  assert.equal(second.sequence, 1);
  assert.equal(second.damaged, true);
  assert.equal(second.bytes.length, 640 * 2 * 480);
  assert.equal(device.dequeue(), undefined);

  device.requeue(first.index);
  assert.equal(camera.queuedBuffers, 1);
  assert.ok(camera.pushFrame({ timestampUs: 0, flags: 0 }));
  const third = device.dequeue()!;
  assert.equal(third.index, 0);
  assert.equal(third.sequence, 3, "the dropped frame left a gap");
  assert.equal(third.monotonic, false);
  device.close();
  libc.assertNoLeaks();
});

Deno.test("dequeue() clips bytesused to the mapping", () => {
  const { camera, libc } = setup();
  const device = V4l2Device.open(libc, PATH);
  device.start(2);
  camera.pushFrame({ bytesUsed: 10_000_000 });
  assert.equal(device.dequeue()!.bytes.length, 640 * 2 * 480);
  device.close();
});

Deno.test("waitFrame() resolves true when a frame arrives and false after the timeout", async () => {
  const { camera, libc } = setup();
  const device = V4l2Device.open(libc, PATH);
  device.start();
  assert.equal(await device.waitFrame(5), false);
  const waiting = device.waitFrame(10_000);
  camera.pushFrame();
  assert.equal(await waiting, true);
  assert.equal(device.waitPolls, false);
  device.close();
});

Deno.test("dequeue() on an unplugged camera throws ENODEV", () => {
  const { camera, libc } = setup();
  const device = V4l2Device.open(libc, PATH);
  device.start();
  camera.vanish();
  assert.throws(() => device.dequeue(), { name: "SystemError", code: "ENODEV" });
  device.close(); // STREAMOFF fails too; close must still unmap and close
  libc.assertNoLeaks();
});

Deno.test("close() stops streaming, unmaps, closes once, and is safe to call twice", () => {
  const { camera, libc } = setup();
  const device = V4l2Device.open(libc, PATH);
  device.start();
  device.close();
  assert.ok(libc.calls.includes("STREAMOFF"));
  assert.equal(camera.streaming, false);
  assert.equal(device.bufferCount, 0);
  device.close();
  libc.assertNoLeaks(); // a second close(fd) would show up as a problem
  assertCameraError(() => device.dequeue(), "failed", "/dev/video0 is closed");
});
