/**
 * The AVC decoder configuration record (ISO/IEC 14496-15 §5.3.3.1, the payload of the `avcC` box)
 * made from a stream's SPS and PPS, and the RFC 6381 §3.3 codec string (`avc1.PPCCLL`) a browser's
 * `MediaSource.isTypeSupported` and `addSourceBuffer` take.
 *
 * @module
 */

import { BitReader } from "../codec/bit_reader.ts";
import { CodecError, NalType } from "../codec/h264.ts";
import { removeEmulationPrevention } from "../codec/sps.ts";
import { ByteWriter } from "./boxes.ts";

/** ISO/IEC 14496-15 §5.3.3.1.2: profiles whose record carries chroma format and bit depths. */
const HIGH_PROFILES = new Set([100, 110, 122, 144]);

/**
 * The `AVCDecoderConfigurationRecord` of one SPS and one or more PPS: NAL units without start
 * codes. Samples are written with 4-byte lengths (`lengthSizeMinusOne` 3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { avcDecoderConfiguration } from "./avc_config.ts";
 *
 * const sps = new Uint8Array([0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0]);
 * const pps = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);
 * const record = avcDecoderConfiguration(sps, [pps]);
 * assert.deepEqual([...record.subarray(0, 6)], [1, 0x42, 0xc0, 0x1e, 0xff, 0xe1]);
 * ```
 *
 * @throws {CodecError} When `sps` is not an SPS or a PPS is missing.
 */
export function avcDecoderConfiguration(sps: Uint8Array, pps: readonly Uint8Array[]): Uint8Array {
  if (sps.length < 4 || (sps[0] & 0x1f) !== NalType.SPS) {
    throw new CodecError("the decoder configuration needs an SPS NAL unit");
  }
  if (pps.length === 0 || pps.length > 255) {
    throw new CodecError(`the decoder configuration needs 1 to 255 PPS, got ${pps.length}`);
  }
  const profile = sps[1];
  const w = new ByteWriter()
    .u8(1) // configurationVersion
    .u8(profile) // AVCProfileIndication
    .u8(sps[2]) // profile_compatibility: the constraint flags byte
    .u8(sps[3]) // AVCLevelIndication
    .u8(0xfc | 3) // reserved '111111', lengthSizeMinusOne = 3
    .u8(0xe0 | 1) // reserved '111', numOfSequenceParameterSets = 1
    .u16(sps.length).bytes(sps)
    .u8(pps.length);
  for (const p of pps) w.u16(p.length).bytes(p);
  if (HIGH_PROFILES.has(profile)) {
    const { chromaFormatIdc, bitDepthLumaMinus8, bitDepthChromaMinus8 } = highProfileFields(sps);
    w.u8(0xfc | chromaFormatIdc)
      .u8(0xf8 | bitDepthLumaMinus8)
      .u8(0xf8 | bitDepthChromaMinus8)
      .u8(0); // numOfSequenceParameterSetExt
  }
  return w.finish();
}

/**
 * The RFC 6381 §3.3 codec parameter of an SPS: `avc1.` and the three bytes after the NAL header
 * (profile_idc, constraint flags, level_idc) in hex, e.g. `avc1.42c01e`.
 */
export function avcCodecString(sps: Uint8Array): string {
  if (sps.length < 4) throw new CodecError(`SPS too short: ${sps.length} bytes`);
  const hex = [sps[1], sps[2], sps[3]].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `avc1.${hex}`;
}

/** H.264 §7.3.2.1.1: the fields right after seq_parameter_set_id in a high profile's SPS. */
function highProfileFields(sps: Uint8Array) {
  const r = new BitReader(removeEmulationPrevention(sps.subarray(4)));
  r.ue(); // seq_parameter_set_id
  const chromaFormatIdc = r.ue() & 3;
  if (chromaFormatIdc === 3) r.u(1); // separate_colour_plane_flag
  const bitDepthLumaMinus8 = r.ue() & 7;
  const bitDepthChromaMinus8 = r.ue() & 7;
  return { chromaFormatIdc, bitDepthLumaMinus8, bitDepthChromaMinus8 };
}
