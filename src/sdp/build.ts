/**
 * Building the SDP (RFC 4566) an RTSP server returns for DESCRIBE (RFC 2326 Appendix C).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildSdp } from "./build.ts";
 *
 * const sdp = buildSdp({
 *   sessionId: "1234",
 *   sessionVersion: "1",
 *   originAddress: "192.0.2.10",
 *   name: "cam",
 *   media: [
 *     { kind: "video", payloadType: 96, encoding: "H264", clockRate: 90000, control: "trackID=0" },
 *   ],
 * });
 * assert.equal(
 *   sdp,
 *   "v=0\r\no=- 1234 1 IN IP4 192.0.2.10\r\ns=cam\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n" +
 *     "a=range:npt=now-\r\na=control:*\r\n" +
 *     "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n",
 * );
 * ```
 *
 * @module
 */

import type { AudioFormat } from "../codec/audio_format.ts";
import { audioRtpmap } from "./audio_rtpmap.ts";

/** One `m=` section: an RTP stream of the session. */
export interface SdpMediaDescription {
  /** The media type of the `m=` line. */
  kind: "video" | "audio" | "application";
  /** RTP payload type, 0..127 (96..127 are dynamic). */
  payloadType: number;
  /** Encoding name for `a=rtpmap`, e.g. "H264", "JPEG", "PCMA". */
  encoding: string;
  /** RTP clock rate in Hz, e.g. 90000 for video. */
  clockRate: number;
  /** Audio channel count for `a=rtpmap`, when not 1. */
  channels?: number;
  /** The `a=control` URL of the track, usually relative (e.g. "trackID=0"). */
  control: string;
  /** The `a=fmtp` parameters, e.g. from `h264Fmtp()`. */
  fmtp?: string;
  /** Frames per second for `a=framerate` (written with up to 3 decimals). */
  framerate?: number;
  /** Picture width for `a=framesize` / `a=x-dimensions`; give it with `height`. */
  width?: number;
  /** Picture height for `a=framesize` / `a=x-dimensions`; give it with `width`. */
  height?: number;
}

/**
 * An audio `m=` section given by its format: the payload type, `a=rtpmap` and `a=fmtp` follow
 * from it ({@linkcode audioRtpmap}). It has its own control URL, like any track.
 */
export interface SdpAudioMediaDescription {
  /** Always `audio`. */
  kind: "audio";
  /** What the track carries. */
  format: AudioFormat;
  /** The `a=control` URL of the track, usually relative (e.g. "trackID=1"). */
  control: string;
  /**
   * The dynamic payload type (96..127) for a format without a static one; 97 by default. PCMU
   * and PCMA at 8000 Hz mono always take their static types, 0 and 8.
   */
  payloadType?: number;
}

/** A whole session for {@linkcode buildSdp}. */
export interface SdpSessionDescription {
  /** The `o=` sess-id: decimal digits, unique per session (RFC 4566 §5.2). */
  sessionId: string;
  /** The `o=` sess-version: decimal digits, increased when the description changes. */
  sessionVersion: string;
  /** The server's address for `o=`: an IPv4 or IPv6 literal. */
  originAddress: string;
  /** Session name for `s=`; empty gives `s= ` as RFC 4566 §5.3 asks. */
  name: string;
  /** Session information for `i=`. */
  info?: string;
  /** Tool name and version for `a=tool:`. */
  tool?: string;
  /** The media sections, in track order. */
  media: (SdpMediaDescription | SdpAudioMediaDescription)[];
}

const ENCODING = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function checkText(name: string, value: string): void {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string, got ${value}`);
  // RFC 4566 §9: text is any byte except NUL, CR and LF; a CR/LF would inject SDP lines.
  if (/[\0\r\n]/.test(value)) {
    throw new TypeError(`${name} must not contain CR, LF or NUL, got ${JSON.stringify(value)}`);
  }
}

function checkDigits(name: string, value: string): void {
  // RFC 4566 §5.2: sess-id and sess-version are numeric strings (NTP-sized, so up to 20 digits).
  if (typeof value !== "string" || !/^\d{1,20}$/.test(value)) {
    throw new TypeError(`${name} must be 1 to 20 decimal digits, got ${JSON.stringify(value)}`);
  }
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function isIpv6(addr: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(addr)) return false;
  let hex = addr;
  const lastColon = addr.lastIndexOf(":");
  if (lastColon < 0) return false;
  if (addr.includes(".")) {
    // An embedded IPv4 address (::ffff:192.0.2.1) stands for the last two groups.
    if (!IPV4.test(addr.slice(lastColon + 1))) return false;
    hex = addr.slice(0, lastColon + 1) + "0:0";
  }
  const halves = hex.split("::");
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const all = halves.flatMap(groups);
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 1 ? all.length === 8 : all.length <= 7;
}

/** `a=framerate` value: an integer, or a number with at most 3 decimals (29.97, 23.976). */
function formatRate(fps: number): string {
  return Number.isInteger(fps) ? String(fps) : fps.toFixed(3).replace(/\.?0+$/, "");
}

/**
 * Builds an SDP session description with CRLF line ends.
 *
 * The connection line is always the unspecified address (`c=IN IP4 0.0.0.0` or `c=IN IP6 ::`,
 * matching the origin's family): RTSP negotiates addresses in SETUP, and VLC switches to multicast
 * whenever `c=` holds a multicast address. Media ports are 0 for the same reason (RFC 2326 C.1).
 *
 * @param desc The session and its media.
 * @returns The SDP text.
 * @throws {TypeError} When a string holds CR, LF or NUL, an id is not decimal digits, the address
 *   is not an IP literal, or a name is not a token.
 * @throws {RangeError} When a number is out of range.
 */
export function buildSdp(desc: SdpSessionDescription): string {
  checkDigits("sessionId", desc.sessionId);
  checkDigits("sessionVersion", desc.sessionVersion);
  const addr = desc.originAddress;
  checkText("originAddress", addr);
  const family = IPV4.test(addr) ? "IP4" : isIpv6(addr) ? "IP6" : undefined;
  if (family === undefined) {
    throw new TypeError(
      `originAddress must be an IPv4 or IPv6 literal, got ${JSON.stringify(addr)}`,
    );
  }
  checkText("name", desc.name);
  const lines = [
    "v=0",
    `o=- ${desc.sessionId} ${desc.sessionVersion} IN ${family} ${addr}`,
    `s=${desc.name === "" ? " " : desc.name}`,
  ];
  if (desc.info !== undefined) {
    checkText("info", desc.info);
    lines.push(`i=${desc.info}`);
  }
  lines.push(family === "IP4" ? "c=IN IP4 0.0.0.0" : "c=IN IP6 ::", "t=0 0");
  if (desc.tool !== undefined) {
    checkText("tool", desc.tool);
    lines.push(`a=tool:${desc.tool}`);
  }
  lines.push("a=range:npt=now-", "a=control:*");
  for (const [i, m] of desc.media.entries()) {
    const at = `media[${i}]`;
    lines.push(...mediaLines("format" in m ? audioMedia(m, at) : m, at));
  }
  return lines.join("\r\n") + "\r\n";
}

/**
 * The plain description of an audio section given by its format.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { audioMediaDescription } from "./build.ts";
 *
 * assert.deepEqual(
 *   audioMediaDescription({
 *     kind: "audio",
 *     format: { codec: "l16", clockRate: 16000, channels: 1 },
 *     control: "trackID=1",
 *   }),
 *   {
 *     kind: "audio",
 *     payloadType: 97,
 *     encoding: "L16",
 *     clockRate: 16000,
 *     channels: 1,
 *     control: "trackID=1",
 *   },
 * );
 * ```
 *
 * @param m The audio section.
 * @returns The section as {@linkcode buildSdp} writes it.
 * @throws {TypeError | RangeError} As {@linkcode audioRtpmap} does.
 */
export function audioMediaDescription(m: SdpAudioMediaDescription): SdpMediaDescription {
  return audioMedia(m, "media");
}

function audioMedia(m: SdpAudioMediaDescription, at: string): SdpMediaDescription {
  if (m.kind !== "audio") {
    throw new TypeError(`${at}.kind must be "audio" with a format, got ${m.kind}`);
  }
  const { payloadType, encoding, clockRate, channels, fmtp } = audioRtpmap(
    m.format,
    m.payloadType,
    `${at}.format`,
  );
  const out: SdpMediaDescription = {
    kind: "audio",
    payloadType,
    encoding,
    clockRate,
    control: m.control,
  };
  if (channels !== undefined) out.channels = channels;
  if (fmtp !== undefined) out.fmtp = fmtp;
  return out;
}

function mediaLines(m: SdpMediaDescription, at: string): string[] {
  if (m.kind !== "video" && m.kind !== "audio" && m.kind !== "application") {
    throw new TypeError(`${at}.kind must be "video", "audio" or "application", got ${m.kind}`);
  }
  checkInt(`${at}.payloadType`, m.payloadType, 0, 127);
  checkText(`${at}.encoding`, m.encoding);
  if (!ENCODING.test(m.encoding)) {
    throw new TypeError(
      `${at}.encoding must be a token like "H264", got ${JSON.stringify(m.encoding)}`,
    );
  }
  checkInt(`${at}.clockRate`, m.clockRate, 1, 0xffffffff);
  const pt = m.payloadType;
  let rtpmap = `a=rtpmap:${pt} ${m.encoding}/${m.clockRate}`;
  if (m.channels !== undefined) {
    checkInt(`${at}.channels`, m.channels, 1, 255);
    rtpmap += `/${m.channels}`;
  }
  const lines = [`m=${m.kind} 0 RTP/AVP ${pt}`, rtpmap];
  if (m.fmtp !== undefined) {
    checkText(`${at}.fmtp`, m.fmtp);
    lines.push(`a=fmtp:${pt} ${m.fmtp}`);
  }
  if (m.framerate !== undefined) {
    if (!Number.isFinite(m.framerate) || m.framerate <= 0 || m.framerate > 1000) {
      throw new RangeError(`${at}.framerate must be above 0 and at most 1000, got ${m.framerate}`);
    }
    lines.push(`a=framerate:${formatRate(m.framerate)}`);
  }
  if (m.width !== undefined || m.height !== undefined) {
    if (m.width === undefined || m.height === undefined) {
      throw new TypeError(`${at}.width and ${at}.height must be given together`);
    }
    checkInt(`${at}.width`, m.width, 1, 65535);
    checkInt(`${at}.height`, m.height, 1, 65535);
    // Neither attribute is standard; clients that do not parse the SPS read the size from one of
    // them (a=framesize: 3GPP / Android stagefright; a=x-dimensions: as Axis-style cameras write).
    lines.push(`a=framesize:${pt} ${m.width}-${m.height}`, `a=x-dimensions:${m.width},${m.height}`);
  }
  checkText(`${at}.control`, m.control);
  if (m.control === "" || /\s/.test(m.control)) {
    throw new TypeError(`${at}.control must be a non-empty URL without spaces, got ${m.control}`);
  }
  lines.push(`a=control:${m.control}`);
  return lines;
}
