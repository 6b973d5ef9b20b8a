/**
 * The `a=fmtp` parameters of H.264 over RTP (RFC 6184 §8.1): building them from SPS/PPS, and
 * reading them back from an announced SDP.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { h264Fmtp, parseH264Fmtp } from "./h264_fmtp.ts";
 *
 * const sps = new Uint8Array([0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0]);
 * const pps = new Uint8Array([0x68, 0xcb, 0x83, 0xcb, 0x20]);
 * const fmtp = h264Fmtp(sps, pps);
 * assert.equal(
 *   fmtp,
 *   "packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=Z0LAHtkAoA==,aMuDyyA=",
 * );
 * assert.deepEqual(parseH264Fmtp(fmtp), {
 *   packetizationMode: 1,
 *   profileLevelId: "42c01e",
 *   sps,
 *   pps: [pps],
 * });
 * ```
 *
 * @module
 */

import { decodeBase64, encodeBase64 } from "./base64.ts";
import { SdpError } from "./parse.ts";

/** H.264 parameters read from an `a=fmtp` value. */
export interface H264FmtpParams {
  /** RFC 6184 §8.1 packetization-mode: 0 single NAL, 1 non-interleaved, 2 interleaved. */
  packetizationMode?: number;
  /** profile-level-id as 6 lowercase hex digits. */
  profileLevelId?: string;
  /** The sequence parameter set from sprop-parameter-sets (the first, if several). */
  sps?: Uint8Array;
  /** The picture parameter sets from sprop-parameter-sets. */
  pps?: Uint8Array[];
}

/**
 * Builds the fmtp value for H.264 with packetization-mode 1 (FU-A and STAP-A allowed),
 * profile-level-id from the SPS and both parameter sets in sprop-parameter-sets, so clients can
 * decode before the first in-band SPS/PPS (ffmpeg fails with "non-existing PPS 0" otherwise).
 *
 * @param sps The SPS NAL unit (type 7, header byte included, no start code).
 * @param pps The PPS NAL unit (type 8).
 * @returns E.g. `packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=Z0LA...,aM4...`
 * @throws {TypeError} When `sps` or `pps` is not a NAL unit of the right type.
 */
export function h264Fmtp(sps: Uint8Array, pps: Uint8Array): string {
  if (sps.length < 4 || (sps[0] & 0x1f) !== 7) {
    throw new TypeError("sps must be an SPS NAL unit (type 7) of at least 4 bytes");
  }
  if (pps.length < 2 || (pps[0] & 0x1f) !== 8) {
    throw new TypeError("pps must be a PPS NAL unit (type 8) of at least 2 bytes");
  }
  // RFC 6184 §8.1: profile-level-id is profile_idc, the constraint flags byte and level_idc.
  let profileLevelId = "";
  for (let i = 1; i <= 3; i++) profileLevelId += sps[i].toString(16).padStart(2, "0");
  return `packetization-mode=1;profile-level-id=${profileLevelId};sprop-parameter-sets=${
    encodeBase64(sps)
  },${encodeBase64(pps)}`;
}

/**
 * Parses an H.264 fmtp value (the part after `a=fmtp:<pt> `). Parameter names are matched
 * case-insensitively (RFC 4566 §6), unknown ones ignored. Tolerated quirks: spaces after `;`
 * (ffmpeg writes them), empty entries and trailing commas in sprop-parameter-sets, missing base64
 * padding, uppercase hex, and a malformed profile-level-id (left out; the SPS says it anyway).
 *
 * @param value The fmtp parameters.
 * @returns The parameters found; absent ones are left out.
 * @throws {SdpError} For bad base64 in sprop-parameter-sets or a bad packetization-mode.
 */
export function parseH264Fmtp(value: string): H264FmtpParams {
  const out: H264FmtpParams = {};
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const val = part.slice(eq + 1).trim();
    if (key === "packetization-mode") {
      if (!/^[0-2]$/.test(val)) throw new SdpError(`bad packetization-mode "${clip(val)}"`, 0);
      out.packetizationMode = Number(val);
    } else if (key === "profile-level-id") {
      if (/^[0-9a-fA-F]{6}$/.test(val)) out.profileLevelId = val.toLowerCase();
    } else if (key === "sprop-parameter-sets") {
      for (const item of val.split(",")) {
        const text = item.trim();
        if (text === "") continue;
        const nal = decodeBase64(text);
        if (nal === undefined) {
          throw new SdpError(`bad base64 in sprop-parameter-sets: "${clip(text)}"`, 0);
        }
        if (nal.length === 0) continue;
        const type = nal[0] & 0x1f;
        if (type === 7 && out.sps === undefined) out.sps = nal;
        else if (type === 8) (out.pps ??= []).push(nal);
      }
    }
  }
  return out;
}

/** Keeps error messages short when a peer sends something huge. */
function clip(text: string): string {
  return text.length > 40 ? text.slice(0, 40) + "..." : text;
}
