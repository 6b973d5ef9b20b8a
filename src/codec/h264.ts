/**
 * H.264 NAL unit types and the error class shared by the `src/codec` parsers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NalType, nalType } from "./h264.ts";
 *
 * assert.equal(nalType(new Uint8Array([0x65, 0x88])), NalType.IDR);
 * ```
 *
 * @module
 */

/**
 * NAL unit type numbers (ITU-T H.264 Table 7-1), plus the RFC 6184 §5.2 payload
 * structure types that share the same 5-bit field in RTP.
 */
export const NalType = {
  /** Coded slice of a non-IDR picture. */
  SLICE: 1,
  /** Coded slice data partition A. */
  PARTITION_A: 2,
  /** Coded slice data partition B. */
  PARTITION_B: 3,
  /** Coded slice data partition C. */
  PARTITION_C: 4,
  /** Coded slice of an IDR picture (a keyframe). */
  IDR: 5,
  /** Supplemental enhancement information. */
  SEI: 6,
  /** Sequence parameter set. */
  SPS: 7,
  /** Picture parameter set. */
  PPS: 8,
  /** Access unit delimiter. */
  AUD: 9,
  /** End of sequence. */
  END_SEQ: 10,
  /** End of stream. */
  END_STREAM: 11,
  /** Filler data. */
  FILLER: 12,
  /** Sequence parameter set extension. */
  SPS_EXT: 13,
  /** Prefix NAL unit (SVC/MVC). */
  PREFIX: 14,
  /** Subset sequence parameter set. */
  SUBSET_SPS: 15,
  /** Coded slice of an auxiliary coded picture without partitioning. */
  AUXILIARY_SLICE: 19,
  /** Coded slice extension (SVC/MVC). */
  SLICE_EXT: 20,
  /** RFC 6184 §5.7.1: single-time aggregation packet. */
  STAP_A: 24,
  /** RFC 6184 §5.7.1: single-time aggregation packet with DON. */
  STAP_B: 25,
  /** RFC 6184 §5.7.2: multi-time aggregation packet, 16-bit offset. */
  MTAP16: 26,
  /** RFC 6184 §5.7.2: multi-time aggregation packet, 24-bit offset. */
  MTAP24: 27,
  /** RFC 6184 §5.8: fragmentation unit without DON. */
  FU_A: 28,
  /** RFC 6184 §5.8: fragmentation unit with DON. */
  FU_B: 29,
} as const;

/**
 * The 5-bit `nal_unit_type` of a NAL unit (H.264 §7.3.1), or -1 for an empty array.
 *
 * @param nal A NAL unit starting with its one-byte header (no start code).
 * @returns The type in 0..31, or -1 when `nal` is empty.
 */
export function nalType(nal: Uint8Array): number {
  return nal.length === 0 ? -1 : nal[0] & 0x1f;
}

/**
 * Whether a NAL unit type carries coded slice data (VCL, H.264 §7.4.1.2.4: types 1 to 5).
 *
 * @param type A `nal_unit_type`.
 * @returns True for types 1..5.
 */
export function isVclType(type: number): boolean {
  return type >= 1 && type <= 5;
}

/** The only error thrown by the `src/codec` parsers when given malformed bytes. */
export class CodecError extends Error {
  /**
   * Creates the error.
   *
   * @param message A sentence saying what was being parsed and what was wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "CodecError";
  }
}
