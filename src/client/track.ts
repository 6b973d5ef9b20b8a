/**
 * Choosing what to pull from a DESCRIBE answer: the first H.264 or JPEG video track, its SETUP URL,
 * the parameter sets and frame rate the SDP gives.
 *
 * @module
 */

import { type ParsedSdp, type ParsedSdpMedia, resolveControl } from "../sdp/parse.ts";
import { parseH264Fmtp } from "../sdp/h264_fmtp.ts";
import { type AnnouncedAudio, readCarriedAudio } from "../sdp/announcement.ts";
import type { VideoTrack } from "./media.ts";

/** The chosen track and what the SDP says about it. */
export interface ChosenTrack extends VideoTrack {
  /** URL for SETUP. */
  setupUrl: string;
  /** URL for PLAY, keepalives and TEARDOWN: the session-level control, else the base. */
  aggregateUrl: string;
  /** SPS and PPS from sprop-parameter-sets (RFC 6184 §8.1), when it has both. */
  parameterSets?: { sps: Uint8Array; pps: Uint8Array };
  /** `a=framerate` (RFC 4566 §6) or `a=x-framerate`, when given and sane. */
  framerate?: number;
  /** packetization-mode 2 (interleaved) cannot be received; noted for the log. */
  interleavedMode: boolean;
}

/**
 * Picks the first video section whose format is H.264 (`a=rtpmap:<pt> H264/90000`) or JPEG (static
 * payload type 26, RFC 3551 §6, which needs no rtpmap: Micro-RTSP and ESP32-RTSPServer send none;
 * or a dynamic type mapped to `JPEG`). Returns a description of what was found instead when none
 * fits.
 *
 * Control URLs follow RFC 2326 §C.1.1 (`resolveControl`); a section with no `a=control` (Micro-RTSP)
 * is set up at the base URL itself. `base` must already have the origin the client connected to.
 */
export function chooseTrack(sdp: ParsedSdp, base: string): ChosenTrack | string {
  const seen: string[] = [];
  for (const media of sdp.media) {
    const found = videoFormat(media);
    if (typeof found === "string") {
      seen.push(`${media.kind} ${found}`);
      continue;
    }
    const track: ChosenTrack = {
      ...found,
      setupUrl: resolveControl(base, media.control ?? ""),
      aggregateUrl: resolveControl(base, sdp.control ?? ""),
      interleavedMode: false,
    };
    if (found.codec === "h264") {
      try {
        const fmtp = parseH264Fmtp(media.fmtp.get(found.payloadType) ?? "");
        if (fmtp.sps && fmtp.pps?.[0]) track.parameterSets = { sps: fmtp.sps, pps: fmtp.pps[0] };
        track.interleavedMode = fmtp.packetizationMode === 2;
      } catch {
        // Bad base64 in sprop-parameter-sets: in-band SPS/PPS will do.
      }
    }
    const rate = Number(attribute(media, sdp, "framerate") ?? attribute(media, sdp, "x-framerate"));
    if (Number.isFinite(rate) && rate > 0 && rate <= 1000) track.framerate = rate;
    const dims = /^\s*(\d{1,4})\s*,\s*(\d{1,4})\s*$/.exec(
      attribute(media, sdp, "x-dimensions") ?? "",
    );
    const size = /^\s*\d+\s+(\d{1,4})-(\d{1,4})\s*$/.exec(attribute(media, sdp, "framesize") ?? "");
    const wh = dims ?? size;
    if (wh) {
      track.width = Number(wh[1]);
      track.height = Number(wh[2]);
    }
    return track;
  }
  return seen.length === 0 ? "no media" : seen.join(", ");
}

function videoFormat(media: ParsedSdpMedia): VideoTrack | string {
  if (media.kind !== "video") return media.formats.join(" ");
  const names: string[] = [];
  for (const format of media.formats) {
    if (!/^\d{1,3}$/.test(format)) continue;
    const pt = Number(format);
    const map = media.rtpmap.get(pt);
    const name = map?.encoding.toUpperCase() ?? (pt === 26 ? "JPEG" : `PT ${pt}`);
    names.push(name);
    const clockRate = map?.clockRate ?? 90000;
    if (name === "H264") return { codec: "h264", payloadType: pt, clockRate };
    if (name === "JPEG") return { codec: "jpeg", payloadType: pt, clockRate };
  }
  return names.join(" ") || "without formats";
}

function attribute(media: ParsedSdpMedia, sdp: ParsedSdp, name: string): string | undefined {
  return media.attributes.find(([n]) => n === name)?.[1] ??
    sdp.attributes.find(([n]) => n === name)?.[1];
}

/** The audio track chosen from the SDP, with its SETUP URL. */
export interface ChosenAudio {
  /** What it carries and how (as an ANNOUNCE's audio is read). */
  audio: AnnouncedAudio;
  /** URL for SETUP. */
  setupUrl: string;
}

/**
 * The first audio section that can be carried (`readCarriedAudio`: AAC as mpeg4-generic or LATM,
 * Opus, G.711, L16), and why each audio section before it, or every one, was refused. A section
 * without `a=control` would be set up at the base URL, where the video may be too (Micro-RTSP):
 * such a section is refused, since SETUP could not tell the tracks apart (RFC 2326 §C.1.1).
 */
export function chooseAudio(
  sdp: ParsedSdp,
  base: string,
): { chosen?: ChosenAudio; refused: string[] } {
  const refused: string[] = [];
  for (let i = 0; i < sdp.media.length; i++) {
    const media = sdp.media[i];
    if (media.kind !== "audio") continue;
    const read = readCarriedAudio(media, i);
    if (typeof read === "string") {
      refused.push(read);
      continue;
    }
    if (media.control === undefined || media.control === "" || media.control === "*") {
      refused.push("an audio section without a=control of its own");
      continue;
    }
    return { chosen: { audio: read, setupUrl: resolveControl(base, media.control) }, refused };
  }
  return { refused };
}
