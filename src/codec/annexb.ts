/**
 * H.264 Annex B byte streams: NAL units separated by `00 00 01` / `00 00 00 01` start codes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeAnnexB, splitAnnexB } from "./annexb.ts";
 *
 * const sps = new Uint8Array([0x67, 0x42, 0xc0, 0x1e]);
 * const idr = new Uint8Array([0x65, 0x88, 0x84]);
 * const stream = encodeAnnexB([sps, idr]);
 * assert.deepEqual(splitAnnexB(stream), [sps, idr]);
 * ```
 *
 * @module
 */

/**
 * Finds the next three-byte start code prefix `00 00 01` (H.264 §B.2).
 *
 * Looks at every third byte first: when `bytes[i + 2] > 1` no start code can end in the window,
 * so typical slice data is skipped three bytes per step with no function calls.
 *
 * @param bytes The stream to search.
 * @param from Index to start searching at.
 * @param end Index to stop at (exclusive); defaults to `bytes.length`.
 * @returns The index of the first `00` of the prefix, or -1 when there is none.
 */
export function findStartCode(bytes: Uint8Array, from: number, end: number = bytes.length): number {
  let i = from < 0 ? 0 : from;
  const limit = (end > bytes.length ? bytes.length : end) - 2;
  while (i < limit) {
    const c = bytes[i + 2];
    if (c > 1) {
      i += 3;
    } else if (c === 1) {
      if (bytes[i + 1] === 0 && bytes[i] === 0) return i;
      i += 3;
    } else {
      i += 1;
    }
  }
  return -1;
}

/**
 * Splits an Annex B byte stream into NAL units.
 *
 * Returns `subarray` views (no copies) without start codes. Bytes before the first start code are
 * ignored, trailing zero bytes of each NAL unit are trimmed (they are `trailing_zero_8bits` or the
 * leading zero of a four-byte start code, H.264 §B.1) and empty NAL units are skipped.
 * Never throws and never mutates its input.
 *
 * @param bytes An Annex B byte stream.
 * @returns The NAL units, each starting with its NAL header byte.
 */
export function splitAnnexB(bytes: Uint8Array): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let sc = findStartCode(bytes, 0);
  while (sc >= 0) {
    const start = sc + 3;
    sc = findStartCode(bytes, start);
    let end = sc < 0 ? bytes.length : sc;
    while (end > start && bytes[end - 1] === 0) end--;
    if (end > start) nals.push(bytes.subarray(start, end));
  }
  return nals;
}

/**
 * Joins NAL units into an Annex B byte stream with four-byte start codes.
 *
 * @param nals NAL units without start codes.
 * @returns A new buffer holding `00 00 00 01 <nal>` for each NAL unit.
 */
export function encodeAnnexB(nals: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const nal of nals) size += 4 + nal.length;
  const out = new Uint8Array(size);
  let pos = 0;
  for (const nal of nals) {
    out[pos + 3] = 1;
    out.set(nal, pos + 4);
    pos += 4 + nal.length;
  }
  return out;
}
