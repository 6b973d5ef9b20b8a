/**
 * A full garbage collection, where the runtime offers one to programs: Bun's `Bun.gc(true)`. An
 * idle process allocates nothing, so a collection would otherwise wait for the next burst of work
 * while what a stopped source left (frames, packets, an encoder Worker's buffers) stays resident.
 * Deno (V8) collects on idle by itself and exposes no call without `--expose-gc`.
 *
 * @module
 */

/** Collects now if the runtime lets a program ask; whether it did. */
export function collectGarbage(): boolean {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (!bun) return false;
  bun.gc(true);
  return true;
}
