import assert from "node:assert/strict";
import {
  BUF_FLAG,
  BUF_TYPE_VIDEO_CAPTURE,
  bufferRequest,
  CAP,
  CAP_TIMEPERFRAME,
  FIELD_NONE,
  FMT_FLAG_COMPRESSED,
  fmtdescRequest,
  formatRequest,
  fourcc,
  fourccName,
  FRM_TYPE,
  frmivalRequest,
  frmsizeRequest,
  MEMORY_MMAP,
  PIX_FMT,
  readBuffer,
  readCapability,
  readFmtdesc,
  readFormat,
  readFrmival,
  readFrmsize,
  readReqbufsCount,
  readStreamparm,
  reqbufsRequest,
  SIZEOF,
  streamparmRequest,
  streamTypeArgument,
  VIDIOC,
} from "../../src/camera/v4l2_abi.ts";

// Every number below was printed once by a C program compiled with gcc 12.2 on x86_64 against
// /usr/include/linux/videodev2.h (Debian linux-libc-dev 6.1.187): printf("%#x") of each VIDIOC_*
// macro, V4L2_* constant and V4L2_PIX_FMT_* code, sizeof(struct v4l2_*), and offsetof() of each
// field the readers and writers touch (offsetof(struct v4l2_buffer, timestamp.tv_usec) and so on).
// They are copied here rather than derived from src/ so that the test is an independent check.

const KERNEL_VIDIOC = {
  QUERYCAP: 0x80685600,
  ENUM_FMT: 0xc0405602,
  G_FMT: 0xc0d05604,
  S_FMT: 0xc0d05605,
  REQBUFS: 0xc0145608,
  QUERYBUF: 0xc0585609,
  QBUF: 0xc058560f,
  DQBUF: 0xc0585611,
  STREAMON: 0x40045612,
  STREAMOFF: 0x40045613,
  G_PARM: 0xc0cc5615,
  S_PARM: 0xc0cc5616,
  ENUM_FRAMESIZES: 0xc02c564a,
  ENUM_FRAMEINTERVALS: 0xc034564b,
};

const KERNEL_SIZEOF = {
  capability: 104,
  fmtdesc: 64,
  format: 208,
  requestbuffers: 20,
  buffer: 88,
  streamparm: 204,
  frmsizeenum: 44,
  frmivalenum: 52,
};

/** offsetof() of the fields rtsp-edge reads or writes. */
const OFFSET = {
  capability: { driver: 0, card: 16, busInfo: 48, capabilities: 84, deviceCaps: 88 },
  fmtdesc: { index: 0, type: 4, flags: 8, description: 12, pixelformat: 44 },
  frmsizeenum: {
    index: 0,
    pixelFormat: 4,
    type: 8,
    // discrete.width/height and stepwise.min_width... share the union at 12.
    minWidth: 12,
    maxWidth: 16,
    stepWidth: 20,
    minHeight: 24,
    maxHeight: 28,
    stepHeight: 32,
  },
  frmivalenum: {
    index: 0,
    pixelFormat: 4,
    width: 8,
    height: 12,
    type: 16,
    minNumerator: 20, // also discrete.numerator
    minDenominator: 24,
    maxNumerator: 28,
    maxDenominator: 32,
  },
  format: {
    type: 0,
    width: 8,
    height: 12,
    pixelformat: 16,
    field: 20,
    bytesperline: 24,
    sizeimage: 28,
  },
  streamparm: { type: 0, capability: 4, numerator: 12, denominator: 16 },
  requestbuffers: { count: 0, type: 4, memory: 8 },
  buffer: {
    index: 0,
    type: 4,
    bytesused: 8,
    flags: 12,
    tvSec: 24,
    tvUsec: 32,
    sequence: 56,
    memory: 60,
    offset: 64,
    length: 72,
  },
};

function dv(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

Deno.test("every VIDIOC request number equals the kernel header's", () => {
  assert.deepEqual({ ...VIDIOC }, KERNEL_VIDIOC);
});

Deno.test("every struct size equals sizeof() from the kernel headers", () => {
  assert.deepEqual({ ...SIZEOF }, KERNEL_SIZEOF);
});

Deno.test("flag bits, enum values and pixel format codes equal the kernel header's", () => {
  assert.equal(CAP.VIDEO_CAPTURE, 0x00000001);
  assert.equal(CAP.VIDEO_CAPTURE_MPLANE, 0x00001000);
  assert.equal(CAP.STREAMING, 0x04000000);
  assert.equal(CAP.DEVICE_CAPS, 0x80000000);
  assert.equal(CAP_TIMEPERFRAME, 0x1000);
  assert.equal(BUF_FLAG.ERROR, 0x40);
  assert.equal(BUF_FLAG.TIMESTAMP_MASK, 0xe000);
  assert.equal(BUF_FLAG.TIMESTAMP_MONOTONIC, 0x2000);
  assert.equal(FMT_FLAG_COMPRESSED, 1);
  assert.equal(BUF_TYPE_VIDEO_CAPTURE, 1);
  assert.equal(MEMORY_MMAP, 1);
  assert.equal(FIELD_NONE, 1);
  assert.deepEqual({ ...FRM_TYPE }, { DISCRETE: 1, CONTINUOUS: 2, STEPWISE: 3 });
  assert.deepEqual({ ...PIX_FMT }, {
    YUYV: 0x56595559,
    UYVY: 0x59565955,
    NV12: 0x3231564e,
    YU12: 0x32315559, // V4L2_PIX_FMT_YUV420
    RGB24: 0x33424752,
    BGR24: 0x33524742,
    GREY: 0x59455247,
    MJPEG: 0x47504a4d,
    JPEG: 0x4745504a,
  });
});

Deno.test("fourcc() packs little-endian and fourccName() reads it back", () => {
  assert.equal(fourcc("YUYV"), 0x56595559);
  assert.equal(fourcc("MJPG"), 0x47504a4d);
  assert.equal(fourcc("\xff\xff\xff\xff"), 0xffffffff); // stays unsigned
  for (const code of ["YUYV", "MJPG", "Y10 ", "H264", "RGB3"]) {
    assert.equal(fourccName(fourcc(code)), code);
  }
});

Deno.test("fourccName() shows non-printable bytes as dots and fourcc() wants four characters", () => {
  assert.equal(fourccName(0x00000041), "A...");
  assert.equal(fourccName(0x7f20ff59), "Y. .");
  assert.throws(() => fourcc("YUV"), RangeError);
  assert.throws(() => fourcc("YUYV2"), RangeError);
});

Deno.test("readCapability() reads the kernel offsets and prefers device_caps when flagged", () => {
  const bytes = new Uint8Array(KERNEL_SIZEOF.capability);
  const enc = new TextEncoder();
  bytes.set(enc.encode("uvcvideo"), OFFSET.capability.driver);
  bytes.set(enc.encode("HD Pro Webcam C920"), OFFSET.capability.card);
  bytes.set(enc.encode("usb-0000:00:14.0-1"), OFFSET.capability.busInfo);
  dv(bytes).setUint32(OFFSET.capability.capabilities, 0x84a00001, true); // with DEVICE_CAPS
  dv(bytes).setUint32(OFFSET.capability.deviceCaps, 0x04200001, true);
  assert.deepEqual(readCapability(bytes), {
    driver: "uvcvideo",
    card: "HD Pro Webcam C920",
    busInfo: "usb-0000:00:14.0-1",
    caps: 0x04200001,
  });
  dv(bytes).setUint32(OFFSET.capability.capabilities, 0x04000001, true); // an old driver
  assert.equal(readCapability(bytes).caps, 0x04000001);
});

Deno.test("readCapability() reads a name that fills its whole field without a NUL", () => {
  const bytes = new Uint8Array(KERNEL_SIZEOF.capability);
  bytes.set(new TextEncoder().encode("0123456789abcdefOVERFLOW"), 0); // driver[16] runs into card
  assert.equal(readCapability(bytes).driver, "0123456789abcdef");
});

Deno.test("fmtdescRequest() and readFmtdesc() use the kernel offsets", () => {
  const req = fmtdescRequest(3);
  assert.equal(req.length, KERNEL_SIZEOF.fmtdesc);
  assert.equal(dv(req).getUint32(OFFSET.fmtdesc.index, true), 3);
  assert.equal(dv(req).getUint32(OFFSET.fmtdesc.type, true), 1);
  dv(req).setUint32(OFFSET.fmtdesc.flags, 1, true);
  req.set(new TextEncoder().encode("Motion-JPEG"), OFFSET.fmtdesc.description);
  dv(req).setUint32(OFFSET.fmtdesc.pixelformat, 0x47504a4d, true);
  assert.deepEqual(readFmtdesc(req), {
    pixelFormat: PIX_FMT.MJPEG,
    description: "Motion-JPEG",
    compressed: true,
  });
});

Deno.test("frmsizeRequest() and readFrmsize() use the kernel offsets for both kinds", () => {
  const o = OFFSET.frmsizeenum;
  const req = frmsizeRequest(2, PIX_FMT.NV12);
  assert.equal(req.length, KERNEL_SIZEOF.frmsizeenum);
  assert.equal(dv(req).getUint32(o.index, true), 2);
  assert.equal(dv(req).getUint32(o.pixelFormat, true), PIX_FMT.NV12);
  dv(req).setUint32(o.type, 1, true);
  dv(req).setUint32(o.minWidth, 1280, true);
  dv(req).setUint32(o.maxWidth, 720, true); // discrete.height shares the offset
  assert.deepEqual(readFrmsize(req), { kind: "discrete", width: 1280, height: 720 });
  dv(req).setUint32(o.type, 3, true);
  for (const [at, n] of [[o.minWidth, 16], [o.maxWidth, 1920], [o.stepWidth, 8]]) {
    dv(req).setUint32(at, n, true);
  }
  for (const [at, n] of [[o.minHeight, 16], [o.maxHeight, 1080], [o.stepHeight, 0]]) {
    dv(req).setUint32(at, n, true);
  }
  assert.deepEqual(readFrmsize(req), {
    kind: "stepwise",
    minWidth: 16,
    maxWidth: 1920,
    stepWidth: 8,
    minHeight: 16,
    maxHeight: 1080,
    stepHeight: 1, // a zero step is read as 1 (continuous)
  });
});

Deno.test("frmivalRequest() and readFrmival() use the kernel offsets for both kinds", () => {
  const o = OFFSET.frmivalenum;
  const req = frmivalRequest(1, PIX_FMT.YUYV, 640, 480);
  assert.equal(req.length, KERNEL_SIZEOF.frmivalenum);
  assert.deepEqual(
    [o.index, o.pixelFormat, o.width, o.height].map((at) => dv(req).getUint32(at, true)),
    [1, PIX_FMT.YUYV, 640, 480],
  );
  dv(req).setUint32(o.type, 1, true);
  dv(req).setUint32(o.minNumerator, 2, true);
  dv(req).setUint32(o.minDenominator, 25, true);
  assert.deepEqual(readFrmival(req), {
    kind: "discrete",
    interval: { numerator: 2, denominator: 25 },
  });
  dv(req).setUint32(o.type, 3, true);
  dv(req).setUint32(o.minNumerator, 1, true);
  dv(req).setUint32(o.minDenominator, 60, true);
  dv(req).setUint32(o.maxNumerator, 1, true);
  dv(req).setUint32(o.maxDenominator, 1, true);
  assert.deepEqual(readFrmival(req), {
    kind: "stepwise",
    min: { numerator: 1, denominator: 60 },
    max: { numerator: 1, denominator: 1 },
  });
});

Deno.test("formatRequest() fills struct v4l2_pix_format at the kernel offsets; readFormat() round-trips", () => {
  const o = OFFSET.format;
  const req = formatRequest(1280, 720, PIX_FMT.YUYV);
  assert.equal(req.length, KERNEL_SIZEOF.format);
  assert.deepEqual(
    [o.type, o.width, o.height, o.pixelformat, o.field].map((at) => dv(req).getUint32(at, true)),
    [1, 1280, 720, PIX_FMT.YUYV, 1],
  );
  dv(req).setUint32(o.bytesperline, 2688, true);
  dv(req).setUint32(o.sizeimage, 2688 * 720, true);
  assert.deepEqual(readFormat(req), {
    width: 1280,
    height: 720,
    pixelFormat: PIX_FMT.YUYV,
    bytesPerLine: 2688,
    sizeImage: 2688 * 720,
  });
});

Deno.test("streamparmRequest() and readStreamparm() round-trip the interval at the kernel offsets", () => {
  const o = OFFSET.streamparm;
  const get = streamparmRequest();
  assert.equal(get.length, KERNEL_SIZEOF.streamparm);
  assert.equal(dv(get).getUint32(o.type, true), 1);
  assert.deepEqual(readStreamparm(get), {
    settable: false,
    interval: { numerator: 0, denominator: 0 },
  });
  const set = streamparmRequest({ numerator: 1001, denominator: 30000 });
  assert.equal(dv(set).getUint32(o.numerator, true), 1001);
  assert.equal(dv(set).getUint32(o.denominator, true), 30000);
  dv(set).setUint32(o.capability, 0x1000, true);
  assert.deepEqual(readStreamparm(set), {
    settable: true,
    interval: { numerator: 1001, denominator: 30000 },
  });
});

Deno.test("reqbufsRequest() asks for mapped capture buffers; readReqbufsCount() reads the grant", () => {
  const o = OFFSET.requestbuffers;
  const req = reqbufsRequest(4);
  assert.equal(req.length, KERNEL_SIZEOF.requestbuffers);
  assert.deepEqual([o.count, o.type, o.memory].map((at) => dv(req).getUint32(at, true)), [4, 1, 1]);
  assert.equal(readReqbufsCount(req), 4);
  dv(req).setUint32(o.count, 2, true);
  assert.equal(readReqbufsCount(req), 2);
});

Deno.test("bufferRequest() and readBuffer() use the kernel offsets of struct v4l2_buffer", () => {
  const o = OFFSET.buffer;
  const req = bufferRequest(3);
  assert.equal(req.length, KERNEL_SIZEOF.buffer);
  assert.deepEqual([o.index, o.type, o.memory].map((at) => dv(req).getUint32(at, true)), [3, 1, 1]);
  assert.equal(dv(bufferRequest()).getUint32(o.index, true), 0);
  const v = dv(req);
  v.setUint32(o.bytesused, 614400, true);
  v.setUint32(o.flags, 0x2041, true);
  v.setBigInt64(o.tvSec, 1_700_000_000n, true);
  v.setBigInt64(o.tvUsec, 999_999n, true);
  v.setUint32(o.sequence, 4_000_000_000, true);
  v.setUint32(o.offset, 0x10000, true);
  v.setUint32(o.length, 614400, true);
  assert.deepEqual(readBuffer(req), {
    index: 3,
    bytesUsed: 614400,
    flags: 0x2041,
    timestampUs: 1_700_000_000_999_999,
    sequence: 4_000_000_000,
    offset: 0x10000,
    length: 614400,
  });
});

Deno.test("streamTypeArgument() is the int VIDEO_CAPTURE that STREAMON's size says", () => {
  const arg = streamTypeArgument();
  assert.equal(arg.length, (KERNEL_VIDIOC.STREAMON >>> 16) & 0x3fff);
  assert.equal(dv(arg).getUint32(0, true), 1);
});

Deno.test("readers work on a view that does not start at its buffer's first byte", () => {
  const backing = new Uint8Array(8 + KERNEL_SIZEOF.buffer);
  const req = backing.subarray(8);
  dv(req).setUint32(OFFSET.buffer.index, 2, true);
  dv(req).setUint32(OFFSET.buffer.sequence, 77, true);
  const info = readBuffer(req);
  assert.equal(info.index, 2);
  assert.equal(info.sequence, 77);
});
