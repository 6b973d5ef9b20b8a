/**
 * H.264 sequence parameter set parsing (H.264 §7.3.2.1.1 and Annex E VUI): picture size after
 * cropping, profile, level, frame rate, and the RFC 6184 `profile-level-id`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSps } from "./sps.ts";
 *
 * // x264, Constrained Baseline, level 3.0, 640x360 at 30 fps
 * const sps = Uint8Array.from(
 *   "6742c01ed900a02ff970110000030001000003003c0f162e48".match(/../g)!,
 *   (h) => parseInt(h, 16),
 * );
 * const info = parseSps(sps);
 * assert.equal(info.profileLevelId, "42c01e");
 * assert.deepEqual([info.width, info.height, info.frameRate], [640, 360, 30]);
 * ```
 *
 * @module
 */

import { BitReader } from "./bit_reader.ts";
import { CodecError, NalType } from "./h264.ts";

/** What a sequence parameter set says about the stream. */
export interface SpsInfo {
  /** profile_idc: 66 Baseline, 77 Main, 100 High, ... */
  profileIdc: number;
  /** The constraint_set0..5 flags and reserved bits, as the byte after profile_idc. */
  constraintFlags: number;
  /** level_idc: ten times the level number (30 = level 3.0), 9 for level 1b. */
  levelIdc: number;
  /** Displayed width in pixels (after frame cropping). */
  width: number;
  /** Displayed height in pixels (after frame cropping). */
  height: number;
  /**
   * Frames per second from VUI timing info, time_scale / (2 * num_units_in_tick); left out when
   * absent or implausible (outside 0.01..1000).
   */
  frameRate?: number;
  /** RFC 6184 §8.1 profile-level-id: the 3 bytes after the NAL header, 6 lowercase hex digits. */
  profileLevelId: string;
}

/**
 * Removes emulation prevention bytes (H.264 §7.4.1: the `03` in every `00 00 03`), turning NAL
 * unit payload bytes into RBSP bytes.
 *
 * @param bytes NAL unit bytes; never modified.
 * @returns The RBSP bytes: `bytes` itself when there is nothing to remove, else a new array.
 */
export function removeEmulationPrevention(bytes: Uint8Array): Uint8Array {
  let out: Uint8Array | null = null;
  let o = 0;
  let zeros = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (zeros >= 2 && b === 3) {
      if (out === null) {
        out = new Uint8Array(bytes.length - 1);
        out.set(bytes.subarray(0, i));
        o = i;
      }
      zeros = 0;
      continue;
    }
    if (out !== null) out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out === null ? bytes : out.subarray(0, o);
}

/** Profiles whose SPS carries chroma_format_idc and scaling lists (H.264 §7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function checkRange(name: string, value: number, max: number): number {
  if (value > max) throw new CodecError(`SPS ${name} is ${value}, above its maximum ${max}`);
  return value;
}

/** H.264 §7.3.2.1.1.1 scaling_list(): only read to skip it. */
function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.se();
      if (delta < -128 || delta > 127) {
        throw new CodecError(`SPS delta_scale ${delta} out of range`);
      }
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

/**
 * Parses a sequence parameter set NAL unit.
 *
 * Reads the full syntax up to the VUI timing info: high-profile chroma format, bit depths and
 * scaling lists, all three pic_order_cnt types, frame cropping in chroma units (H.264 §7.4.2.1.1,
 * CropUnitX/CropUnitY) for field and frame coding.
 *
 * @param nal The SPS NAL unit, starting with its header byte (type 7), without start code.
 * @returns Size, profile, level and frame rate.
 * @throws {CodecError} When the bytes are not a valid SPS.
 */
export function parseSps(nal: Uint8Array): SpsInfo {
  if (nal.length < 4) throw new CodecError(`SPS too short: ${nal.length} bytes`);
  if ((nal[0] & 0x1f) !== NalType.SPS) {
    throw new CodecError(`not an SPS: NAL unit type ${nal[0] & 0x1f}`);
  }
  const r = new BitReader(removeEmulationPrevention(nal.subarray(1)));
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  const profileLevelId = [profileIdc, constraintFlags, levelIdc]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  checkRange("seq_parameter_set_id", r.ue(), 31);

  let chromaFormatIdc = 1; // 4:2:0 when absent
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = checkRange("chroma_format_idc", r.ue(), 3);
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    checkRange("bit_depth_luma_minus8", r.ue(), 6);
    checkRange("bit_depth_chroma_minus8", r.ue(), 6);
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) { // seq_scaling_matrix_present_flag
      const lists = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }

  checkRange("log2_max_frame_num_minus4", r.ue(), 12);
  const pocType = checkRange("pic_order_cnt_type", r.ue(), 2);
  if (pocType === 0) {
    checkRange("log2_max_pic_order_cnt_lsb_minus4", r.ue(), 12);
  } else if (pocType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = checkRange("num_ref_frames_in_pic_order_cnt_cycle", r.ue(), 255);
    for (let i = 0; i < cycle; i++) r.se(); // offset_for_ref_frame[i]
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.ue() + 1;
  const heightInMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag

  // H.264 §7.4.2.1.1 (7-18)..(7-21): frame height counts two fields when frame_mbs_only is 0.
  let width = widthInMbs * 16;
  let height = (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16;
  if (r.flag()) { // frame_cropping_flag
    const left = r.ue();
    const right = r.ue();
    const top = r.ue();
    const bottom = r.ue();
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
    const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
    width -= cropUnitX * (left + right);
    height -= cropUnitY * (top + bottom);
    if (width <= 0 || height <= 0) {
      throw new CodecError(`SPS frame cropping leaves no picture (${width}x${height})`);
    }
  }

  const info: SpsInfo = { profileIdc, constraintFlags, levelIdc, width, height, profileLevelId };
  if (r.flag()) { // vui_parameters_present_flag
    const frameRate = readVuiFrameRate(r);
    if (frameRate !== undefined) info.frameRate = frameRate;
  }
  return info;
}

/**
 * Reads VUI parameters (H.264 §E.1.1) up to timing_info. A truncated or broken VUI yields no frame
 * rate instead of an error: some cameras emit one, and size and profile are still right.
 */
function readVuiFrameRate(r: BitReader): number | undefined {
  try {
    if (r.flag()) { // aspect_ratio_info_present_flag
      if (r.u(8) === 255) r.skip(32); // Extended_SAR: sar_width, sar_height
    }
    if (r.flag()) r.skip(1); // overscan_info_present_flag, overscan_appropriate_flag
    if (r.flag()) { // video_signal_type_present_flag
      r.skip(4); // video_format, video_full_range_flag
      if (r.flag()) r.skip(24); // colour_primaries, transfer_characteristics, matrix_coefficients
    }
    if (r.flag()) { // chroma_loc_info_present_flag
      r.ue();
      r.ue();
    }
    if (!r.flag()) return undefined; // timing_info_present_flag
    const numUnitsInTick = r.u(32);
    const timeScale = r.u(32);
    // fixed_frame_rate_flag is not required: x264 (as driven by ffmpeg) leaves it 0 while writing
    // the nominal rate, and ffmpeg reads the rate from these fields regardless.
    if (numUnitsInTick === 0 || timeScale === 0) return undefined;
    // H.264 (E-39): a frame lasts two ticks for progressive frame coding.
    const fps = timeScale / (2 * numUnitsInTick);
    return fps >= 0.01 && fps <= 1000 ? fps : undefined;
  } catch (e) {
    if (e instanceof CodecError) return undefined;
    throw e;
  }
}
