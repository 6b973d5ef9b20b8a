/**
 * The slice of the Linux V4L2 user-space ABI rtsp-edge uses (include/uapi/linux/videodev2.h), in one
 * place: ioctl request numbers, struct sizes and field offsets, flag bits and pixel format codes,
 * with pure readers and writers over the structs' bytes.
 *
 * The layouts are those of 64-bit Linux (x86_64 and arm64 share them: LP64, 8-byte aligned unions
 * because `struct v4l2_window` and `struct v4l2_buffer` hold pointers). 32-bit ARM differs and is
 * not supported.
 *
 * @module
 */

// ioctl request encoding (include/uapi/asm-generic/ioctl.h): dir << 30 | size << 16 | type << 8 | nr.
const IOC_WRITE = 1;
const IOC_READ = 2;

function ioc(dir: number, nr: number, size: number): number {
  // `>>> 0` keeps the result an unsigned 32-bit number (dir 3 << 30 overflows int32).
  return ((dir << 30) | (size << 16) | (0x56 /* 'V' */ << 8) | nr) >>> 0;
}

/** Struct sizes in bytes on 64-bit Linux. */
export const SIZEOF = {
  capability: 104,
  fmtdesc: 64,
  format: 208,
  requestbuffers: 20,
  buffer: 88,
  streamparm: 204,
  frmsizeenum: 44,
  frmivalenum: 52,
} as const;

/** ioctl request numbers, as `_IOR`/`_IOW`/`_IOWR('V', nr, struct)` computes them. */
export const VIDIOC = {
  QUERYCAP: ioc(IOC_READ, 0, SIZEOF.capability),
  ENUM_FMT: ioc(IOC_READ | IOC_WRITE, 2, SIZEOF.fmtdesc),
  G_FMT: ioc(IOC_READ | IOC_WRITE, 4, SIZEOF.format),
  S_FMT: ioc(IOC_READ | IOC_WRITE, 5, SIZEOF.format),
  REQBUFS: ioc(IOC_READ | IOC_WRITE, 8, SIZEOF.requestbuffers),
  QUERYBUF: ioc(IOC_READ | IOC_WRITE, 9, SIZEOF.buffer),
  QBUF: ioc(IOC_READ | IOC_WRITE, 15, SIZEOF.buffer),
  DQBUF: ioc(IOC_READ | IOC_WRITE, 17, SIZEOF.buffer),
  STREAMON: ioc(IOC_WRITE, 18, 4),
  STREAMOFF: ioc(IOC_WRITE, 19, 4),
  G_PARM: ioc(IOC_READ | IOC_WRITE, 21, SIZEOF.streamparm),
  S_PARM: ioc(IOC_READ | IOC_WRITE, 22, SIZEOF.streamparm),
  ENUM_FRAMESIZES: ioc(IOC_READ | IOC_WRITE, 74, SIZEOF.frmsizeenum),
  ENUM_FRAMEINTERVALS: ioc(IOC_READ | IOC_WRITE, 75, SIZEOF.frmivalenum),
} as const;

/** `enum v4l2_buf_type`: single-planar video capture. */
export const BUF_TYPE_VIDEO_CAPTURE = 1;
/** `enum v4l2_memory`: buffers the driver allocates and user space maps. */
export const MEMORY_MMAP = 1;
/** `enum v4l2_field`: progressive frames. */
export const FIELD_NONE = 1;

/** `v4l2_capability.capabilities` / `device_caps` bits. */
export const CAP = {
  VIDEO_CAPTURE: 0x00000001,
  VIDEO_CAPTURE_MPLANE: 0x00001000,
  STREAMING: 0x04000000,
  DEVICE_CAPS: 0x80000000,
} as const;

/** `v4l2_captureparm.capability`: the driver accepts a frame interval. */
export const CAP_TIMEPERFRAME = 0x1000;

/** `v4l2_buffer.flags` bits. */
export const BUF_FLAG = {
  /** The frame is damaged (dropped data); V4L2 still hands it over. */
  ERROR: 0x00000040,
  TIMESTAMP_MASK: 0x0000e000,
  TIMESTAMP_MONOTONIC: 0x00002000,
} as const;

/** `v4l2_fmtdesc.flags`: a compressed format. */
export const FMT_FLAG_COMPRESSED = 0x0001;

/** `enum v4l2_frmsizetypes` and `enum v4l2_frmivaltypes` (same numbers). */
export const FRM_TYPE = { DISCRETE: 1, CONTINUOUS: 2, STEPWISE: 3 } as const;

/** Packs four characters into a V4L2 pixel format code (`v4l2_fourcc`, little-endian). */
export function fourcc(code: string): number {
  if (code.length !== 4) throw new RangeError(`a fourcc has four characters, got "${code}"`);
  return (code.charCodeAt(0) | (code.charCodeAt(1) << 8) | (code.charCodeAt(2) << 16) |
    (code.charCodeAt(3) << 24)) >>> 0;
}

/** The four characters of a pixel format code, non-printable bytes as `.`. */
export function fourccName(code: number): string {
  let name = "";
  for (let i = 0; i < 32; i += 8) {
    const c = (code >>> i) & 0xff;
    name += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : ".";
  }
  return name;
}

/** Pixel format codes rtsp-edge captures. */
export const PIX_FMT = {
  YUYV: fourcc("YUYV"),
  UYVY: fourcc("UYVY"),
  NV12: fourcc("NV12"),
  YU12: fourcc("YU12"),
  RGB24: fourcc("RGB3"),
  BGR24: fourcc("BGR3"),
  GREY: fourcc("GREY"),
  MJPEG: fourcc("MJPG"),
  JPEG: fourcc("JPEG"),
} as const;

/** A `v4l2_fract`: a frame interval of `numerator / denominator` seconds. */
export interface Fraction {
  /** Seconds numerator. */
  numerator: number;
  /** Seconds denominator. */
  denominator: number;
}

/** What `VIDIOC_QUERYCAP` tells. */
export interface Capability {
  /** Driver name, e.g. "uvcvideo". */
  driver: string;
  /** Device name, e.g. "HD Pro Webcam C920". */
  card: string;
  /** Where it is attached, e.g. "usb-0000:00:14.0-1". */
  busInfo: string;
  /** Capabilities of this device node (`device_caps` when the driver fills it, else `capabilities`). */
  caps: number;
}

function cString(bytes: Uint8Array, offset: number, length: number): string {
  const field = bytes.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a `struct v4l2_capability`. */
export function readCapability(bytes: Uint8Array): Capability {
  const v = view(bytes);
  const capabilities = v.getUint32(84, true);
  const deviceCaps = v.getUint32(88, true);
  return {
    driver: cString(bytes, 0, 16),
    card: cString(bytes, 16, 32),
    busInfo: cString(bytes, 48, 32),
    caps: (capabilities & CAP.DEVICE_CAPS) ? deviceCaps : capabilities,
  };
}

/** A `struct v4l2_fmtdesc` to ask for format `index` of a capture device. */
export function fmtdescRequest(index: number): Uint8Array {
  const bytes = new Uint8Array(SIZEOF.fmtdesc);
  view(bytes).setUint32(0, index, true);
  view(bytes).setUint32(4, BUF_TYPE_VIDEO_CAPTURE, true);
  return bytes;
}

/** One format a device offers (`struct v4l2_fmtdesc`). */
export interface FormatDescription {
  /** Pixel format code. */
  pixelFormat: number;
  /** The driver's description, e.g. "YUYV 4:2:2". */
  description: string;
  /** Whether it is compressed (MJPEG). */
  compressed: boolean;
}

/** Reads a `struct v4l2_fmtdesc`. */
export function readFmtdesc(bytes: Uint8Array): FormatDescription {
  const v = view(bytes);
  return {
    pixelFormat: v.getUint32(44, true),
    description: cString(bytes, 12, 32),
    compressed: (v.getUint32(8, true) & FMT_FLAG_COMPRESSED) !== 0,
  };
}

/** A `struct v4l2_frmsizeenum` asking for size `index` of `pixelFormat`. */
export function frmsizeRequest(index: number, pixelFormat: number): Uint8Array {
  const bytes = new Uint8Array(SIZEOF.frmsizeenum);
  view(bytes).setUint32(0, index, true);
  view(bytes).setUint32(4, pixelFormat, true);
  return bytes;
}

/** Frame sizes: a discrete one, or a range (`step` 1 for continuous). */
export type FrameSizes =
  | { kind: "discrete"; width: number; height: number }
  | {
    kind: "stepwise";
    minWidth: number;
    maxWidth: number;
    stepWidth: number;
    minHeight: number;
    maxHeight: number;
    stepHeight: number;
  };

/** Reads a `struct v4l2_frmsizeenum`. */
export function readFrmsize(bytes: Uint8Array): FrameSizes {
  const v = view(bytes);
  const u = (i: number) => v.getUint32(12 + 4 * i, true);
  if (v.getUint32(8, true) === FRM_TYPE.DISCRETE) {
    return { kind: "discrete", width: u(0), height: u(1) };
  }
  return {
    kind: "stepwise",
    minWidth: u(0),
    maxWidth: u(1),
    stepWidth: Math.max(1, u(2)),
    minHeight: u(3),
    maxHeight: u(4),
    stepHeight: Math.max(1, u(5)),
  };
}

/** A `struct v4l2_frmivalenum` asking for interval `index` of `pixelFormat` at a size. */
export function frmivalRequest(
  index: number,
  pixelFormat: number,
  width: number,
  height: number,
): Uint8Array {
  const bytes = new Uint8Array(SIZEOF.frmivalenum);
  const v = view(bytes);
  v.setUint32(0, index, true);
  v.setUint32(4, pixelFormat, true);
  v.setUint32(8, width, true);
  v.setUint32(12, height, true);
  return bytes;
}

/** Frame intervals: a discrete one, or a range of them. */
export type FrameIntervals =
  | { kind: "discrete"; interval: Fraction }
  | { kind: "stepwise"; min: Fraction; max: Fraction };

/** Reads a `struct v4l2_frmivalenum`. */
export function readFrmival(bytes: Uint8Array): FrameIntervals {
  const v = view(bytes);
  const fract = (at: number): Fraction => ({
    numerator: v.getUint32(at, true),
    denominator: v.getUint32(at + 4, true),
  });
  if (v.getUint32(16, true) === FRM_TYPE.DISCRETE) return { kind: "discrete", interval: fract(20) };
  return { kind: "stepwise", min: fract(20), max: fract(28) };
}

/** The picture format of `struct v4l2_pix_format`. */
export interface PixFormat {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Pixel format code. */
  pixelFormat: number;
  /** Bytes per line of the first plane (0 for compressed formats). */
  bytesPerLine: number;
  /** Largest frame in bytes. */
  sizeImage: number;
}

/** A `struct v4l2_format` for `VIDIOC_S_FMT`: capture, progressive, the driver picks the stride. */
export function formatRequest(width: number, height: number, pixelFormat: number): Uint8Array {
  const bytes = new Uint8Array(SIZEOF.format);
  const v = view(bytes);
  v.setUint32(0, BUF_TYPE_VIDEO_CAPTURE, true);
  v.setUint32(8, width, true);
  v.setUint32(12, height, true);
  v.setUint32(16, pixelFormat, true);
  v.setUint32(20, FIELD_NONE, true);
  return bytes;
}

/** Reads the `struct v4l2_pix_format` of a `struct v4l2_format` (its union starts at byte 8). */
export function readFormat(bytes: Uint8Array): PixFormat {
  const v = view(bytes);
  return {
    width: v.getUint32(8, true),
    height: v.getUint32(12, true),
    pixelFormat: v.getUint32(16, true),
    bytesPerLine: v.getUint32(24, true),
    sizeImage: v.getUint32(28, true),
  };
}

/** A `struct v4l2_streamparm` for `VIDIOC_S_PARM` (or, with no interval, `VIDIOC_G_PARM`). */
export function streamparmRequest(interval?: Fraction): Uint8Array {
  const bytes = new Uint8Array(SIZEOF.streamparm);
  const v = view(bytes);
  v.setUint32(0, BUF_TYPE_VIDEO_CAPTURE, true);
  if (interval) {
    v.setUint32(12, interval.numerator, true);
    v.setUint32(16, interval.denominator, true);
  }
  return bytes;
}

/** Reads a `struct v4l2_streamparm`: whether the rate can be set, and the frame interval. */
export function readStreamparm(bytes: Uint8Array): { settable: boolean; interval: Fraction } {
  const v = view(bytes);
  return {
    settable: (v.getUint32(4, true) & CAP_TIMEPERFRAME) !== 0,
    interval: { numerator: v.getUint32(12, true), denominator: v.getUint32(16, true) },
  };
}

/** A `struct v4l2_requestbuffers` asking for `count` mapped capture buffers. */
export function reqbufsRequest(count: number): Uint8Array {
  const bytes = new Uint8Array(SIZEOF.requestbuffers);
  const v = view(bytes);
  v.setUint32(0, count, true);
  v.setUint32(4, BUF_TYPE_VIDEO_CAPTURE, true);
  v.setUint32(8, MEMORY_MMAP, true);
  return bytes;
}

/** The number of buffers the driver granted (`struct v4l2_requestbuffers.count`). */
export function readReqbufsCount(bytes: Uint8Array): number {
  return view(bytes).getUint32(0, true);
}

/** A `struct v4l2_buffer` naming mapped capture buffer `index` (for QUERYBUF, QBUF and DQBUF). */
export function bufferRequest(index = 0): Uint8Array {
  const bytes = new Uint8Array(SIZEOF.buffer);
  const v = view(bytes);
  v.setUint32(0, index, true);
  v.setUint32(4, BUF_TYPE_VIDEO_CAPTURE, true);
  v.setUint32(60, MEMORY_MMAP, true);
  return bytes;
}

/** What a `struct v4l2_buffer` says about a buffer. */
export interface BufferInfo {
  /** Which buffer. */
  index: number;
  /** Bytes of picture in it. */
  bytesUsed: number;
  /** `BUF_FLAG` bits. */
  flags: number;
  /** Capture time, microseconds (on CLOCK_MONOTONIC when `flags` says so). */
  timestampUs: number;
  /** The driver's frame counter; gaps are dropped frames. */
  sequence: number;
  /** Offset to pass to mmap (QUERYBUF). */
  offset: number;
  /** Size of the buffer (QUERYBUF). */
  length: number;
}

/** Reads a `struct v4l2_buffer`. */
export function readBuffer(bytes: Uint8Array): BufferInfo {
  const v = view(bytes);
  const seconds = Number(v.getBigInt64(24, true));
  const micros = Number(v.getBigInt64(32, true));
  return {
    index: v.getUint32(0, true),
    bytesUsed: v.getUint32(8, true),
    flags: v.getUint32(12, true),
    timestampUs: seconds * 1_000_000 + micros,
    sequence: v.getUint32(56, true),
    offset: v.getUint32(64, true),
    length: v.getUint32(72, true),
  };
}

/** The `int` argument of VIDIOC_STREAMON/STREAMOFF: the buffer type. */
export function streamTypeArgument(): Uint8Array {
  const bytes = new Uint8Array(4);
  view(bytes).setUint32(0, BUF_TYPE_VIDEO_CAPTURE, true);
  return bytes;
}
