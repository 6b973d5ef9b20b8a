/**
 * How a request URL names a mount path and a track, and the one spelling mount paths are kept in.
 *
 * Track URLs come in three layouts (INTEROP.md), all accepted:
 * - `rtsp://host/stream/trackID=0`: `Content-Base` plus the relative `a=control` (GStreamer, ffmpeg);
 * - `rtsp://host/stream?token=x/trackID=0`: ffmpeg appends the control after the query string;
 * - `rtsp://host/stream`: an aggregate SETUP (VLC), taken as the single track.
 *
 * @module
 */

import { RtspError } from "../rtsp/status.ts";
import { parseRtspUrl, stripCredentials } from "../rtsp/url.ts";

/** The `a=control` value of track `n` (relative to `Content-Base`, RFC 2326 §C.1.1). */
export function trackControl(n: number): string {
  return `trackID=${n}`;
}

const TRACK_SUFFIX = /\/trackID=(\d{1,3})$/;

/** A request URL taken apart: the mount path and, for a track URL, the track number. */
export interface RequestTarget {
  /** Normalized mount path, e.g. `/stream`. */
  path: string;
  /** Track number, or undefined for the aggregate (the whole stream). */
  track: number | undefined;
}

/**
 * Puts a path in the one spelling mount points are kept in: a leading `/`, no trailing `/`, no empty,
 * `.` or `..` segments. Throws `RangeError` for paths that cannot name a stream.
 */
export function normalizePath(path: string): string {
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new RangeError(`a stream path must start with "/", got ${JSON.stringify(path)}`);
  }
  const segments = path.split("/").filter((s) => s !== "");
  for (const s of segments) {
    // deno-lint-ignore no-control-regex
    if (s === "." || s === ".." || /[\x00-\x20\x7f?#]/.test(s)) {
      throw new RangeError(`a stream path may not contain ${JSON.stringify(s)}`);
    }
  }
  return "/" + segments.join("/");
}

/**
 * Finds the mount path and track a request URL names. Throws `RtspError(400)` for a URL that is not
 * an RTSP URL, and for `*`, which names no stream (HARDENING item 9).
 */
export function parseRequestTarget(url: string): RequestTarget {
  let parsed;
  try {
    parsed = parseRtspUrl(url);
  } catch {
    throw new RtspError(400, "Bad Request (not an RTSP URL)");
  }
  if ("star" in parsed) throw new RtspError(400, "Bad Request (* names no stream)");
  let path = parsed.path;
  let track: number | undefined;
  const inQuery = TRACK_SUFFIX.exec(parsed.query);
  const inPath = TRACK_SUFFIX.exec(path);
  if (inQuery) {
    track = Number(inQuery[1]);
  } else if (inPath) {
    track = Number(inPath[1]);
    path = path.slice(0, inPath.index);
  }
  try {
    return { path: normalizePath(path === "" ? "/" : path), track };
  } catch {
    throw new RtspError(400, "Bad Request (malformed path)");
  }
}

/**
 * The `Content-Base` for a DESCRIBE of `url`: the URL without credentials, ending in `/` so that
 * RFC 3986 resolution of `trackID=0` lands below it (GStreamer 1.24+, INTEROP.md).
 */
export function contentBase(url: string): string {
  const base = stripCredentials(url);
  return base.endsWith("/") ? base : base + "/";
}
