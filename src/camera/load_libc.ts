/**
 * Picks the C library binding of the running runtime. Kept apart from `libc.ts` (the interface) so
 * that the two bindings can import the interface without an import cycle.
 *
 * @module
 */

import type { LibC } from "./libc.ts";

let cached: Promise<LibC> | undefined;

/**
 * The C library of this runtime. Rejects with a clear message on runtimes without FFI (Node) or
 * systems without glibc's `libc.so.6`.
 */
export function loadLibC(): Promise<LibC> {
  cached ??= (async () => {
    const g = globalThis as { Bun?: unknown; Deno?: { dlopen?: unknown } };
    if (g.Bun !== undefined) return (await import("./libc_bun.ts")).openBunLibC();
    if (typeof g.Deno?.dlopen === "function") {
      return (await import("./libc_deno.ts")).openDenoLibC();
    }
    throw new Error("camera capture needs Deno (with --allow-ffi) or Bun");
  })();
  return cached;
}
