/**
 * One movie fragment (ISO/IEC 14496-12 §8.8): `moof` (`mfhd`, `traf` with `tfhd`, `tfdt`, `trun`)
 * and the `mdat` holding its samples, written into one buffer, the form a WebSocket message takes.
 * A sample is one access unit as ISO/IEC 14496-15 §5.3.2 stores it: each NAL unit after a 4-byte
 * length (the `avcC`'s `lengthSizeMinusOne` is 3), no start codes.
 *
 * @module
 */

import { TRACK_ID } from "./init_segment.ts";

/** One access unit of a fragment. */
export interface Sample {
  /** Its NAL units, without start codes. */
  readonly nalUnits: readonly Uint8Array[];
  /** How long it shows, in track ticks (90 kHz). */
  readonly duration: number;
  /** Whether decoding can start here (an IDR picture). */
  readonly keyframe: boolean;
}

// §8.8.7.1 tfhd flags: default-base-is-moof, so data offsets count from the moof (as MSE expects).
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
// §8.8.8.1 trun flags: data-offset, sample-duration, sample-size and sample-flags present.
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400;
// §8.8.3.1 sample flags: sample_depends_on 2 (an I picture) / 1 plus sample_is_non_sync_sample.
const SYNC_SAMPLE = 0x02000000;
const NON_SYNC_SAMPLE = 0x01010000;

/**
 * `moof` + `mdat` for `samples`, numbered `sequence` (§8.8.5: starts at 1, increases per fragment),
 * the first sample decoded at `baseDecodeTime` ticks (§8.8.12 `tfdt`, 64-bit).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mediaFragment } from "./fragment.ts";
 *
 * const idr = new Uint8Array([0x65, 0x88, 0x84]);
 * const bytes = mediaFragment(1, 0, [{ nalUnits: [idr], duration: 3000, keyframe: true }]);
 * assert.equal(bytes.length, 100 + 8 + 4 + 3); // moof, mdat header, length, NAL unit
 * ```
 */
export function mediaFragment(
  sequence: number,
  baseDecodeTime: number,
  samples: readonly Sample[],
): Uint8Array {
  const n = samples.length;
  const trunSize = 20 + 12 * n;
  const trafSize = 8 + 16 + 20 + trunSize;
  const moofSize = 8 + 16 + trafSize;
  let mdatSize = 8;
  for (const s of samples) for (const nal of s.nalUnits) mdatSize += 4 + nal.length;
  const out = new Uint8Array(moofSize + mdatSize);
  const v = new DataView(out.buffer);
  let at = 0;
  const u32 = (x: number) => {
    v.setUint32(at, x >>> 0);
    at += 4;
  };
  const header = (size: number, type: string) => {
    u32(size);
    for (let i = 0; i < 4; i++) out[at++] = type.charCodeAt(i);
  };
  header(moofSize, "moof");
  header(16, "mfhd");
  u32(0); // version 0, flags 0
  u32(sequence);
  header(trafSize, "traf");
  header(16, "tfhd");
  u32(TFHD_DEFAULT_BASE_IS_MOOF);
  u32(TRACK_ID);
  header(20, "tfdt");
  u32(0x01000000); // version 1: a 64-bit time
  u32(Math.floor(baseDecodeTime / 2 ** 32));
  u32(baseDecodeTime % 2 ** 32);
  header(trunSize, "trun");
  u32(TRUN_FLAGS); // version 0: no composition offsets (no B-frames reordered)
  u32(n);
  u32(moofSize + 8); // data_offset: from the moof's first byte to the first sample
  for (const s of samples) {
    let size = 0;
    for (const nal of s.nalUnits) size += 4 + nal.length;
    u32(s.duration);
    u32(size);
    u32(s.keyframe ? SYNC_SAMPLE : NON_SYNC_SAMPLE);
  }
  header(mdatSize, "mdat");
  for (const s of samples) {
    for (const nal of s.nalUnits) {
      u32(nal.length);
      out.set(nal, at);
      at += nal.length;
    }
  }
  return out;
}
