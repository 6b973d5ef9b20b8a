/**
 * {@link LibC} through `Deno.dlopen`. `poll` runs as a non-blocking FFI call (on a helper thread),
 * so waiting for a frame never holds the event loop.
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

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** Opens glibc through Deno's FFI. Throws when FFI is not permitted. */
export function openDenoLibC(): LibC {
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    lib = Deno.dlopen("libc.so.6", SYMBOLS);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new Error("camera capture needs FFI: run Deno with --allow-ffi");
    }
    throw new Error(`cannot load the C library (libc.so.6): ${(error as Error).message}`);
  }
  const s = lib.symbols;
  const errno = (): number => new Deno.UnsafePointerView(s.__errno_location()!).getInt32();
  return {
    waitPolls: false,
    openDevice(path) {
      const fd = s.open(cString(path), O_RDWR | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) throw new SystemError(`cannot open ${path}`, errno());
      return fd;
    },
    close(fd) {
      s.close(fd);
    },
    ioctl(fd, request, arg, endOfList = false) {
      return checkedIoctl(() => s.ioctl(fd, BigInt(request), arg), errno, request, endOfList);
    },
    map(fd, length, offset): Mapping {
      const pointer = s.mmap(null, BigInt(length), PROT_READ_WRITE, MAP_SHARED, fd, BigInt(offset));
      if (pointer === null || Deno.UnsafePointer.value(pointer) === 0xffffffffffffffffn) {
        throw new SystemError("mmap", errno());
      }
      const bytes = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(pointer, length));
      return { bytes, unmap: () => void s.munmap(pointer, BigInt(length)) };
    },
    async waitReadable(fd, timeoutMs) {
      const pollfd = new Uint8Array(8); // struct pollfd { int fd; short events; short revents; }
      const v = new DataView(pollfd.buffer);
      v.setInt32(0, fd, true);
      v.setInt16(4, POLLIN, true);
      const n = await s.poll(pollfd, 1n, Math.max(0, Math.round(timeoutMs)));
      return n > 0 || (n < 0 && v.getInt16(6, true) !== 0);
    },
  };
}
