/**
 * The Range header (RFC 2326 §12.29) with Normal Play Time (§3.6); SMPTE (§3.5) and absolute
 * clock (§3.7) ranges are recognised and kept raw.
 *
 * @module
 */

import { HeaderError } from "./header_error.ts";
import { isSafeFieldValue, printable } from "./syntax.ts";

/** An NPT instant: seconds from the start of the presentation, or `now` for live streams. */
export type NptTime = number | "now";

/** A parsed Range header. `time` is the raw `;time=` parameter (when the range takes effect). */
export type RangeValue =
  | { unit: "npt"; start?: NptTime; end?: NptTime; time?: string }
  | { unit: "smpte"; format: string; raw: string; time?: string }
  | { unit: "clock"; raw: string; time?: string };

/**
 * Parses a Range header value.
 *
 * NPT forms (RFC 2326 §3.6): `npt=0-`, `npt=now-`, `npt=1.5-3.25`, `npt=-20`,
 * `npt=00:01:02.5-` (h:mm:ss with minutes and seconds 0–59). `smpte=`, `smpte-25=`,
 * `smpte-30-drop=` and `clock=` are returned with their text after `=` unparsed.
 *
 * @throws {HeaderError} 400 for malformed syntax or several ranges in one header; 457 (Invalid
 * Range) when an NPT start is after its end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRange } from "./range.ts";
 * assert.deepEqual(parseRange("npt=0.000-"), { unit: "npt", start: 0 });
 * assert.deepEqual(parseRange("npt=00:01:02.5-70"), { unit: "npt", start: 62.5, end: 70 });
 * ```
 */
export function parseRange(value: string): RangeValue {
  const [spec, ...params] = value.split(";");
  let time: string | undefined;
  for (const param of params) {
    const eq = param.indexOf("=");
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    if (name === "time" && eq >= 0) time = param.slice(eq + 1).trim();
    else throw bad(`unknown Range parameter ${printable(param.trim())}`);
  }
  const trimmed = spec.trim();
  if (trimmed.includes(",")) throw bad("several ranges in one Range header are not supported");
  const eq = trimmed.indexOf("=");
  if (eq < 0) throw bad(`Range ${printable(trimmed)} has no unit`);
  const unit = trimmed.slice(0, eq).trim().toLowerCase();
  const raw = trimmed.slice(eq + 1).trim();
  if (raw === "" || !isSafeFieldValue(raw)) throw bad(`empty or bad ${printable(unit)} range`);
  const extra = time === undefined ? {} : { time };
  if (unit === "clock") return { unit: "clock", raw, ...extra };
  if (unit === "smpte" || /^smpte-[0-9a-z-]+$/.test(unit)) {
    return { unit: "smpte", format: unit, raw, ...extra };
  }
  if (unit !== "npt") throw bad(`unknown Range unit ${printable(unit)}`);

  // RFC 2326 §3.6: npt-range = ( npt-time "-" [ npt-time ] ) | ( "-" npt-time ).
  const dash = raw.indexOf("-");
  if (dash < 0) throw bad(`npt range ${printable(raw)} has no "-"`);
  const startText = raw.slice(0, dash).trim();
  const endText = raw.slice(dash + 1).trim();
  if (startText === "" && endText === "") throw bad("npt range has neither start nor end");
  const result: RangeValue = { unit: "npt", ...extra };
  if (startText !== "") result.start = parseNptTime(startText);
  if (endText !== "") result.end = parseNptTime(endText);
  if (
    typeof result.start === "number" && typeof result.end === "number" &&
    result.start > result.end
  ) {
    throw new HeaderError(457, `npt range ${printable(raw)} starts after it ends`);
  }
  return result;
}

function parseNptTime(text: string): NptTime {
  if (text === "now") return "now";
  // npt-sec = 1*DIGIT [ "." *DIGIT ]; the digit caps keep values finite and exact enough.
  if (/^[0-9]{1,12}(\.[0-9]{0,9})?$/.test(text)) return Number(text);
  // npt-hhmmss = npt-hh ":" npt-mm ":" npt-ss [ "." *DIGIT ], mm and ss in 0-59.
  const m = /^([0-9]{1,9}):([0-9]{1,2}):([0-9]{1,2})(\.[0-9]{0,9})?$/.exec(text);
  if (m && Number(m[2]) < 60 && Number(m[3]) < 60) {
    return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(`0${m[4] ?? ""}`);
  }
  throw bad(`bad npt time ${printable(text)}`);
}

function bad(message: string): HeaderError {
  return new HeaderError(400, message);
}

/**
 * Formats a Range header value. NPT seconds are written with millisecond precision
 * (`npt=0.000-`, the form live555 and ffmpeg use).
 *
 * @throws {RangeError} when an NPT time is negative or not finite, or the start is after the end.
 * @throws {TypeError} when a raw SMPTE/clock range or `time` holds control characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRange } from "./range.ts";
 * assert.equal(formatRange({ unit: "npt", start: 0 }), "npt=0.000-");
 * assert.equal(formatRange({ unit: "npt", start: "now" }), "npt=now-");
 * ```
 */
export function formatRange(range: RangeValue): string {
  let out: string;
  if (range.unit === "npt") {
    const { start, end } = range;
    if (typeof start === "number" && typeof end === "number" && start > end) {
      throw new RangeError(`npt range starts after it ends: ${start}-${end}`);
    }
    if (start === undefined && end === undefined) {
      throw new RangeError("npt range needs a start or an end");
    }
    out = `npt=${formatNpt(start)}-${formatNpt(end)}`;
  } else {
    if (!isSafeFieldValue(range.raw) || range.raw.includes(";")) {
      throw new TypeError(`bad raw range ${printable(range.raw)}`);
    }
    if (range.unit === "smpte" && !/^smpte(-[0-9a-z-]+)?$/.test(range.format)) {
      throw new TypeError(`bad SMPTE format ${printable(range.format)}`);
    }
    out = range.unit === "clock" ? `clock=${range.raw}` : `${range.format}=${range.raw}`;
  }
  if (range.time !== undefined) {
    if (!isSafeFieldValue(range.time) || range.time.includes(";")) {
      throw new TypeError(`bad Range time ${printable(range.time)}`);
    }
    out += `;time=${range.time}`;
  }
  return out;
}

function formatNpt(t: NptTime | undefined): string {
  if (t === undefined) return "";
  if (t === "now") return "now";
  if (!Number.isFinite(t) || t < 0) throw new RangeError(`npt time must be >= 0, got ${t}`);
  return t.toFixed(3);
}
