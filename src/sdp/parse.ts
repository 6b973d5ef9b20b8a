/**
 * Parsing SDP session descriptions (RFC 4566), e.g. from an RTSP ANNOUNCE.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSdp, resolveControl } from "./parse.ts";
 *
 * const sdp = parseSdp(
 *   "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=No Name\nt=0 0\na=tool:libavformat\n" +
 *     "m=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\na=fmtp:96 packetization-mode=1\n" +
 *     "a=control:streamid=0\n",
 * );
 * const video = sdp.media[0];
 * assert.equal(video.kind, "video");
 * assert.deepEqual(video.rtpmap.get(96), { encoding: "H264", clockRate: 90000 });
 * assert.equal(video.fmtp.get(96), "packetization-mode=1");
 * assert.equal(resolveControl("rtsp://host/pub/", video.control!), "rtsp://host/pub/streamid=0");
 * ```
 *
 * @module
 */

export { resolveControl } from "./control.ts";

/** The only error thrown by the SDP parsers. */
export class SdpError extends Error {
  /** 1-based line number of the offending line; 0 when not about one line. */
  readonly line: number;

  /**
   * Creates the error; the message is prefixed with the line number.
   *
   * @param message What is wrong.
   * @param line 1-based line number, or 0.
   */
  constructor(message: string, line: number) {
    super(line > 0 ? `SDP line ${line}: ${message}` : `SDP: ${message}`);
    this.name = "SdpError";
    this.line = line;
  }
}

/** Media direction attribute (RFC 4566 §6); `sendrecv` when absent. */
export type SdpDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive";

/** The `o=` line (RFC 4566 §5.2). */
export interface SdpOrigin {
  /** User name, `-` when none. */
  username: string;
  /** Session id (numeric string). */
  sessionId: string;
  /** Session version (numeric string). */
  sessionVersion: string;
  /** Network type, `IN`. */
  netType: string;
  /** `IP4` or `IP6`. */
  addrType: string;
  /** Address of the originating host. */
  address: string;
}

/** A `c=` line (RFC 4566 §5.7). */
export interface SdpConnection {
  /** Network type, `IN`. */
  netType: string;
  /** `IP4` or `IP6`. */
  addrType: string;
  /** Connection address, possibly with `/ttl` or `/count`. */
  address: string;
}

/** An `a=rtpmap` value (RFC 4566 §6). */
export interface SdpRtpMap {
  /** Encoding name as written, e.g. "H264", "MPEG4-GENERIC". */
  encoding: string;
  /** RTP clock rate in Hz, never 0. */
  clockRate: number;
  /** Encoding parameters (audio channels), when given. */
  channels?: number;
}

/** One `m=` section. */
export interface ParsedSdpMedia {
  /** Media type: "video", "audio", "application", ... */
  kind: string;
  /** Transport port (0 in RTSP, where SETUP negotiates ports). */
  port: number;
  /** The `/<number of ports>` of the `m=` line, when given. */
  portCount?: number;
  /** Transport protocol, e.g. "RTP/AVP". */
  protocol: string;
  /** Media formats (RTP payload types as decimal strings). */
  formats: string[];
  /** `a=rtpmap` by payload type. */
  rtpmap: Map<number, SdpRtpMap>;
  /** `a=fmtp` parameters by payload type. */
  fmtp: Map<number, string>;
  /** `a=control` value, when present. */
  control?: string;
  /** `i=` media title. */
  info?: string;
  /** Media-level `c=` line. */
  connection?: SdpConnection;
  /** Direction: the media's own attribute, else the session's, else `sendrecv`. */
  direction: SdpDirection;
  /** Every `a=` line of the section as [name, value] (value "" for flags), in order. */
  attributes: [string, string][];
}

/** A parsed session description. */
export interface ParsedSdp {
  /** Protocol version, always 0. */
  version: number;
  /** The `o=` line, when present and well-formed. */
  origin?: SdpOrigin;
  /** Session name (`s=`), "" when absent. */
  name: string;
  /** Session information (`i=`). */
  info?: string;
  /** Session-level `c=` line. */
  connection?: SdpConnection;
  /** Session-level `a=control` (often `*`). */
  control?: string;
  /** Session-level `a=range` value, e.g. `npt=0-` or `npt=now-`. */
  range?: string;
  /** Session-level direction, `sendrecv` when absent. */
  direction: SdpDirection;
  /** Every session-level `a=` line as [name, value], in order. */
  attributes: [string, string][];
  /** The media sections in order. */
  media: ParsedSdpMedia[];
}

/** Largest SDP accepted, in characters: far above any real one (SPS/PPS included). */
export const MAX_SDP_LENGTH = 256 * 1024;
/** Most media sections accepted. */
export const MAX_SDP_MEDIA = 64;

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/; // RFC 4566 §9 token
const PROTO = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const DIRECTIONS = new Set(["sendrecv", "sendonly", "recvonly", "inactive"]);

/** Drops trailing CR, spaces and tabs; a loop, since /[ \t]+$/ is quadratic on long space runs. */
function trimEnd(line: string): string {
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 13 && c !== 32 && c !== 9) break;
    end--;
  }
  return end === line.length ? line : line.slice(0, end);
}

function clip(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + "..." : text);
}

function parsePayloadType(text: string, line: number, what: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) > 127) {
    throw new SdpError(`${what} payload type must be 0..127, got ${clip(text)}`, line);
  }
  return Number(text);
}

function parseConnection(value: string): SdpConnection | undefined {
  const f = value.split(/\s+/);
  return f.length === 3 ? { netType: f[0], addrType: f[1], address: f[2] } : undefined;
}

/** RFC 4566 §5.14: `m=<media> <port>[/<number of ports>] <proto> <fmt> ...` */
function parseMediaLine(value: string, line: number, session: SdpDirection): ParsedSdpMedia {
  const f = value.split(/\s+/);
  if (f.length < 4) throw new SdpError(`media line needs a type, port, proto and format`, line);
  const [kind, portText, protocol, ...formats] = f;
  if (!TOKEN.test(kind)) throw new SdpError(`bad media type ${clip(kind)}`, line);
  const m = /^(\d{1,5})(?:\/(\d{1,5}))?$/.exec(portText);
  if (m === null || Number(m[1]) > 65535 || (m[2] !== undefined && Number(m[2]) === 0)) {
    throw new SdpError(`bad media port ${clip(portText)}`, line);
  }
  if (!PROTO.test(protocol)) throw new SdpError(`bad media protocol ${clip(protocol)}`, line);
  for (const fmt of formats) {
    if (!TOKEN.test(fmt)) throw new SdpError(`bad media format ${clip(fmt)}`, line);
  }
  const media: ParsedSdpMedia = {
    kind,
    port: Number(m[1]),
    protocol,
    formats,
    rtpmap: new Map(),
    fmtp: new Map(),
    direction: session,
    attributes: [],
  };
  if (m[2] !== undefined) media.portCount = Number(m[2]);
  return media;
}

/** RFC 4566 §6: `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]` */
function parseRtpMap(value: string, line: number): [number, SdpRtpMap] {
  const m = /^(\S+)\s+([^\s/]+)\/([^\s/]*)(?:\/([^\s/]*))?$/.exec(value);
  if (m === null) throw new SdpError(`bad rtpmap ${clip(value)}`, line);
  const pt = parsePayloadType(m[1], line, "rtpmap");
  // gortsplib once panicked on a clock rate of 0 (division by zero); refuse it here.
  if (!/^\d{1,10}$/.test(m[3]) || Number(m[3]) === 0 || Number(m[3]) > 0xffffffff) {
    throw new SdpError(`rtpmap clock rate must be a positive integer, got ${clip(m[3])}`, line);
  }
  const map: SdpRtpMap = { encoding: m[2], clockRate: Number(m[3]) };
  if (m[4] !== undefined) {
    if (!/^\d{1,3}$/.test(m[4]) || Number(m[4]) === 0) {
      throw new SdpError(`rtpmap channels must be a positive integer, got ${clip(m[4])}`, line);
    }
    map.channels = Number(m[4]);
  }
  return [pt, map];
}

/**
 * Parses an SDP session description.
 *
 * Accepts CRLF or bare LF line ends, blank lines and trailing spaces; ignores unknown line types
 * (RFC 4566 §5). Rejects text not starting with `v=0`, lines not of the form `<letter>=`, `m=`
 * lines with a bad port or protocol, and `a=rtpmap`/`a=fmtp` with a bad payload type, clock rate
 * or channel count. Does only linear work on at most {@linkcode MAX_SDP_LENGTH} characters.
 *
 * @param text The SDP text.
 * @returns The session and its media.
 * @throws {SdpError} When the text is not acceptable; never any other error.
 */
export function parseSdp(text: string): ParsedSdp {
  if (typeof text !== "string") throw new SdpError("not a string", 0);
  if (text.length > MAX_SDP_LENGTH) {
    throw new SdpError(`longer than ${MAX_SDP_LENGTH} characters`, 0);
  }
  const sdp: ParsedSdp = {
    version: -1,
    name: "",
    direction: "sendrecv",
    attributes: [],
    media: [],
  };
  let media: ParsedSdpMedia | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = trimEnd(lines[i]);
    if (line === "") continue;
    if (line.length < 2 || line[1] !== "=" || line[0] < "a" || line[0] > "z") {
      throw new SdpError(`not a "<type>=<value>" line: ${clip(line)}`, n);
    }
    const type = line[0];
    const value = line.slice(2);
    if (sdp.version < 0) {
      // RFC 4566 §5.1: the description starts with v=0.
      if (type !== "v" || value !== "0") throw new SdpError("must start with v=0", n);
      sdp.version = 0;
      continue;
    }
    switch (type) {
      case "o": {
        const f = value.split(/\s+/);
        if (f.length === 6) {
          const [username, sessionId, sessionVersion, netType, addrType, address] = f;
          sdp.origin = { username, sessionId, sessionVersion, netType, addrType, address };
        }
        break;
      }
      case "s":
        if (media === undefined) sdp.name = value.trim();
        break;
      case "i":
        if (media === undefined) sdp.info = value;
        else media.info = value;
        break;
      case "c": {
        const c = parseConnection(value);
        if (c === undefined) break;
        if (media === undefined) sdp.connection = c;
        else media.connection = c;
        break;
      }
      case "m":
        if (sdp.media.length >= MAX_SDP_MEDIA) {
          throw new SdpError(`more than ${MAX_SDP_MEDIA} media sections`, n);
        }
        media = parseMediaLine(value, n, sdp.direction);
        sdp.media.push(media);
        break;
      case "a":
        addAttribute(sdp, media, value, n);
        break;
    }
  }
  if (sdp.version < 0) throw new SdpError("must start with v=0", 0);
  return sdp;
}

function addAttribute(
  sdp: ParsedSdp,
  media: ParsedSdpMedia | undefined,
  value: string,
  line: number,
): void {
  const colon = value.indexOf(":");
  const name = colon < 0 ? value : value.slice(0, colon);
  const val = colon < 0 ? "" : value.slice(colon + 1);
  (media ?? sdp).attributes.push([name, val]);
  if (DIRECTIONS.has(name) && colon < 0) {
    (media ?? sdp).direction = name as SdpDirection;
    // A session-level direction applies to the media sections that do not set their own.
    if (media === undefined) return;
  }
  if (name === "control") {
    (media ?? sdp).control = val.trim();
    return;
  }
  if (media === undefined) {
    if (name === "range") sdp.range = val.trim();
    return;
  }
  if (name === "rtpmap") {
    const [pt, map] = parseRtpMap(val.trim(), line);
    if (!media.rtpmap.has(pt)) media.rtpmap.set(pt, map);
  } else if (name === "fmtp") {
    const m = /^(\S+)(?:\s+(.*))?$/.exec(val.trim());
    if (m === null) throw new SdpError(`bad fmtp ${clip(val)}`, line);
    const pt = parsePayloadType(m[1], line, "fmtp");
    if (!media.fmtp.has(pt)) media.fmtp.set(pt, m[2] ?? "");
  }
}
