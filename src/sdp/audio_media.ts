/**
 * Reading an audio `m=` section (RFC 4566 §5.14) into the {@link AudioFormat} a path can carry and
 * its payload type, with the traps real senders set (MEDIA.md §1.2) handled, and a reason for
 * every section that cannot be carried, so a server can log which tracks it refused and why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSdp } from "./parse.ts";
 * import { readAudioMedia } from "./audio_media.ts";
 *
 * const sdp = parseSdp(
 *   "v=0\r\ns=x\r\nt=0 0\r\n" +
 *     "m=audio 0 RTP/AVP 96\r\na=rtpmap:96 mpeg4-generic/16000/1\r\n" +
 *     "a=fmtp:96 streamtype=5;profile-level-id=15;mode=AAC-hbr;config=1408;" +
 *     "sizeLength=13;indexLength=3;indexDeltaLength=3\r\n" +
 *     "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 G726-32/8000\r\n",
 * );
 * const aac = readAudioMedia(sdp.media[0]);
 * assert.equal(aac.kind, "audio");
 * assert.deepEqual(aac.kind === "audio" && aac.format, {
 *   codec: "aac",
 *   clockRate: 16000,
 *   channels: 1,
 *   config: new Uint8Array([0x14, 0x08]),
 * });
 * assert.deepEqual(readAudioMedia(sdp.media[1]), {
 *   kind: "refused",
 *   reason: "G726-32 is not carried",
 * });
 * ```
 *
 * @module
 */

import { type AudioFormat, STATIC_AUDIO_PAYLOAD_TYPES } from "../codec/audio_format.ts";
import { printable } from "../rtsp/syntax.ts";
import type { ParsedSdpMedia } from "./parse.ts";

/** The AU-header sizes of an RFC 3640 stream (§3.2.1), which its depacketizer needs. */
export interface AacAuHeaderSizes {
  /** Bits of each AU-size field: 13 in AAC-hbr (RFC 3640 §3.3.6). */
  sizeLength: number;
  /** Bits of the first AU-index field: 3 in AAC-hbr; 0 when the fmtp leaves it out (§4.1). */
  indexLength: number;
  /** Bits of each further AU-index-delta field: 3 in AAC-hbr; 0 when left out (§4.1). */
  indexDeltaLength: number;
}

/** A section that can be carried as it is. */
export interface AudioMediaTaken {
  /** Carried as it is. */
  kind: "audio";
  /** The RTP payload type packets of this format carry. */
  payloadType: number;
  /** The format to carry and serve. */
  format: AudioFormat;
  /** For `mpeg4-generic`: the AU-header sizes from the fmtp. */
  aac?: AacAuHeaderSizes;
  /** What was tolerated on the way, one sentence each, for the log (e.g. `opus/48000/1`). */
  notes: string[];
}

/**
 * AAC in LATM (`MP4A-LATM`, RFC 6416 §7.3): not carried as is (the edge serves AAC as
 * `mpeg4-generic`, MEDIA.md §1.2), but convertible; everything the conversion needs is here.
 */
export interface AudioMediaLatm {
  /** MP4A-LATM, to convert. */
  kind: "latm";
  /** The RTP payload type. */
  payloadType: number;
  /** The RTP clock rate. */
  clockRate: number;
  /** Channels from the rtpmap, 1 when not given. */
  channels: number;
  /** `cpresent` (RFC 6416 §7.3): 1 (the default) when the StreamMuxConfig travels in-band. */
  cpresent: boolean;
  /** `config`: the StreamMuxConfig as hex (lower-cased), "" when absent. */
  configHex: string;
  /** `config` as bytes, when present. */
  config?: Uint8Array;
  /** The whole fmtp value, for the other parameters (`object`, `profile-level-id`, ...). */
  fmtp: string;
  /** What was tolerated on the way. */
  notes: string[];
}

/** A section that cannot be carried, and why (one sentence, peer text quoted). */
export interface AudioMediaRefused {
  /** Not carried. */
  kind: "refused";
  /** E.g. `G726-32 is not carried`, or the reasons for each format, joined by "; ". */
  reason: string;
}

/** What {@linkcode readAudioMedia} found. */
export type AudioMediaRead = AudioMediaTaken | AudioMediaLatm | AudioMediaRefused;

/** RFC 3551 Table 4: the static audio payload types this edge does not carry, by name. */
const STATIC_NAMES: ReadonlyMap<number, string> = new Map([
  [3, "GSM"],
  [4, "G723"],
  [5, "DVI4"],
  [6, "DVI4"],
  [7, "LPC"],
  [9, "G722"],
  [12, "QCELP"],
  [13, "CN"],
  [14, "MPA"],
  [15, "G728"],
  [16, "DVI4"],
  [17, "DVI4"],
  [18, "G729"],
]);

/** Refuses one format; caught per format by {@linkcode readAudioMedia}. */
class Refused extends Error {}

/**
 * Reads an audio section: the first of its formats (in `m=` order, the sender's preference, RFC
 * 3264 §5.1) that can be carried, or why none can. Never throws.
 *
 * Traps handled:
 * - static payload types 0, 8, 10 and 11 without an `a=rtpmap` (RFC 3551 Table 4);
 * - an `a=fmtp` under another payload type than the rtpmap's (Hikvision: fmtp on 97, rtpmap on
 *   104, gortsplib#658): used when the section has exactly one format and one fmtp;
 * - `opus/48000/1` (Thingino, OpenIPC): read as mono, to serve as `opus/48000/2` with
 *   `sprop-stereo=0` (RFC 7587 §7);
 * - `MP4A-LATM`: a result of its own kind, for the caller to convert;
 * - `mpeg4-generic` without `config` or `sizelength`: refused, as gortsplib does, since neither
 *   the decoder nor the depacketizer can do without them.
 *
 * @param media One section from `parseSdp`.
 * @returns The format and payload type, the LATM parameters, or the reason it is refused.
 */
export function readAudioMedia(media: ParsedSdpMedia): AudioMediaRead {
  try {
    if (media.kind !== "audio") {
      return { kind: "refused", reason: `not an audio section (${printable(media.kind, 20)})` };
    }
    // RFC 3551 §3: payload types are an RTP notion; RTP/AVP, RTP/AVPF, RTP/AVP/TCP, RTP/SAVP...
    if (!/^RTP\//i.test(media.protocol)) {
      return { kind: "refused", reason: `protocol ${printable(media.protocol, 30)} is not RTP` };
    }
    const reasons: string[] = [];
    for (const format of media.formats) {
      try {
        return readFormat(media, format);
      } catch (e) {
        if (!(e instanceof Refused)) throw e;
        if (!reasons.includes(e.message)) reasons.push(e.message);
      }
    }
    return { kind: "refused", reason: reasons.join("; ") || "no formats" };
  } catch {
    // Only a hand-made `media` that is not what parseSdp returns gets here.
    return { kind: "refused", reason: "not a parsed media section" };
  }
}

function readFormat(media: ParsedSdpMedia, format: string): AudioMediaTaken | AudioMediaLatm {
  if (!/^\d{1,3}$/.test(format) || Number(format) > 127) {
    throw new Refused(`format ${printable(format, 20)} is not an RTP payload type`);
  }
  const pt = Number(format);
  const notes: string[] = [];
  const map = media.rtpmap.get(pt);
  if (map === undefined) {
    const fixed = STATIC_AUDIO_PAYLOAD_TYPES.get(pt);
    if (fixed !== undefined) return { kind: "audio", payloadType: pt, format: { ...fixed }, notes };
    const name = STATIC_NAMES.get(pt);
    if (name !== undefined) throw new Refused(`${name} (payload type ${pt}) is not carried`);
    throw new Refused(`payload type ${pt} has no rtpmap`);
  }
  const encoding = map.encoding.toUpperCase(); // RFC 4855 §3: names are case-insensitive
  const clockRate = map.clockRate;
  const channels = map.channels ?? 1; // RFC 4566 §6: no encoding parameters means one channel
  // Only the codecs with parameters look for an fmtp, so a stray one is not noted for G.711.
  const fmtp = () => fmtpOf(media, pt, notes);
  // Peer text: as written when it is a short printable token, else quoted and escaped.
  const name = /^[\x21-\x7e]{1,30}$/.test(map.encoding)
    ? map.encoding
    : printable(map.encoding, 30);
  const oneOrTwo = () => {
    if (channels !== 1 && channels !== 2) {
      throw new Refused(`${name} with ${channels} channels is not carried (1 or 2 are)`);
    }
  };
  switch (encoding) {
    case "PCMU":
    case "PCMA":
    case "L16":
      // RFC 3551 §4.5.14 and §4.5.11: any rate through a dynamic payload type.
      oneOrTwo();
      return {
        kind: "audio",
        payloadType: pt,
        format: {
          codec: encoding === "L16" ? "l16" : encoding === "PCMU" ? "pcmu" : "pcma",
          clockRate,
          channels,
        },
        notes,
      };
    case "OPUS":
      return opus(pt, clockRate, map.channels, fmtp(), notes);
    case "MPEG4-GENERIC":
      return mpeg4Generic(pt, clockRate, channels, fmtp(), notes, oneOrTwo);
    case "MP4A-LATM":
      return latm(pt, clockRate, channels, fmtp() ?? "", notes);
    default:
      throw new Refused(`${name} is not carried`);
  }
}

/**
 * The fmtp of a payload type; if it has none and the section has one format and one fmtp, that
 * fmtp (Hikvision puts it under another payload type than the rtpmap's, gortsplib#658).
 */
function fmtpOf(media: ParsedSdpMedia, pt: number, notes: string[]): string | undefined {
  const own = media.fmtp.get(pt);
  if (own !== undefined) return own;
  if (media.formats.length === 1 && media.fmtp.size === 1) {
    const [[other, value]] = media.fmtp;
    notes.push(
      `the fmtp of payload type ${other} was used for payload type ${pt}, the only format`,
    );
    return value;
  }
  return undefined;
}

/** `key=value;...` (fmtp as RFC 3640 §4.1 and RFC 7587 §7 write it), keys lower-cased. */
function fmtpParams(value: string | undefined): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of (value ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    if (key !== "" && !params.has(key)) params.set(key, part.slice(eq + 1).trim());
  }
  return params;
}

function opus(
  pt: number,
  clockRate: number,
  rtpmapChannels: number | undefined,
  fmtp: string | undefined,
  notes: string[],
): AudioMediaTaken {
  // RFC 7587 §7: the rtpmap MUST say opus/48000/2, whatever the encoder's rate and channels.
  if (clockRate !== 48000) {
    throw new Refused(
      `opus with a ${clockRate} Hz RTP clock is not carried (RFC 7587 §4.1: 48000)`,
    );
  }
  if (rtpmapChannels !== undefined && rtpmapChannels !== 1 && rtpmapChannels !== 2) {
    throw new Refused(`opus with ${rtpmapChannels} channels is not carried (RFC 7587 §7: 2)`);
  }
  const params = fmtpParams(fmtp);
  // RFC 7587 §7.1: sprop-stereo says whether the sender is likely to send stereo; 0 by default.
  let channels = params.get("sprop-stereo") === "1" ? 2 : 1;
  if (rtpmapChannels === 1) {
    notes.push(
      "opus/48000/1 read as mono; served as opus/48000/2 with sprop-stereo=0 (RFC 7587 §7)",
    );
    channels = 1;
  } else if (rtpmapChannels === undefined) {
    notes.push("opus/48000 without channels read as opus/48000/2 (RFC 7587 §7)");
  }
  return { kind: "audio", payloadType: pt, format: { codec: "opus", clockRate, channels }, notes };
}

function mpeg4Generic(
  pt: number,
  clockRate: number,
  channels: number,
  fmtp: string | undefined,
  notes: string[],
  oneOrTwo: () => void,
): AudioMediaTaken {
  const params = fmtpParams(fmtp);
  // RFC 3640 §4.1: streamType 5 is audio (ISO/IEC 14496-1 Table 6); anything else is not AAC.
  const streamType = params.get("streamtype");
  if (streamType !== undefined && streamType !== "5") {
    throw new Refused(`mpeg4-generic streamtype ${printable(streamType, 10)} is not audio`);
  }
  const mode = params.get("mode");
  if (mode === undefined) notes.push("mpeg4-generic without a mode read as AAC-hbr");
  else if (mode.toLowerCase() !== "aac-hbr") {
    throw new Refused(`mpeg4-generic mode ${printable(mode, 20)} is not carried (AAC-hbr is)`);
  }
  const configHex = params.get("config") ?? "";
  if (configHex === "") {
    throw new Refused("mpeg4-generic without config is refused (RFC 3640 §4.1)");
  }
  const config = fromHex(configHex);
  if (config === undefined) {
    throw new Refused(`mpeg4-generic config ${printable(configHex, 20)} is not hex`);
  }
  const sizeLength = bits(params, "sizelength", undefined);
  if (sizeLength === undefined || sizeLength === 0) {
    throw new Refused("mpeg4-generic without sizelength is refused (RFC 3640 §3.3.6)");
  }
  // RFC 3640 §4.1: indexlength and indexdeltalength default to 0. A camera that left them out
  // while sending 16-bit AU headers broke parsing (gortsplib PR #118): noted for the log.
  if (!params.has("indexlength")) {
    notes.push("mpeg4-generic without indexlength: 0 (RFC 3640 §4.1)");
  }
  const indexLength = bits(params, "indexlength", 0)!;
  const indexDeltaLength = bits(params, "indexdeltalength", 0)!;
  oneOrTwo();
  return {
    kind: "audio",
    payloadType: pt,
    format: { codec: "aac", clockRate, channels, config },
    aac: { sizeLength, indexLength, indexDeltaLength },
    notes,
  };
}

/** A bit count from the fmtp: 0 to 32, or `fallback` when absent. */
function bits(
  params: Map<string, string>,
  key: string,
  fallback: number | undefined,
): number | undefined {
  const value = params.get(key);
  if (value === undefined) return fallback;
  if (!/^\d{1,2}$/.test(value) || Number(value) > 32) {
    throw new Refused(`mpeg4-generic ${key} ${printable(value, 10)} is not a bit count`);
  }
  return Number(value);
}

function latm(
  pt: number,
  clockRate: number,
  channels: number,
  fmtp: string,
  notes: string[],
): AudioMediaLatm {
  const params = fmtpParams(fmtp);
  // RFC 6416 §7.3: cpresent is 1 by default; 0 means the config is only in the SDP.
  const cpresentText = params.get("cpresent");
  if (cpresentText !== undefined && cpresentText !== "0" && cpresentText !== "1") {
    throw new Refused(`MP4A-LATM cpresent ${printable(cpresentText, 10)} is not 0 or 1`);
  }
  const cpresent = cpresentText !== "0";
  const configHex = (params.get("config") ?? "").toLowerCase();
  const config = configHex === "" ? undefined : fromHex(configHex);
  if (configHex !== "" && config === undefined) {
    throw new Refused(`MP4A-LATM config ${printable(configHex, 20)} is not hex`);
  }
  // "cpresent=0" with an empty config is invalid (RFC 6416 §7.3; mediamtx#3590).
  if (!cpresent && config === undefined) {
    throw new Refused("MP4A-LATM with cpresent=0 and no config is refused (RFC 6416 §7.3)");
  }
  const out: AudioMediaLatm = {
    kind: "latm",
    payloadType: pt,
    clockRate,
    channels,
    cpresent,
    configHex,
    fmtp,
    notes,
  };
  if (config !== undefined) out.config = config;
  return out;
}

/** Bytes of an even-length hex string (either case), or `undefined`. */
function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || hex.length > 2048 || !/^[0-9A-Fa-f]*$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
