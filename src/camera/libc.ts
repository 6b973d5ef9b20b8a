/**
 * The few C library calls V4L2 capture needs, behind one interface: `Deno.dlopen` under Deno,
 * `bun:ffi` under Bun. Everything above this file is runtime-neutral.
 *
 * @module
 */

/** A failed system call: `code` is the errno name (`ENOENT`, `EBUSY`, ...). */
export class SystemError extends Error {
  /** The errno name, or `E<number>` for one not listed here. */
  readonly code: string;
  /** The errno number. */
  readonly errno: number;

  /** Builds the error for `call` failing with `errno`. */
  constructor(call: string, errno: number) {
    const code = ERRNO_NAMES[errno] ?? `E${errno}`;
    super(`${call}: ${ERRNO_TEXT[code] ?? code}`);
    this.name = "SystemError";
    this.code = code;
    this.errno = errno;
  }
}

// Linux errno numbers (x86_64 and arm64 share them: asm-generic/errno-base.h).
const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  4: "EINTR",
  5: "EIO",
  6: "ENXIO",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  16: "EBUSY",
  19: "ENODEV",
  20: "ENOTDIR",
  22: "EINVAL",
  25: "ENOTTY",
  32: "EPIPE",
};

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EPERM: "operation not permitted",
  ENOENT: "no such file or device",
  EINTR: "interrupted",
  EIO: "input/output error",
  ENXIO: "no such device",
  EAGAIN: "try again",
  ENOMEM: "out of memory",
  EACCES: "permission denied (is the user in the video group?)",
  EBUSY: "device busy (another program is using it)",
  ENODEV: "no such device (unplugged?)",
  ENOTDIR: "not a directory",
  EINVAL: "invalid argument",
  ENOTTY: "not a V4L2 device",
  EPIPE: "broken pipe",
};

/** A memory mapping of a device buffer. */
export interface Mapping {
  /** The mapped bytes (valid until `unmap`). */
  readonly bytes: Uint8Array;
  /** Releases the mapping. */
  unmap(): void;
}

/** The C library calls capture uses. Each throws {@link SystemError} on failure. */
export interface LibC {
  /** `open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)`: a file descriptor. */
  openDevice(path: string): number;
  /** `close(fd)`. */
  close(fd: number): void;
  /**
   * `ioctl(fd, request, arg)`, retried on EINTR. Returns false instead of throwing when the call
   * fails with EAGAIN or, where `endOfList` is set, with EINVAL (how V4L2 ends an enumeration).
   */
  ioctl(fd: number, request: number, arg: Uint8Array, endOfList?: boolean): boolean;
  /** `mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset)`. */
  map(fd: number, length: number, offset: number): Mapping;
  /**
   * Resolves true when `fd` is readable (a frame is ready) or has an error pending, false after
   * `timeoutMs`. Never blocks the event loop.
   */
  waitReadable(fd: number, timeoutMs: number): Promise<boolean>;
  /** Whether `waitReadable` works by polling on timers (so callers should not wait early). */
  readonly waitPolls: boolean;
}

/** open(2) flags, equal on x86_64 and arm64 Linux. */
export const O_RDWR = 0x2;
/** Non-blocking I/O: DQBUF answers EAGAIN instead of waiting. */
export const O_NONBLOCK = 0x800;
/** Not inherited by child processes. */
export const O_CLOEXEC = 0x80000;
/** mmap(2) protection and flags. */
export const PROT_READ_WRITE = 0x3;
/** Shared with the driver. */
export const MAP_SHARED = 0x1;
/** poll(2) events. */
export const POLLIN = 0x1;

/**
 * Runs one ioctl `call` (which returns the C result) as {@link LibC.ioctl} specifies: retried on
 * EINTR, false for EAGAIN (and EINVAL at the end of an enumeration), {@link SystemError} otherwise.
 */
export function checkedIoctl(
  call: () => number,
  errno: () => number,
  request: number,
  endOfList: boolean,
): boolean {
  for (;;) {
    if (call() >= 0) return true;
    const e = errno();
    if (e === 4) continue; // EINTR
    if (e === 11 || (endOfList && e === 22)) return false; // EAGAIN, EINVAL
    throw new SystemError(`ioctl 0x${request.toString(16)}`, e);
  }
}

/** `path` as a NUL-terminated C string. */
export function cString(path: string): Uint8Array {
  const bytes = new TextEncoder().encode(path);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}
