/**
 * Resolving `a=control` attributes to track URLs (RFC 2326 §C.1.1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveControl } from "./control.ts";
 *
 * assert.equal(resolveControl("rtsp://cam/live/", "trackID=0"), "rtsp://cam/live/trackID=0");
 * assert.equal(resolveControl("rtsp://cam/live", "trackID=0"), "rtsp://cam/live/trackID=0");
 * assert.equal(resolveControl("rtsp://cam/live/", "rtsp://cam/x/1"), "rtsp://cam/x/1");
 * assert.equal(resolveControl("rtsp://cam/live/", "*"), "rtsp://cam/live/");
 * ```
 *
 * @module
 */

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const ORIGIN = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * Resolves a control attribute against the session's base URL (Content-Base, else the request
 * URL). RFC 2326 §C.1.1: an absolute URL is used as is; `*` (or nothing) means the base itself;
 * a relative one is appended to the base with one `/` between them. Appending, not RFC 3986
 * last-segment replacement, is what ffmpeg and live555 do, and it gives the same result as
 * RFC 3986 when the base ends with `/` (what GStreamer 1.24+ needs). ffmpeg keeps a query of the
 * base in front of the appended part (`rtsp://h/p?x=1/trackID=0`); so does this. A control
 * starting with `/` replaces the base's path.
 *
 * @param base The base URL, e.g. `rtsp://host:8554/cam/`.
 * @param control The `a=control` value.
 * @returns The absolute track URL.
 */
export function resolveControl(base: string, control: string): string {
  if (control === "" || control === "*") return base;
  if (SCHEME.test(control)) return control;
  if (control.startsWith("/")) {
    const origin = ORIGIN.exec(base);
    if (origin !== null) return origin[0] + control;
  }
  return base.endsWith("/") ? base + control : base + "/" + control;
}
