/**
 * What a publisher announces (RFC 2326 §10.3): the SDP of an ANNOUNCE read into the media a server
 * can take (one H.264 video), each media's control URL, and what the other media are. Pure: the
 * caller maps a refusal to its RTSP status (400 for SDP that does not parse, 415 for media it
 * cannot take).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAnnouncement } from "./announcement.ts";
 *
 * const read = readAnnouncement(
 *   "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n" +
 *     "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n" +
 *     "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=control:streamid=1\r\n",
 *   "rtsp://127.0.0.1:8554/pub",
 * );
 * assert.ok(read.ok);
 * assert.equal(read.announcement.video, 0);
 * assert.equal(read.announcement.payloadType, 96);
 * assert.equal(read.announcement.controls[1], "rtsp://127.0.0.1:8554/pub/streamid=1");
 * assert.deepEqual(read.announcement.media[1], { kind: "audio", encoding: "MPEG4-GENERIC" });
 * ```
 *
 * @module
 */

import { STATIC_AUDIO_PAYLOAD_TYPES } from "../codec/audio_format.ts";
import { parseH264Fmtp } from "./h264_fmtp.ts";
import { type ParsedSdpMedia, parseSdp, resolveControl, SdpError } from "./parse.ts";

/** One announced media, as far as a log line says what it is. */
export interface AnnouncedMedia {
  /** The `m=` media type: `video`, `audio`, `application`... */
  kind: string;
  /** The encoding of its first format with an `a=rtpmap`, if any (e.g. `H264`, `MPEG4-GENERIC`). */
  encoding: string | undefined;
}

/** An announced audio media that is carried: its RTP format as the publisher described it. */
export interface AnnouncedAudio {
  /** Index of the media in the SDP. */
  index: number;
  /** The RTP payload type its packets carry. */
  payloadType: number;
  /** Encoding name (`MPEG4-GENERIC`, `OPUS`, `PCMU`, `PCMA`, `L16`), upper case. */
  encoding: string;
  /** RTP clock rate in Hz. */
  clockRate: number;
  /** Channels, when the rtpmap gives them (or the static payload type implies two). */
  channels?: number;
  /** The format's `a=fmtp` parameters, if any. */
  fmtp?: string;
}

/** The announced description, as far as a server uses it. */
export interface Announcement {
  /** Each `m=` section's control URL, resolved against the ANNOUNCE URL (RFC 2326 §C.1.1). */
  controls: string[];
  /** What each `m=` section is. */
  media: AnnouncedMedia[];
  /** Index of the H.264 video media: the one whose packets are taken. */
  video: number;
  /** Its RTP payload type. */
  payloadType: number;
  /** Its RTP clock rate. */
  clockRate: number;
  /** SPS from `sprop-parameter-sets`, when given. */
  sps?: Uint8Array;
  /** PPS from `sprop-parameter-sets` (the first), when given. */
  pps?: Uint8Array;
  /** `a=framerate`, when given. */
  framerate?: number;
  /** The first audio media that is carried, if any. */
  audio?: AnnouncedAudio;
  /** Each media neither carried as the video nor as the audio, with why (for the log). */
  refused: { index: number; reason: string }[];
}

/** Why an announcement cannot be taken. */
export type AnnouncementProblem =
  /** The SDP does not parse (RFC 4566). */
  | "invalid SDP"
  /** No video media with an H.264 rtpmap. */
  | "no H.264 video in the SDP"
  /** H.264 in the interleaved packetization mode (RFC 6184 §6.4), which is not depacketized. */
  | "H.264 packetization-mode 2";

/** The announcement, or why it cannot be taken. */
export type AnnouncementResult =
  | { ok: true; announcement: Announcement }
  | { ok: false; problem: AnnouncementProblem };

/**
 * Reads an ANNOUNCE body. Takes the first video media with an `H264` rtpmap (RFC 6184 §8.2.1);
 * other media (audio, data, a second video) are described in `media` and left to the caller.
 *
 * @param sdp The body as text.
 * @param requestUrl The ANNOUNCE Request-URI: the base of relative `a=control` (RFC 2326 §C.1.1).
 */
export function readAnnouncement(sdp: string, requestUrl: string): AnnouncementResult {
  let parsed;
  try {
    parsed = parseSdp(sdp);
  } catch (error) {
    if (error instanceof SdpError) return { ok: false, problem: "invalid SDP" };
    throw error;
  }
  let video = -1;
  let payloadType = 0;
  let clockRate = 0;
  for (let i = 0; i < parsed.media.length && video < 0; i++) {
    const media = parsed.media[i];
    if (media.kind !== "video") continue;
    for (const [pt, map] of media.rtpmap) {
      if (map.encoding.toUpperCase() === "H264" && media.formats.includes(String(pt))) {
        [video, payloadType, clockRate] = [i, pt, map.clockRate];
        break;
      }
    }
  }
  if (video < 0) return { ok: false, problem: "no H.264 video in the SDP" };
  const media = parsed.media[video];
  const announcement: Announcement = {
    controls: parsed.media.map((m) => resolveControl(requestUrl, m.control ?? "")),
    media: parsed.media.map((m) => ({
      kind: m.kind,
      encoding: m.formats.map((f) => m.rtpmap.get(Number(f))?.encoding).find((e) => e),
    })),
    video,
    payloadType,
    clockRate,
    refused: [],
  };
  for (let i = 0; i < parsed.media.length; i++) {
    if (i === video) continue;
    const read = readAudio(parsed.media[i], i);
    if (typeof read === "string") announcement.refused.push({ index: i, reason: read });
    else if (announcement.audio) {
      announcement.refused.push({ index: i, reason: "a second audio track is not carried" });
    } else announcement.audio = read;
  }
  const fmtp = media.fmtp.get(payloadType);
  if (fmtp !== undefined) {
    let params;
    try {
      params = parseH264Fmtp(fmtp);
    } catch {
      params = {}; // bad sprop-parameter-sets: the in-band parameter sets will have to do
    }
    if (params.packetizationMode === 2) return { ok: false, problem: "H.264 packetization-mode 2" };
    if (params.sps && params.pps?.length) {
      announcement.sps = params.sps;
      announcement.pps = params.pps[0];
    }
  }
  const rate = Number(media.attributes.find(([name]) => name === "framerate")?.[1]);
  if (rate > 0 && rate <= 1000) announcement.framerate = rate;
  return { ok: true, announcement };
}

/** Audio encodings carried as they come (RFC 3640, RFC 7587, RFC 3551 §4.5.14, §4.5.11). */
const CARRIED_AUDIO = new Set(["MPEG4-GENERIC", "OPUS", "PCMU", "PCMA", "L16"]);

/**
 * An audio media's first format that can be carried, or why none can. A static payload type with
 * no rtpmap means what RFC 3551 Table 4 says. Cameras put the fmtp under another payload type than
 * the rtpmap's (a Hikvision SDP, gortsplib#658): with one format and one fmtp, that fmtp is its.
 */
function readAudio(media: ParsedSdpMedia, index: number): AnnouncedAudio | string {
  if (media.kind !== "audio") return `${media.kind} media are not carried`;
  const seen: string[] = [];
  for (const format of media.formats) {
    const pt = Number(format);
    if (!Number.isInteger(pt) || pt < 0 || pt > 127) continue;
    const map = media.rtpmap.get(pt);
    const known = STATIC_AUDIO_PAYLOAD_TYPES.get(pt);
    const encoding = map?.encoding.toUpperCase() ?? known?.codec.toUpperCase();
    if (encoding === undefined) {
      seen.push(`payload type ${pt}`);
      continue;
    }
    const clockRate = map?.clockRate ?? known!.clockRate;
    const channels = map?.channels ?? (known && known.channels !== 1 ? known.channels : undefined);
    let fmtp = media.fmtp.get(pt);
    if (fmtp === undefined && media.formats.length === 1 && media.fmtp.size === 1) {
      fmtp = [...media.fmtp.values()][0];
    }
    if (!CARRIED_AUDIO.has(encoding)) {
      seen.push(encoding);
      continue;
    }
    if (encoding === "MPEG4-GENERIC" && !/(^|;)\s*config=[0-9a-f]+/i.test(fmtp ?? "")) {
      // RFC 3640 §4.1: without the AudioSpecificConfig no reader can decode it (gortsplib refuses).
      seen.push("MPEG4-GENERIC without config");
      continue;
    }
    const audio: AnnouncedAudio = { index, payloadType: pt, encoding, clockRate };
    if (channels !== undefined) audio.channels = channels;
    if (fmtp !== undefined) audio.fmtp = fmtp;
    return audio;
  }
  return seen.length ? `${seen.join(", ")} is not carried` : "no audio format";
}
