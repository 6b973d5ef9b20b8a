/**
 * One V4L2 capture device: what it is, what it offers, setting a mode, and mmap streaming with
 * non-blocking dequeue. Every call is a thin, checked wrapper over one ioctl of v4l2_abi.ts.
 *
 * @module
 */

import { type LibC, type Mapping, SystemError } from "./libc.ts";
import {
  BUF_FLAG,
  bufferRequest,
  CAP,
  type Capability,
  fmtdescRequest,
  formatRequest,
  type Fraction,
  type FrameIntervals,
  type FrameSizes,
  frmivalRequest,
  frmsizeRequest,
  type PixFormat,
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
} from "./v4l2_abi.ts";

/** Why a camera could not be used; `message` is one sentence for the user. */
export class CameraError extends Error {
  /** What went wrong, for callers that react differently (a missing device is retried). */
  readonly kind: "missing" | "busy" | "denied" | "not-capture" | "unsupported" | "failed";

  /** Builds the error. */
  constructor(kind: CameraError["kind"], message: string) {
    super(message);
    this.name = "CameraError";
    this.kind = kind;
  }
}

/** One size a format offers, with its frame intervals. */
export interface SizeOffer {
  /** The size (discrete) or range of sizes (stepwise). */
  size: FrameSizes;
  /** Intervals at this size (for a range, those at its largest size). */
  intervals: FrameIntervals[];
}

/** One format a device offers. */
export interface FormatOffer {
  /** Pixel format code. */
  pixelFormat: number;
  /** The driver's description. */
  description: string;
  /** Whether compressed (MJPEG). */
  compressed: boolean;
  /** Its sizes. */
  sizes: SizeOffer[];
}

/** A frame still inside a mapped buffer: hand it back with {@link V4l2Device.requeue}. */
export interface DequeuedFrame {
  /** Buffer index, for requeue. */
  index: number;
  /** The picture bytes, a view into the mapping (valid until requeued). */
  bytes: Uint8Array;
  /** Capture time in microseconds; 0 when the driver gave none. */
  timestampUs: number;
  /** Whether `timestampUs` is on CLOCK_MONOTONIC. */
  monotonic: boolean;
  /** Driver frame counter. */
  sequence: number;
  /** Whether the driver marked the frame damaged. */
  damaged: boolean;
}

// Enumerations stop here even if a driver never says "end of list".
const MAX_ENUM = 256;

/** Turns a failed open into the user-facing {@link CameraError}. */
function openError(path: string, error: SystemError): CameraError {
  switch (error.code) {
    case "ENOENT":
    case "ENODEV":
    case "ENXIO":
      return new CameraError("missing", `camera ${path} not found`);
    case "EBUSY":
      return new CameraError("busy", `camera ${path} is busy: another program is using it`);
    case "EACCES":
    case "EPERM":
      return new CameraError(
        "denied",
        `no permission to open ${path}: add the user to the "video" group`,
      );
    default:
      return new CameraError("failed", `cannot open camera ${path}: ${error.message}`);
  }
}

/** An open V4L2 video capture device node. */
export class V4l2Device {
  /** Device path. */
  readonly path: string;
  /** What QUERYCAP said. */
  readonly capability: Capability;
  readonly #libc: LibC;
  #fd: number;
  #mappings: Mapping[] = [];
  #streaming = false;

  private constructor(libc: LibC, path: string, fd: number, capability: Capability) {
    this.#libc = libc;
    this.path = path;
    this.#fd = fd;
    this.capability = capability;
  }

  /**
   * Opens `path` and checks it is a single-planar capture device with streaming I/O.
   * Throws {@link CameraError}.
   */
  static open(libc: LibC, path: string): V4l2Device {
    let fd: number;
    try {
      fd = libc.openDevice(path);
    } catch (error) {
      if (error instanceof SystemError) throw openError(path, error);
      throw error;
    }
    try {
      const bytes = new Uint8Array(SIZEOF.capability);
      try {
        libc.ioctl(fd, VIDIOC.QUERYCAP, bytes);
      } catch (error) {
        if (error instanceof SystemError && error.code === "ENOTTY") {
          throw new CameraError("not-capture", `${path} is not a V4L2 device`);
        }
        throw error;
      }
      const capability = readCapability(bytes);
      if (!(capability.caps & CAP.VIDEO_CAPTURE)) {
        const hint = capability.caps & CAP.VIDEO_CAPTURE_MPLANE
          ? " (multi-planar capture is not supported)"
          : "";
        throw new CameraError(
          "not-capture",
          `${path} (${capability.card}) is not a video capture device${hint}`,
        );
      }
      if (!(capability.caps & CAP.STREAMING)) {
        throw new CameraError(
          "not-capture",
          `${path} (${capability.card}) has no streaming I/O`,
        );
      }
      return new V4l2Device(libc, path, fd, capability);
    } catch (error) {
      libc.close(fd);
      if (error instanceof SystemError) throw openError(path, error);
      throw error;
    }
  }

  /** Every format, size and frame interval the device offers. */
  formats(): FormatOffer[] {
    const offers: FormatOffer[] = [];
    for (let i = 0; i < MAX_ENUM; i++) {
      const desc = fmtdescRequest(i);
      if (!this.#ioctl(VIDIOC.ENUM_FMT, desc, true)) break;
      const { pixelFormat, description, compressed } = readFmtdesc(desc);
      offers.push({ pixelFormat, description, compressed, sizes: this.#sizes(pixelFormat) });
    }
    return offers;
  }

  #sizes(pixelFormat: number): SizeOffer[] {
    const sizes: SizeOffer[] = [];
    for (let i = 0; i < MAX_ENUM; i++) {
      const req = frmsizeRequest(i, pixelFormat);
      if (!this.#ioctl(VIDIOC.ENUM_FRAMESIZES, req, true)) break;
      const size = readFrmsize(req);
      const [w, h] = size.kind === "discrete"
        ? [size.width, size.height]
        : [size.maxWidth, size.maxHeight];
      sizes.push({ size, intervals: this.#intervals(pixelFormat, w, h) });
      if (size.kind !== "discrete") break; // a range is the only entry (index 0)
    }
    return sizes;
  }

  #intervals(pixelFormat: number, width: number, height: number): FrameIntervals[] {
    const intervals: FrameIntervals[] = [];
    for (let i = 0; i < MAX_ENUM; i++) {
      const req = frmivalRequest(i, pixelFormat, width, height);
      if (!this.#ioctl(VIDIOC.ENUM_FRAMEINTERVALS, req, true)) break;
      const interval = readFrmival(req);
      intervals.push(interval);
      if (interval.kind !== "discrete") break;
    }
    return intervals;
  }

  /** Sets the picture format; returns what the driver actually chose (it may adjust). */
  setFormat(width: number, height: number, pixelFormat: number): PixFormat {
    const req = formatRequest(width, height, pixelFormat);
    this.#ioctl(VIDIOC.S_FMT, req);
    return readFormat(req);
  }

  /** Asks for a frame interval; returns the one in effect (undefined if the driver has none). */
  setInterval(interval: Fraction): Fraction | undefined {
    const get = streamparmRequest();
    this.#ioctl(VIDIOC.G_PARM, get, true);
    if (readStreamparm(get).settable) {
      const set = streamparmRequest(interval);
      if (this.#ioctl(VIDIOC.S_PARM, set, true)) {
        const actual = readStreamparm(set).interval;
        if (actual.numerator && actual.denominator) return actual;
      }
    }
    const current = readStreamparm(get).interval;
    return current.numerator && current.denominator ? current : undefined;
  }

  /** Allocates and maps `count` (or what the driver grants, at least 2) buffers and starts capture. */
  start(count = 4): void {
    const req = reqbufsRequest(count);
    this.#ioctl(VIDIOC.REQBUFS, req);
    const granted = readReqbufsCount(req);
    if (granted < 2) {
      throw new CameraError("failed", `${this.path} granted only ${granted} capture buffer(s)`);
    }
    for (let i = 0; i < granted; i++) {
      const buf = bufferRequest(i);
      this.#ioctl(VIDIOC.QUERYBUF, buf);
      const info = readBuffer(buf);
      this.#mappings.push(this.#libc.map(this.#fd, info.length, info.offset));
      this.#ioctl(VIDIOC.QBUF, bufferRequest(i));
    }
    this.#ioctl(VIDIOC.STREAMON, streamTypeArgument());
    this.#streaming = true;
  }

  /** Number of mapped buffers. */
  get bufferCount(): number {
    return this.#mappings.length;
  }

  /** Resolves true when a frame (or an error) is ready, false after `timeoutMs`. */
  waitFrame(timeoutMs: number): Promise<boolean> {
    return this.#libc.waitReadable(this.#fd, timeoutMs);
  }

  /** Whether {@link waitFrame} polls on timers rather than sleeping in the kernel. */
  get waitPolls(): boolean {
    return this.#libc.waitPolls;
  }

  /** Takes the oldest filled buffer, or undefined when none is ready. Never blocks. */
  dequeue(): DequeuedFrame | undefined {
    const buf = bufferRequest();
    if (!this.#ioctl(VIDIOC.DQBUF, buf)) return undefined;
    const info = readBuffer(buf);
    const mapping = this.#mappings[info.index];
    if (!mapping) throw new CameraError("failed", `driver returned unknown buffer ${info.index}`);
    return {
      index: info.index,
      bytes: mapping.bytes.subarray(0, Math.min(info.bytesUsed, mapping.bytes.length)),
      timestampUs: info.timestampUs,
      monotonic: (info.flags & BUF_FLAG.TIMESTAMP_MASK) === BUF_FLAG.TIMESTAMP_MONOTONIC,
      sequence: info.sequence,
      damaged: (info.flags & BUF_FLAG.ERROR) !== 0,
    };
  }

  /** Hands buffer `index` back to the driver to fill again. */
  requeue(index: number): void {
    this.#ioctl(VIDIOC.QBUF, bufferRequest(index));
  }

  /** Stops capture, unmaps the buffers and closes the device. Safe to call twice, never throws. */
  close(): void {
    if (this.#fd < 0) return;
    if (this.#streaming) {
      try {
        this.#ioctl(VIDIOC.STREAMOFF, streamTypeArgument());
      } catch { /* the device may be gone already */ }
    }
    for (const m of this.#mappings) m.unmap();
    this.#mappings = [];
    this.#libc.close(this.#fd);
    this.#fd = -1;
  }

  #ioctl(request: number, arg: Uint8Array, endOfList = false): boolean {
    if (this.#fd < 0) throw new CameraError("failed", `${this.path} is closed`);
    return this.#libc.ioctl(this.#fd, request, arg, endOfList);
  }
}
