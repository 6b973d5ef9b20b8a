import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type CameraEntry,
  formatCameraList,
  listCameras,
  videoDeviceNodes,
} from "../../src/camera/list_cameras.ts";
import type { FormatOffer } from "../../src/camera/v4l2_device.ts";
import { discrete, ERRNO, FakeCamera, FakeLibC, offer } from "./fake_libc.ts";

const WEBCAM_FORMATS: FormatOffer[] = [
  offer("YUYV", "YUYV 4:2:2", [
    discrete(640, 480, [30, 15]),
    {
      size: { kind: "discrete", width: 640, height: 360 },
      intervals: [
        { kind: "discrete", interval: { numerator: 1, denominator: 25 } },
        { kind: "discrete", interval: { numerator: 2, denominator: 25 } },
      ],
    },
    discrete(1280, 720, [10]),
  ]),
  offer("MJPG", "Motion-JPEG", [discrete(1280, 720, [30, 15])], true),
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
  offer("GREY", "8-bit Greyscale", [{
    size: {
      kind: "stepwise",
      minWidth: 16,
      maxWidth: 640,
      stepWidth: 1,
      minHeight: 16,
      maxHeight: 480,
      stepHeight: 1,
    },
    intervals: [],
  }]),
  offer("H264", "H.264", [discrete(1280, 720, [30])], true),
  offer("Y10 ", "10-bit Greyscale", [discrete(640, 480, [30])]),
];

function webcam(): FakeCamera {
  return new FakeCamera({
    card: "Fake Webcam",
    driver: "uvcvideo",
    busInfo: "usb-0000:00:14.0-1",
    formats: WEBCAM_FORMATS,
  });
}

Deno.test("formatCameraList() prints a camera's formats, sizes and rates, and what it cannot use", () => {
  const libc = new FakeLibC({ "/dev/video0": webcam() });
  const entries = listCameras(libc, ["/dev/video0"]);
  libc.assertNoLeaks();
  assert.equal(
    formatCameraList(entries),
    [
      "/dev/video0: Fake Webcam (uvcvideo, usb-0000:00:14.0-1)",
      "  yuyv   YUYV 4:2:2",
      "    640x480     15, 30 fps",
      "    640x360     12.5, 25 fps",
      "    1280x720    10 fps",
      "  mjpeg  Motion-JPEG",
      "    1280x720    15, 30 fps",
      "  nv12   Y/UV 4:2:0",
      "    16x16 to 1920x1080 in steps of 2x2 1 to 60 fps",
      "  grey   8-bit Greyscale",
      "    16x16 to 640x480 rate not listed",
      "  also offers (not supported): H264, Y10",
      "",
    ].join("\n"),
  );
});

Deno.test("listCameras() reads each capture device and leaves out nodes that are not capture", () => {
  const metadata = new FakeCamera({ card: "Fake Webcam", caps: 0x04a00000 });
  const libc = new FakeLibC({ "/dev/video0": webcam(), "/dev/video1": metadata });
  const entries = listCameras(libc, ["/dev/video0", "/dev/video1"]);
  assert.deepEqual(
    entries,
    [{
      path: "/dev/video0",
      card: "Fake Webcam",
      driver: "uvcvideo",
      busInfo: "usb-0000:00:14.0-1",
      formats: WEBCAM_FORMATS,
    }] satisfies CameraEntry[],
  );
  assert.equal(metadata.opens, 1);
  libc.assertNoLeaks();
});

Deno.test("formatCameraList() gives a device that cannot be opened one line with the reason", () => {
  const busy = webcam();
  busy.openErrno = ERRNO.EBUSY;
  const denied = webcam();
  denied.openErrno = ERRNO.EACCES;
  const libc = new FakeLibC({ "/dev/video2": busy, "/dev/video4": denied });
  const entries = listCameras(libc, ["/dev/video2", "/dev/video3", "/dev/video4"]);
  assert.equal(
    formatCameraList(entries),
    "/dev/video2: camera /dev/video2 is busy: another program is using it\n" +
      "/dev/video3: camera /dev/video3 not found\n" +
      '/dev/video4: no permission to open /dev/video4: add the user to the "video" group\n',
  );
  libc.assertNoLeaks();
});

Deno.test("formatCameraList() says so when there are no cameras", () => {
  assert.equal(formatCameraList([]), "no cameras found (no /dev/video* capture devices)\n");
  assert.equal(
    formatCameraList(listCameras(new FakeLibC({}), [])),
    "no cameras found (no /dev/video* capture devices)\n",
  );
});

Deno.test("formatCameraList() prints a camera that lists no formats as its heading alone", () => {
  const libc = new FakeLibC({ "/dev/video0": new FakeCamera({ formats: [] }) });
  assert.equal(
    formatCameraList(listCameras(libc, ["/dev/video0"])),
    "/dev/video0: Fake Camera (fakecam, platform:fakecam-0)\n",
  );
});

Deno.test("videoDeviceNodes() lists video<N> nodes in numeric order and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const name of ["video0", "video10", "video2", "foo", "video", "videoX", "vbi0"]) {
      await Deno.writeFile(join(dir, name), new Uint8Array());
    }
    assert.deepEqual(videoDeviceNodes(dir), [
      `${dir}/video0`,
      `${dir}/video2`,
      `${dir}/video10`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("videoDeviceNodes() of a directory that cannot be read is empty", () => {
  assert.deepEqual(videoDeviceNodes("/nonexistent/rtsp-edge-test"), []);
});
