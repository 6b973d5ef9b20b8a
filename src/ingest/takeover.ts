/**
 * When a device may take its path from the ingest connection that holds it. A device that restarts
 * (a watchdog reset, a power cut) leaves its old TCP connection half-open: the server only learns
 * it is gone when the idle timeout ends it, and until then the device's own new push would be
 * refused with 409. So a push with the path's valid token (checked before this is asked) takes
 * over from a holder that has sent nothing for {@link SILENT_HOLDER_MS}; a holder that is still
 * sending keeps its path, and the refusal says how to allow takeover at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { takeoverOf } from "./takeover.ts";
 * const holder = { peer: "10.0.0.7", lastActivity: 1000 };
 * assert.deepEqual(takeoverOf(holder, 3500), { take: true, silentMs: 2500 });
 * assert.equal(takeoverOf(holder, 1500).take, false);
 * ```
 *
 * @module
 */

/**
 * A holder silent this long is taken to be gone. Devices send several frames a second (an H.264
 * stream at least one access unit per frame interval), so two seconds without a byte is no pause
 * in a live stream, and short enough that a device is back on its path as soon as it has booted.
 * (So a device that sends less than a frame every two seconds on one long upload can lose its
 * path to another push with the path's token.)
 */
export const SILENT_HOLDER_MS = 2000;

/** The ingest connection publishing a path, as a newcomer to the path sees it. */
export interface PathHolder {
  /** Its peer's address, for logs. */
  readonly peer: string;
  /** Monotonic milliseconds of the last byte it received. */
  readonly lastActivity: number;
}

/** Whether a newcomer may take the path from its holder, and how long the holder was silent. */
export interface Takeover {
  /** Whether the holder is taken to be gone. */
  take: boolean;
  /** Milliseconds since the holder's last byte. */
  silentMs: number;
}

/** Decides a takeover: the holder must have been silent for at least {@link SILENT_HOLDER_MS}. */
export function takeoverOf(holder: PathHolder, now: number): Takeover {
  const silent = now - holder.lastActivity;
  return { take: silent >= SILENT_HOLDER_MS, silentMs: Math.max(0, Math.round(silent)) };
}

/**
 * The reason of a 409 for a path whose ingest holder is still sending: who holds it (the
 * registry's own sentence, `busy`), how a user lets a new device take over at once, and how long
 * the holder has been silent. The fix comes before the detail: a device keeps only the first 127
 * characters of a reason (rtse_push.h `message`).
 */
export function busyReason(busy: string, silentMs: number): string {
  return `${busy}; set "replace": true on the path (or --replace) to take over at once ` +
    `(last data ${silentMs} ms ago; ${SILENT_HOLDER_MS / 1000} s of silence also frees it)`;
}
