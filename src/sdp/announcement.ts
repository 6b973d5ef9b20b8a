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

import type { AudioFormat } from "../codec/audio_format.ts";
import { parseAacFmtp } from "../rtp/aac_fmtp.ts";
import type { AudioPayloadIn } from "../rtp/audio_payloads.ts";
import { AudioPayloadError } from "../rtp/audio_unit.ts";
import { parseLatmFmtp } from "../rtp/latm_config.ts";
import { readAudioMedia } from "./audio_media.ts";
import { parseH264Fmtp } from "./h264_fmtp.ts";
import { type ParsedSdpMedia, parseSdp, resolveControl, SdpError } from "./parse.ts";

/** One announced media, as far as a log line says what it is. */
export interface AnnouncedMedia {
  /** The `m=` media type: `video`, `audio`, `application`... */
  kind: string;
  /** The encoding of its first format with an `a=rtpmap`, if any (e.g. `H264`, `MPEG4-GENERIC`). */
  encoding: string | undefined;
}

/** An announced audio media that is carried. */
export interface AnnouncedAudio {
  /** Index of the media in the SDP. */
  index: number;
  /** The RTP payload type its packets carry. */
  payloadType: number;
  /** What it carries (AAC, for LATM: it is re-served as `mpeg4-generic`). */
  format: AudioFormat;
  /** How its packets carry the frames. */
  payload: AudioPayloadIn;
  /** What was tolerated in its description (see `readAudioMedia`), for the log. */
  notes: string[];
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
    const read = readCarriedAudio(parsed.media[i], i);
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

/**
 * An audio media section (`index` in its SDP) that can be carried, or why it cannot: for an
 * ANNOUNCE, and for the DESCRIBE answer of a camera that is relayed. AAC's AU headers are read as its fmtp
 * lays them out (RFC 3640 §3.2.1) and LATM's StreamMuxConfig gives the AudioSpecificConfig
 * (RFC 6416 §6.2): both go out as `mpeg4-generic` AAC-hbr, which every client reads.
 */
export function readCarriedAudio(media: ParsedSdpMedia, index: number): AnnouncedAudio | string {
  if (media.kind !== "audio") return `${media.kind} media are not carried`;
  const read = readAudioMedia(media);
  if (read.kind === "refused") return read.reason;
  if (read.kind === "latm") {
    const config = parseLatmFmtp(read.fmtp);
    if (config instanceof AudioPayloadError) return `MP4A-LATM: ${config.message}`;
    const asc = config.audioSpecificConfig;
    return {
      index,
      payloadType: read.payloadType,
      format: {
        codec: "aac",
        clockRate: read.clockRate,
        channels: asc.channels === 1 || asc.channels === 2 ? asc.channels : read.channels,
        config: config.config,
      },
      payload: { kind: "latm", config },
      notes: [...read.notes, "MP4A-LATM is served as mpeg4-generic"],
    };
  }
  const { payloadType, format, notes } = read;
  let payload: AudioPayloadIn;
  if (format.codec === "aac") {
    const fmtp = parseAacFmtp(fmtpOf(media, payloadType) ?? "");
    if (fmtp instanceof AudioPayloadError) return `mpeg4-generic: ${fmtp.message}`;
    payload = { kind: "aac", fmtp };
  } else {
    payload = { kind: format.codec === "opus" ? "opus" : "pcm" };
  }
  return { index, payloadType, format, payload, notes };
}

/** The fmtp of `pt`, or the section's only one when it names another type (gortsplib#658). */
function fmtpOf(media: ParsedSdpMedia, pt: number): string | undefined {
  return media.fmtp.get(pt) ?? (media.fmtp.size === 1 ? [...media.fmtp.values()][0] : undefined);
}
