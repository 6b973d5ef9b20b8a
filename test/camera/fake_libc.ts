/**
 * A scripted, in-memory {@link LibC} that behaves like a V4L2 capture driver, so the camera layer
 * can be tested without a device: cameras by path, the ioctls the device layer issues, mmap over
 * ArrayBuffers, and a poll that wakes when a frame is pushed. It asserts that every open has a
 * close and every map an unmap. The cameras and their controls (push a frame, unplug, replug, make
 * busy) are in fake_camera.ts, re-exported here.
 *
 * The request numbers and struct offsets are written out here on purpose rather than imported
 * from src/camera/v4l2_abi.ts: they come from the kernel headers (see v4l2_abi_test.ts), so code
 * that talks to this fake also proves it lays the structs out as the kernel does.
 *
 * @module
 */

import { type LibC, type Mapping, SystemError } from "../../src/camera/libc.ts";
import type { FrameIntervals, FrameSizes, PixFormat } from "../../src/camera/v4l2_abi.ts";
import type { FormatOffer, SizeOffer } from "../../src/camera/v4l2_device.ts";
import {
  ERRNO,
  type FakeBuffer,
  type FakeCamera,
  type IoctlName,
  offer,
  type OpenFile,
  type Waiter,
  wakeAll,
} from "./fake_camera.ts";

export * from "./fake_camera.ts";

// _IOR/_IOW/_IOWR('V', nr, struct v4l2_*) from <linux/videodev2.h> (x86_64, linux-libc-dev 6.1).
const REQUESTS: Readonly<Record<IoctlName, number>> = {
  QUERYCAP: 0x80685600,
  ENUM_FMT: 0xc0405602,
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

const NAMES = new Map<number, IoctlName>(
  Object.entries(REQUESTS).map(([name, value]) => [value, name as IoctlName]),
);

const CAP_TIMEPERFRAME = 0x1000;

const BYTES_PER_PIXEL: Readonly<Record<string, number>> = {
  YUYV: 2,
  UYVY: 2,
  RGB3: 3,
  BGR3: 3,
  GREY: 1,
  NV12: 1,
  YU12: 1,
};

function name(code: number): string {
  return String.fromCharCode(code & 0xff, (code >>> 8) & 0xff, (code >>> 16) & 0xff, code >>> 24);
}

function fits(size: FrameSizes, width: number, height: number): boolean {
  if (size.kind === "discrete") return size.width === width && size.height === height;
  return width >= size.minWidth && width <= size.maxWidth && height >= size.minHeight &&
    height <= size.maxHeight;
}

function nearestSize(sizes: SizeOffer[], width: number, height: number): [number, number] {
  let best: [number, number] = [width, height];
  let bestCost = Infinity;
  for (const { size } of sizes) {
    const [w, h] = size.kind === "discrete" ? [size.width, size.height] : [
      Math.min(size.maxWidth, Math.max(size.minWidth, width)),
      Math.min(size.maxHeight, Math.max(size.minHeight, height)),
    ];
    const cost = Math.abs(w - width) + Math.abs(h - height);
    if (cost < bestCost) [best, bestCost] = [[w, h], cost];
  }
  return best;
}

/** Options of {@link FakeLibC}. */
export interface FakeLibCOptions {
  /** What `waitPolls` says (default false). */
  waitPolls?: boolean;
}

/** The fake C library: cameras by path. */
export class FakeLibC implements LibC {
  /** Whether waiting polls on timers. */
  readonly waitPolls: boolean;
  /** Every ioctl issued, by VIDIOC_ name (unknown ones as hex). */
  readonly calls: string[] = [];
  /** Mappings not yet unmapped. */
  liveMappings = 0;
  /** Maps made in all. */
  maps = 0;
  /** Misuse seen: double unmaps, closes of unknown descriptors... */
  readonly problems: string[] = [];
  readonly #cameras: Map<string, FakeCamera>;
  readonly #files = new Map<number, OpenFile>();
  #nextFd = 3;

  /** Builds the library with `cameras` at their paths. */
  constructor(cameras: Record<string, FakeCamera>, options: FakeLibCOptions = {}) {
    this.#cameras = new Map(Object.entries(cameras));
    this.waitPolls = options.waitPolls ?? false;
  }

  /** Descriptors open now. */
  get openFds(): number[] {
    return [...this.#files.keys()];
  }

  /** Throws unless every open had its close and every map its unmap, without misuse. */
  assertNoLeaks(): void {
    const leaks = [...this.problems];
    if (this.#files.size) leaks.push(`descriptors left open: ${this.openFds.join(", ")}`);
    if (this.liveMappings) leaks.push(`${this.liveMappings} mapping(s) never unmapped`);
    if (leaks.length) throw new Error(`fake libc: ${leaks.join("; ")}`);
  }

  /** Opens the camera at `path`. */
  openDevice(path: string): number {
    const camera = this.#cameras.get(path);
    if (camera) camera.openAttempts++;
    if (!camera || !camera.present) throw new SystemError(`cannot open ${path}`, ERRNO.ENOENT);
    if (camera.openErrno !== undefined) {
      throw new SystemError(`cannot open ${path}`, camera.openErrno);
    }
    camera.opens++;
    const fd = this.#nextFd++;
    const file: OpenFile = {
      fd,
      camera,
      dead: false,
      streaming: false,
      buffers: [],
      queued: [],
      done: [],
      waiters: new Set(),
    };
    this.#files.set(fd, file);
    camera.files.add(file);
    return fd;
  }

  /** Closes `fd`: stops its stream and frees its buffers (mappings stay valid until unmapped). */
  close(fd: number): void {
    const file = this.#files.get(fd);
    if (!file) {
      this.problems.push(`close(${fd}) of a descriptor that is not open`);
      return;
    }
    this.#files.delete(fd);
    file.camera.files.delete(file);
    if (file.camera.streamer === file) file.camera.streamer = undefined;
    file.streaming = false;
    wakeAll(file, true);
  }

  /** Maps the buffer of `fd` at `offset`. */
  map(fd: number, length: number, offset: number): Mapping {
    const file = this.#files.get(fd);
    if (!file) throw new SystemError("mmap", ERRNO.EBADF);
    const buffer = file.buffers.find((b) => b.offset === offset);
    if (!buffer || length > buffer.bytes.length) throw new SystemError("mmap", ERRNO.EINVAL);
    this.maps++;
    this.liveMappings++;
    let mapped = true;
    return {
      bytes: buffer.bytes,
      unmap: () => {
        if (!mapped) {
          this.problems.push(`buffer ${buffer.index} unmapped twice`);
          return;
        }
        mapped = false;
        this.liveMappings--;
      },
    };
  }

  /** Resolves true when a frame is ready or the device is gone, false after `timeoutMs`. */
  waitReadable(fd: number, timeoutMs: number): Promise<boolean> {
    const file = this.#files.get(fd);
    if (!file || file.dead || file.done.length > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          file.waiters.delete(waiter);
          resolve(false);
        }, timeoutMs),
      };
      file.waiters.add(waiter);
    });
  }

  /** One V4L2 ioctl, with the real wrapper's EAGAIN/EINVAL conventions. */
  ioctl(fd: number, request: number, arg: Uint8Array, endOfList = false): boolean {
    const name = NAMES.get(request);
    this.calls.push(name ?? `0x${request.toString(16)}`);
    const errno = this.#run(fd, name, arg);
    if (errno === 0) return true;
    if (errno === ERRNO.EAGAIN || (endOfList && errno === ERRNO.EINVAL)) return false;
    throw new SystemError(`ioctl 0x${request.toString(16)}`, errno);
  }

  /** Carries out one ioctl; returns 0 or an errno. */
  #run(fd: number, request: IoctlName | undefined, arg: Uint8Array): number {
    const file = this.#files.get(fd);
    if (!file) return ERRNO.EBADF;
    if (file.dead) return ERRNO.ENODEV;
    const camera = file.camera;
    if (request === undefined) return ERRNO.ENOTTY;
    const failure = camera.takeFailure(request);
    if (failure !== undefined) return failure;
    if (request === "QUERYCAP" && camera.queryCapErrno !== undefined) return camera.queryCapErrno;
    const v = new DataView(arg.buffer, arg.byteOffset, arg.byteLength);
    const u32 = (at: number) => v.getUint32(at, true);
    const set = (at: number, value: number) => v.setUint32(at, value, true);
    const { spec } = camera;
    switch (request) {
      case "QUERYCAP": {
        arg.fill(0);
        const text = (at: number, size: number, s: string) =>
          arg.set(new TextEncoder().encode(s).subarray(0, size - 1), at);
        text(0, 16, spec.driver);
        text(16, 32, spec.card);
        text(48, 32, spec.busInfo);
        set(84, spec.capabilities);
        set(88, spec.caps);
        return 0;
      }
      case "ENUM_FMT": {
        if (u32(4) !== 1) return ERRNO.EINVAL;
        const format = spec.formats[u32(0)];
        if (!format) return ERRNO.EINVAL;
        set(8, format.compressed ? 1 : 0);
        arg.fill(0, 12, 44);
        arg.set(new TextEncoder().encode(format.description).subarray(0, 31), 12);
        set(44, format.pixelFormat);
        return 0;
      }
      case "ENUM_FRAMESIZES": {
        const format = spec.formats.find((f) => f.pixelFormat === u32(4));
        const entry = format?.sizes[u32(0)];
        if (!entry) return ERRNO.EINVAL;
        const s = entry.size;
        if (s.kind === "discrete") {
          set(8, 1);
          set(12, s.width);
          set(16, s.height);
        } else {
          const continuous = s.stepWidth === 1 && s.stepHeight === 1;
          set(8, continuous ? 2 : 3);
          [s.minWidth, s.maxWidth, s.stepWidth, s.minHeight, s.maxHeight, s.stepHeight]
            .forEach((n, i) => set(12 + 4 * i, n));
        }
        return 0;
      }
      case "ENUM_FRAMEINTERVALS": {
        const format = spec.formats.find((f) => f.pixelFormat === u32(4));
        const entry = format?.sizes.find((s) => fits(s.size, u32(8), u32(12)));
        const interval: FrameIntervals | undefined = entry?.intervals[u32(0)];
        if (!interval) return ERRNO.EINVAL;
        if (interval.kind === "discrete") {
          set(16, 1);
          set(20, interval.interval.numerator);
          set(24, interval.interval.denominator);
        } else {
          set(16, 3);
          set(20, interval.min.numerator);
          set(24, interval.min.denominator);
          set(28, interval.max.numerator);
          set(32, interval.max.denominator);
        }
        return 0;
      }
      case "S_FMT": {
        if (u32(0) !== 1) return ERRNO.EINVAL;
        if (camera.busy || (camera.streamer && camera.streamer !== file)) return ERRNO.EBUSY;
        if (file.buffers.length) return ERRNO.EBUSY; // buffers allocated: the format is fixed
        const format = spec.formats.find((f) => f.pixelFormat === u32(16)) ?? spec.formats[0];
        if (!format) return ERRNO.EINVAL;
        const [width, height] = nearestSize(format.sizes, u32(8), u32(12));
        let chosen = this.#geometry(camera, format, width, height);
        if (spec.adjustFormat) chosen = spec.adjustFormat(chosen);
        camera.format = chosen;
        set(8, chosen.width);
        set(12, chosen.height);
        set(16, chosen.pixelFormat);
        set(20, 1); // V4L2_FIELD_NONE
        set(24, chosen.bytesPerLine);
        set(28, chosen.sizeImage);
        return 0;
      }
      case "G_PARM":
      case "S_PARM": {
        if (!spec.parm || u32(0) !== 1) return ERRNO.EINVAL;
        if (request === "S_PARM" && spec.intervalSettable && u32(12) && u32(16)) {
          camera.interval = { numerator: u32(12), denominator: u32(16) };
        }
        set(4, spec.intervalSettable ? CAP_TIMEPERFRAME : 0);
        set(12, camera.interval.numerator);
        set(16, camera.interval.denominator);
        return 0;
      }
      case "REQBUFS": {
        if (u32(4) !== 1 || u32(8) !== 1) return ERRNO.EINVAL;
        if (camera.busy || (camera.streamer && camera.streamer !== file)) return ERRNO.EBUSY;
        if (file.streaming) return ERRNO.EBUSY;
        const format = camera.format ??
          this.#geometry(camera, spec.formats[0], 640, 480);
        const count = Math.min(u32(0), spec.maxBuffers);
        file.buffers = Array.from({ length: count }, (_, index) => ({
          index,
          offset: index * 0x10000,
          bytes: new Uint8Array(new ArrayBuffer(Math.max(1, format.sizeImage))),
          state: "user" as const,
          bytesUsed: 0,
          flags: 0,
          timestampUs: 0,
          sequence: 0,
        }));
        file.queued = [];
        file.done = [];
        camera.streamer = count ? file : undefined;
        set(0, count);
        return 0;
      }
      case "QUERYBUF":
      case "QBUF":
      case "DQBUF": {
        if (u32(4) !== 1 || u32(60) !== 1) return ERRNO.EINVAL;
        let buffer: FakeBuffer | undefined;
        if (request === "DQBUF") {
          if (!file.streaming) return ERRNO.EINVAL;
          const index = file.done.shift();
          if (index === undefined) return ERRNO.EAGAIN;
          buffer = file.buffers[index];
          buffer.state = "user";
        } else {
          buffer = file.buffers[u32(0)];
          if (!buffer) return ERRNO.EINVAL;
          if (request === "QBUF") {
            if (buffer.state !== "user") return ERRNO.EINVAL;
            buffer.state = "queued";
            file.queued.push(buffer.index);
          }
        }
        set(0, buffer.index);
        set(8, buffer.bytesUsed);
        set(12, buffer.flags);
        v.setBigInt64(24, BigInt(Math.floor(buffer.timestampUs / 1_000_000)), true);
        v.setBigInt64(32, BigInt(buffer.timestampUs % 1_000_000), true);
        set(56, buffer.sequence);
        set(64, buffer.offset);
        set(72, buffer.bytes.length);
        return 0;
      }
      case "STREAMON":
      case "STREAMOFF": {
        if (u32(0) !== 1) return ERRNO.EINVAL;
        if (request === "STREAMON") {
          if (!file.buffers.length) return ERRNO.EINVAL;
          file.streaming = true;
          camera.restartSequence();
        } else {
          file.streaming = false;
          for (const b of file.buffers) b.state = "user";
          file.queued = [];
          file.done = [];
        }
        return 0;
      }
    }
  }

  #geometry(camera: FakeCamera, format: FormatOffer, width: number, height: number): PixFormat {
    const bpp = BYTES_PER_PIXEL[name(format.pixelFormat)];
    if (bpp === undefined) {
      // Compressed (or unknown to the fake): no stride, room for a generous JPEG.
      return {
        width,
        height,
        pixelFormat: format.pixelFormat,
        bytesPerLine: 0,
        sizeImage: width * height,
      };
    }
    const stride = width * bpp + camera.spec.padding;
    const planar = format.pixelFormat === offer("NV12", "", []).pixelFormat ||
      format.pixelFormat === offer("YU12", "", []).pixelFormat;
    return {
      width,
      height,
      pixelFormat: format.pixelFormat,
      bytesPerLine: stride,
      sizeImage: planar ? stride * height * 3 / 2 : stride * height,
    };
  }
}
