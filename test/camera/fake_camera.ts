/**
 * The cameras of the fake C library (fake_libc.ts): what one offers, and the controls a test
 * drives it with: push a frame, unplug and replug it, make it busy, fail the next ioctl.
 *
 * @module
 */

import type { Fraction, PixFormat } from "../../src/camera/v4l2_abi.ts";
import type { FormatOffer, SizeOffer } from "../../src/camera/v4l2_device.ts";

/** Linux errno numbers the fake answers with. */
export const ERRNO = {
  ENOENT: 2,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  EACCES: 13,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  ENOTTY: 25,
} as const;

/** The ioctls the fake implements, by their VIDIOC_ name. */
export type IoctlName =
  | "QUERYCAP"
  | "ENUM_FMT"
  | "S_FMT"
  | "REQBUFS"
  | "QUERYBUF"
  | "QBUF"
  | "DQBUF"
  | "STREAMON"
  | "STREAMOFF"
  | "G_PARM"
  | "S_PARM"
  | "ENUM_FRAMESIZES"
  | "ENUM_FRAMEINTERVALS";

const CAP_VIDEO_CAPTURE = 0x1;
const CAP_STREAMING = 0x04000000;
const CAP_DEVICE_CAPS = 0x80000000;
/** `V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC`: the default flags of a pushed frame. */
export const FLAG_TIMESTAMP_MONOTONIC = 0x2000;
/** `V4L2_BUF_FLAG_ERROR`. */
export const FLAG_ERROR = 0x40;

/** What a fake camera is. Everything has a default: a 640x480 YUYV webcam at 30 fps. */
export interface FakeCameraSpec {
  /** QUERYCAP driver. */
  driver?: string;
  /** QUERYCAP card. */
  card?: string;
  /** QUERYCAP bus_info. */
  busInfo?: string;
  /** `device_caps` of this node (default VIDEO_CAPTURE | STREAMING). */
  caps?: number;
  /** `capabilities` of the whole device (default `caps | DEVICE_CAPS`). */
  capabilities?: number;
  /** What ENUM_FMT, ENUM_FRAMESIZES and ENUM_FRAMEINTERVALS list. */
  formats?: FormatOffer[];
  /** Bytes S_FMT adds to every row of the first plane (a padded stride). */
  padding?: number;
  /** Frame interval in effect before S_PARM (default 1/30). */
  interval?: Fraction;
  /** Whether G_PARM says the interval can be set (default true). */
  intervalSettable?: boolean;
  /** Whether the driver implements G_PARM/S_PARM at all (default true; else EINVAL). */
  parm?: boolean;
  /** Most buffers REQBUFS grants (default 32). */
  maxBuffers?: number;
  /** Changes what S_FMT settles on (a driver that substitutes another format). */
  adjustFormat?: (chosen: PixFormat) => PixFormat;
}

/** One frame to push; every field has a default. */
export interface FakeFrame {
  /** Picture bytes (default: a full frame filled with the sequence number's low byte). */
  data?: Uint8Array;
  /** `bytesused` (default the data's length). */
  bytesUsed?: number;
  /** `flags` (default TIMESTAMP_MONOTONIC). */
  flags?: number;
  /** Capture time in microseconds (default 1 s + sequence × 33 333 µs). */
  timestampUs?: number;
  /** Driver frame counter (default one more than the last). */
  sequence?: number;
}

/** @internal A driver buffer. */
export interface FakeBuffer {
  index: number;
  offset: number;
  bytes: Uint8Array;
  state: "user" | "queued" | "done";
  bytesUsed: number;
  flags: number;
  timestampUs: number;
  sequence: number;
}

/** @internal A pending poll. */
export interface Waiter {
  resolve(ready: boolean): void;
  timer: ReturnType<typeof setTimeout>;
}

/** @internal An open descriptor of a camera. */
export interface OpenFile {
  fd: number;
  camera: FakeCamera;
  dead: boolean;
  streaming: boolean;
  buffers: FakeBuffer[];
  queued: number[];
  done: number[];
  waiters: Set<Waiter>;
}

/** A camera the fake C library can open. Its fields and methods are the test's controls. */
export class FakeCamera {
  /** The spec with defaults filled in. */
  readonly spec:
    & Required<Omit<FakeCameraSpec, "adjustFormat">>
    & Pick<FakeCameraSpec, "adjustFormat">;
  /** Whether the device node exists; see {@link vanish} and {@link reappear}. */
  present = true;
  /** When set, open() fails with this errno (EACCES, EBUSY...). */
  openErrno: number | undefined;
  /** When set, QUERYCAP fails with this errno (ENOTTY: not a V4L2 node). */
  queryCapErrno: number | undefined;
  /** Another program holds the camera: S_FMT and REQBUFS fail with EBUSY. */
  busy = false;
  /** Calls to open() that succeeded. */
  opens = 0;
  /** Calls to open(), successful or not. */
  openAttempts = 0;
  /** The format S_FMT settled on. */
  format: PixFormat | undefined;
  /** The frame interval in effect. */
  interval: Fraction;
  /** The open file streaming from this camera, if any. @internal */
  streamer: OpenFile | undefined;
  /** Every open file of this camera. @internal */
  readonly files: Set<OpenFile> = new Set();
  #nextSequence = 0;
  #failures = new Map<IoctlName, number>();

  /** Builds a camera from `spec`. */
  constructor(spec: FakeCameraSpec = {}) {
    const caps = spec.caps ?? (CAP_VIDEO_CAPTURE | CAP_STREAMING);
    this.spec = {
      driver: spec.driver ?? "fakecam",
      card: spec.card ?? "Fake Camera",
      busInfo: spec.busInfo ?? "platform:fakecam-0",
      caps,
      capabilities: spec.capabilities ?? ((caps | CAP_DEVICE_CAPS) >>> 0),
      formats: spec.formats ?? [offer("YUYV", "YUYV 4:2:2", [discrete(640, 480, [30])])],
      padding: spec.padding ?? 0,
      interval: spec.interval ?? { numerator: 1, denominator: 30 },
      intervalSettable: spec.intervalSettable ?? true,
      parm: spec.parm ?? true,
      maxBuffers: spec.maxBuffers ?? 32,
      adjustFormat: spec.adjustFormat,
    };
    this.interval = { ...this.spec.interval };
  }

  /** Makes the next `ioctl` named `request` fail once with `errno`. */
  failNext(request: IoctlName, errno: number): void {
    this.#failures.set(request, errno);
  }

  /** @internal Takes the scripted failure of `request`, if any. */
  takeFailure(request: IoctlName): number | undefined {
    const errno = this.#failures.get(request);
    this.#failures.delete(request);
    return errno;
  }

  /** @internal Numbering restarts at STREAMON, as in drivers built on videobuf2. */
  restartSequence(): void {
    this.#nextSequence = 0;
  }

  /**
   * The driver fills the oldest queued buffer with `frame`. Returns false when the frame was
   * dropped: nothing streaming, no empty buffer (the sequence number is used up all the same), or
   * the camera gone.
   */
  pushFrame(frame: FakeFrame = {}): boolean {
    const sequence = frame.sequence ?? this.#nextSequence;
    this.#nextSequence = sequence + 1;
    const file = this.streamer;
    if (!this.present || !file || file.dead || !file.streaming) return false;
    const index = file.queued.shift();
    if (index === undefined) return false;
    const buffer = file.buffers[index];
    if (frame.data) {
      buffer.bytes.fill(0);
      buffer.bytes.set(frame.data.subarray(0, buffer.bytes.length));
    } else {
      buffer.bytes.fill(sequence & 0xff);
    }
    buffer.bytesUsed = frame.bytesUsed ?? frame.data?.length ?? this.format?.sizeImage ?? 0;
    buffer.flags = frame.flags ?? FLAG_TIMESTAMP_MONOTONIC;
    buffer.timestampUs = frame.timestampUs ?? 1_000_000 + sequence * 33_333;
    buffer.sequence = sequence;
    buffer.state = "done";
    file.done.push(index);
    wakeAll(file, true);
    return true;
  }

  /** Unplugs the camera: the node disappears and open handles answer ENODEV. */
  vanish(): void {
    this.present = false;
    for (const file of this.files) {
      file.dead = true;
      wakeAll(file, true); // poll reports POLLERR on a gone device
    }
    this.streamer = undefined;
  }

  /** Plugs the camera back in (old handles stay dead). */
  reappear(): void {
    this.present = true;
  }

  /** The number of buffers the driver holds, empty and waiting to be filled. */
  get queuedBuffers(): number {
    return this.streamer?.queued.length ?? 0;
  }

  /** Whether some handle is streaming. */
  get streaming(): boolean {
    return this.streamer?.streaming ?? false;
  }
}

/** @internal Resolves every pending poll of `file`. */
export function wakeAll(file: OpenFile, ready: boolean): void {
  for (const w of file.waiters) {
    clearTimeout(w.timer);
    w.resolve(ready);
  }
  file.waiters.clear();
}

/** A discrete size offering frame rates `fps` (intervals 1/fps). */
export function discrete(width: number, height: number, fps: number[]): SizeOffer {
  return {
    size: { kind: "discrete", width, height },
    intervals: fps.map((f) => ({ kind: "discrete", interval: { numerator: 1, denominator: f } })),
  };
}

/** A format offer named by its fourcc. */
export function offer(
  fourcc: string,
  description: string,
  sizes: SizeOffer[],
  compressed = false,
): FormatOffer {
  const code = (fourcc.charCodeAt(0) | (fourcc.charCodeAt(1) << 8) |
    (fourcc.charCodeAt(2) << 16) | (fourcc.charCodeAt(3) << 24)) >>> 0;
  return { pixelFormat: code, description, compressed, sizes };
}
