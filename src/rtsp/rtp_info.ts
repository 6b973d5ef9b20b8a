/**
 * The RTP-Info header (RFC 2326 §12.33), sent in PLAY responses.
 *
 * @module
 */

import { HeaderError } from "./header_error.ts";
import { isVisibleAscii, printable } from "./syntax.ts";

/** One stream of an RTP-Info header. */
export interface RtpInfoEntry {
  /** The stream's control URL. */
  url: string;
  /** Sequence number of the first packet after PLAY (0–65535). */
  seq?: number;
  /** RTP timestamp matching the Range start (0–2^32-1). */
  rtptime?: number;
}

/**
 * Formats RTP-Info: `url=...;seq=...;rtptime=...` per stream, comma-separated.
 *
 * @throws {TypeError} when a URL is empty or holds white space or control characters.
 * @throws {RangeError} when `seq` is outside 0–65535 or `rtptime` outside 0–2^32-1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRtpInfo } from "./rtp_info.ts";
 * assert.equal(
 *   formatRtpInfo([{ url: "rtsp://cam/live/trackID=0", seq: 17, rtptime: 90000 }]),
 *   "url=rtsp://cam/live/trackID=0;seq=17;rtptime=90000",
 * );
 * ```
 */
export function formatRtpInfo(entries: RtpInfoEntry[]): string {
  return entries.map((e) => {
    if (!isVisibleAscii(e.url)) throw new TypeError(`bad RTP-Info url ${printable(e.url)}`);
    let out = `url=${e.url}`;
    if (e.seq !== undefined) out += `;seq=${checked("seq", e.seq, 0xffff)}`;
    if (e.rtptime !== undefined) out += `;rtptime=${checked("rtptime", e.rtptime, 0xffffffff)}`;
    return out;
  }).join(",");
}

function checked(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new RangeError(`RTP-Info ${name} must be an integer in 0-${max}, got ${v}`);
  }
  return v;
}

/**
 * Parses RTP-Info. Each stream starts with `url=`; a URL may itself contain `,` or `;`, so a
 * piece that does not start with `url=` (or a known parameter) is glued back onto the URL.
 * A quoted URL (RTSP 2.0 style, sent by some servers) is unquoted. Unknown parameters (e.g.
 * `ssrc`) are ignored.
 *
 * @throws {HeaderError} with status 400 when an entry has no url, or seq/rtptime are not
 * decimal numbers in range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRtpInfo } from "./rtp_info.ts";
 * assert.deepEqual(parseRtpInfo("url=rtsp://cam/a/trackID=0;seq=1;rtptime=2"), [
 *   { url: "rtsp://cam/a/trackID=0", seq: 1, rtptime: 2 },
 * ]);
 * ```
 */
export function parseRtpInfo(value: string): RtpInfoEntry[] {
  // Regroup comma-separated pieces so that each group starts with `url=`.
  const groups: string[] = [];
  for (const piece of value.split(",")) {
    if (/^\s*url\s*=/i.test(piece) || groups.length === 0) groups.push(piece);
    else groups[groups.length - 1] += "," + piece;
  }
  return groups.filter((g) => g.trim() !== "").map(parseEntry);
}

function parseEntry(text: string): RtpInfoEntry {
  const pieces = text.split(";");
  const first = /^\s*url\s*=\s*(.*)$/i.exec(pieces[0]);
  if (!first) throw new HeaderError(400, `RTP-Info entry without url: ${printable(text)}`);
  let url = first[1];
  const params: string[] = [];
  for (const piece of pieces.slice(1)) {
    if (params.length === 0 && !/^\s*(seq|rtptime|ssrc)\s*=/i.test(piece)) url += ";" + piece;
    else params.push(piece);
  }
  url = url.trim();
  if (url.length >= 2 && url.startsWith('"') && url.endsWith('"')) url = url.slice(1, -1);
  if (!isVisibleAscii(url)) throw new HeaderError(400, `bad RTP-Info url ${printable(url)}`);
  const entry: RtpInfoEntry = { url };
  for (const param of params) {
    const eq = param.indexOf("=");
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? "" : param.slice(eq + 1).trim();
    if (name === "seq") entry.seq = number("seq", v, 0xffff);
    else if (name === "rtptime") entry.rtptime = number("rtptime", v, 0xffffffff);
  }
  return entry;
}

function number(name: string, v: string, max: number): number {
  if (!/^[0-9]{1,10}$/.test(v) || Number(v) > max) {
    throw new HeaderError(400, `bad RTP-Info ${name} ${printable(v)}`);
  }
  return Number(v);
}
