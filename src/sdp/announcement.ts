/**
 * What a publisher announces (RFC 2326 §10.3): the SDP of an ANNOUNCE read into the media the
 * server will take (one H.264 video) and the track URLs the publisher's SETUPs will name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findAnnouncedMedia, readAnnouncement } from "./announcement.ts";
 *
 * const a = readAnnouncement(
 *   "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n" +
 *     "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n" +
 *     "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=control:streamid=1\r\n",
 *   "rtsp://127.0.0.1:8554/pub",
 * );
 * assert.equal(a.video, 0);
 * assert.equal(a.payloadType, 96);
 * assert.equal(findAnnouncedMedia(a, "rtsp://127.0.0.1:8554/pub/streamid=1"), 1);
 * assert.equal(findAnnouncedMedia(a, "rtsp://127.0.0.1:8554/pub/streamid=7"), undefined);
 * ```
 *
 * @module
 */

import { RtspError } from "../rtsp/status.ts";
import { parseRtspUrl } from "../rtsp/url.ts";
import { parseH264Fmtp } from "./h264_fmtp.ts";
import { parseSdp, resolveControl, SdpError } from "./parse.ts";

/** The announced description, as far as the server uses it. */
export interface Announcement {
  /** The ANNOUNCE URL's key: a SETUP of it (aggregate) names the media when there is only one. */
  baseKey: string | undefined;
  /** Each `m=` section's track URL key (path and query, see {@link findAnnouncedMedia}). */
  trackKeys: (string | undefined)[];
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
}

/**
 * Reads an ANNOUNCE body. Takes the first video media with an `H264` rtpmap (RFC 6184 §8.2.1);
 * other media (audio, data, a second video) are accepted and later ignored.
 *
 * @param sdp The body as text.
 * @param requestUrl The ANNOUNCE Request-URI: the base of relative `a=control` (RFC 2326 §C.1.1).
 * @throws {RtspError} 400 for SDP that does not parse, 415 when there is no H.264 video or it uses
 * the interleaved packetization mode, which the depacketizer does not take.
 */
export function readAnnouncement(sdp: string, requestUrl: string): Announcement {
  let parsed;
  try {
    parsed = parseSdp(sdp);
  } catch (error) {
    if (error instanceof SdpError) throw new RtspError(400, "Bad Request (invalid SDP)");
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
  if (video < 0) throw new RtspError(415, "Unsupported Media Type (no H.264 video in the SDP)");
  const media = parsed.media[video];
  const announcement: Announcement = {
    baseKey: urlKey(requestUrl),
    trackKeys: parsed.media.map((m) => urlKey(resolveControl(requestUrl, m.control ?? ""))),
    video,
    payloadType,
    clockRate,
  };
  const fmtp = media.fmtp.get(payloadType);
  if (fmtp !== undefined) {
    let params;
    try {
      params = parseH264Fmtp(fmtp);
    } catch {
      params = {}; // bad sprop-parameter-sets: the in-band parameter sets will have to do
    }
    if (params.packetizationMode === 2) {
      throw new RtspError(415, "Unsupported Media Type (H.264 packetization-mode 2)");
    }
    if (params.sps && params.pps?.length) {
      announcement.sps = params.sps;
      announcement.pps = params.pps[0];
    }
  }
  const rate = Number(media.attributes.find(([name]) => name === "framerate")?.[1]);
  if (rate > 0 && rate <= 1000) announcement.framerate = rate;
  return announcement;
}

/**
 * The index of the announced media a SETUP URL names, if any. URLs are compared by path and query
 * only, so a publisher may spell the host differently (`localhost`, an IP) than in its ANNOUNCE,
 * and credentials and trailing slashes do not matter. A SETUP of the aggregate URL is taken as
 * the single media when there is only one.
 */
export function findAnnouncedMedia(announcement: Announcement, url: string): number | undefined {
  const key = urlKey(url);
  if (key === undefined) return undefined;
  const index = announcement.trackKeys.indexOf(key);
  if (index >= 0) return index;
  return key === announcement.baseKey && announcement.trackKeys.length === 1 ? 0 : undefined;
}

/** Path (without trailing slashes) and query of a URL, or undefined when it is not an RTSP URL. */
export function urlKey(url: string): string | undefined {
  try {
    const parsed = parseRtspUrl(url);
    if ("star" in parsed) return undefined;
    const path = parsed.path.replace(/\/+$/, "");
    return parsed.query === "" ? path : `${path}?${parsed.query}`;
  } catch {
    return undefined;
  }
}
