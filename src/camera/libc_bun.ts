/**
 * {@link LibC} through `bun:ffi`. Bun has no non-blocking FFI calls, so waiting for a frame polls
 * with a zero timeout every couple of milliseconds (a few hundred cheap syscalls a second).
 *
 * @module
 */

import {
  checkedIoctl,
  cString,
  type LibC,
  MAP_SHARED,
  type Mapping,
  O_CLOEXEC,
  O_NONBLOCK,
  O_RDWR,
  POLLIN,
  PROT_READ_WRITE,
  SystemError,
} from "./libc.ts";

/** The parts of `bun:ffi` used here (typed locally: Deno's checker does not know Bun's modules). */
interface BunFfi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
    symbols: Record<string, (...args: unknown[]) => number>;
  };
  toArrayBuffer(pointer: number, offset: number, length: number): ArrayBuffer;
  read: { i32(pointer: number, offset?: number): number };
}

const POLL_STEP_MS = 2;

/** Opens glibc through Bun's FFI. */
export async function openBunLibC(): Promise<LibC> {
  const specifier = "bun:ffi"; // not a literal import: Deno must not try to resolve it
  const ffi = await import(specifier) as BunFfi;
  let lib;
  try {
    lib = ffi.dlopen("libc.so.6", {
      open: { args: ["ptr", "i32"], returns: "i32" },
      close: { args: ["i32"], returns: "i32" },
      ioctl: { args: ["i32", "u64", "ptr"], returns: "i32" },
      mmap: { args: ["ptr", "u64", "i32", "i32", "i32", "i64"], returns: "ptr" },
      munmap: { args: ["ptr", "u64"], returns: "i32" },
      poll: { args: ["ptr", "u64", "i32"], returns: "i32" },
      __errno_location: { args: [], returns: "ptr" },
    });
  } catch (error) {
    throw new Error(`cannot load the C library (libc.so.6): ${(error as Error).message}`);
  }
  const s = lib.symbols;
  const errno = (): number => ffi.read.i32(s.__errno_location());
  const pollOnce = (fd: number): boolean => {
    const pollfd = new Uint8Array(8);
    const v = new DataView(pollfd.buffer);
    v.setInt32(0, fd, true);
    v.setInt16(4, POLLIN, true);
    return s.poll(pollfd, 1, 0) !== 0;
  };
  return {
    waitPolls: true,
    openDevice(path) {
      const fd = s.open(cString(path), O_RDWR | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) throw new SystemError(`cannot open ${path}`, errno());
      return fd;
    },
    close(fd) {
      s.close(fd);
    },
    ioctl(fd, request, arg, endOfList = false) {
      return checkedIoctl(() => s.ioctl(fd, request, arg), errno, request, endOfList);
    },
    map(fd, length, offset): Mapping {
      const pointer = s.mmap(null, length, PROT_READ_WRITE, MAP_SHARED, fd, offset);
      if (!pointer || pointer < 0 || pointer >= 2 ** 53) throw new SystemError("mmap", errno());
      const bytes = new Uint8Array(ffi.toArrayBuffer(pointer, 0, length));
      return { bytes, unmap: () => void s.munmap(pointer, length) };
    },
    async waitReadable(fd, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        if (pollOnce(fd)) return true;
        if (performance.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, POLL_STEP_MS));
      }
    },
  };
}
