/**
 * The AU header section of RFC 3640 §3.2.1: a 16-bit AU-headers-length in bits, then one AU header
 * per access unit (§3.2.1.1), padded to a byte, then the optional auxiliary section (§3.2.2). The
 * width of every field comes from the fmtp (§4.1); AAC-hbr fixes them at 13/3/3 (§3.3.6).
 *
 * @module
 */

import { BitReader } from "../codec/bit_reader.ts";

/** Widths of the AU header fields, from the fmtp parameters of RFC 3640 §4.1. */
export interface AuHeaderLayout {
  /** `sizelength`: bits of AU-size, 1 to 32. */
  sizeLength: number;
  /** `indexlength`: bits of AU-Index in the first header, 0 to 32. */
  indexLength: number;
  /** `indexdeltalength`: bits of AU-Index-delta in the following headers, 0 to 32. */
  indexDeltaLength: number;
  /** `ctsdeltalength`: with a non-zero value, each header has a CTS-flag and maybe a CTS-delta. */
  ctsDeltaLength: number;
  /** `dtsdeltalength`: with a non-zero value, each header has a DTS-flag and maybe a DTS-delta. */
  dtsDeltaLength: number;
  /** `randomaccessindication`: each header has a RAP-flag. */
  randomAccessIndication: boolean;
  /** `streamstateindication`: bits of Stream-state in each header. */
  streamStateIndication: number;
  /** `auxiliarydatasizelength`: bits of auxiliary-data-size; 0 means no auxiliary section. */
  auxiliaryDataSizeLength: number;
}

/** The layout of AAC-hbr (RFC 3640 §3.3.6): 13-bit sizes, 3-bit index and index delta. */
export const AAC_HBR_LAYOUT: Readonly<AuHeaderLayout> = {
  sizeLength: 13,
  indexLength: 3,
  indexDeltaLength: 3,
  ctsDeltaLength: 0,
  dtsDeltaLength: 0,
  randomAccessIndication: false,
  streamStateIndication: 0,
  auxiliaryDataSizeLength: 0,
};

/** One AU header, the fields that matter for AAC. */
export interface AuHeader {
  /** AU-size in bytes: of the whole access unit, even when the packet holds one fragment (§3.2.3). */
  size: number;
  /** AU-Index for the first header, AU-Index-delta for the others (§3.2.1.1). */
  index: number;
}

/** A parsed AU header section. */
export interface AuHeaderSection {
  /** The headers, in packet order. */
  headers: AuHeader[];
  /** Byte offset in the payload where the access units (or the fragment) begin. */
  dataOffset: number;
}

/** Bits of one AU header with no optional flags set; the most headers one packet can declare. */
function auHeaderBits(layout: AuHeaderLayout, first: boolean): number {
  return layout.sizeLength + (first ? layout.indexLength : layout.indexDeltaLength) +
    (layout.ctsDeltaLength > 0 ? 1 : 0) + (layout.dtsDeltaLength > 0 ? 1 : 0) +
    (layout.randomAccessIndication ? 1 : 0) + layout.streamStateIndication;
}

/**
 * Reads the AU header section (and skips the auxiliary section) at the start of `payload`. Returns
 * `undefined` when the bits do not add up: the declared length runs past the payload, a header
 * crosses its end, or it holds no header. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AAC_HBR_LAYOUT, readAuHeaderSection } from "./aac_au_headers.ts";
 *
 * // 32 bits of headers: AU of 3 bytes (index 0), AU of 2 bytes (delta 0).
 * const payload = new Uint8Array([0x00, 0x20, 0x00, 0x18, 0x00, 0x10, 1, 2, 3, 4, 5]);
 * const section = readAuHeaderSection(payload, AAC_HBR_LAYOUT)!;
 * assert.deepEqual(section.headers, [{ size: 3, index: 0 }, { size: 2, index: 0 }]);
 * assert.equal(section.dataOffset, 6);
 * ```
 */
export function readAuHeaderSection(
  payload: Uint8Array,
  layout: AuHeaderLayout,
): AuHeaderSection | undefined {
  if (payload.length < 2) return undefined;
  // §3.2.1: AU-headers-length counts the bits of the AU headers, not the padding after them.
  const bits = (payload[0] << 8) | payload[1];
  const headerBytes = Math.ceil(bits / 8);
  if (bits === 0 || 2 + headerBytes > payload.length) return undefined;
  const r = new BitReader(payload.subarray(2, 2 + headerBytes));
  const end = headerBytes * 8 - bits; // bits left in the reader when the headers are all read
  const headers: AuHeader[] = [];
  try {
    while (r.remaining > end) {
      const first = headers.length === 0;
      if (r.remaining - end < auHeaderBits(layout, first)) return undefined;
      const size = r.u(layout.sizeLength);
      const index = r.u(first ? layout.indexLength : layout.indexDeltaLength);
      if (layout.ctsDeltaLength > 0 && r.flag()) r.skip(layout.ctsDeltaLength);
      if (layout.dtsDeltaLength > 0 && r.flag()) r.skip(layout.dtsDeltaLength);
      if (layout.randomAccessIndication) r.skip(1);
      r.skip(layout.streamStateIndication);
      if (r.remaining < end) return undefined; // optional deltas ran past the declared length
      headers.push({ size, index });
    }
  } catch {
    return undefined;
  }
  if (r.remaining !== end) return undefined;
  let dataOffset = 2 + headerBytes;
  if (layout.auxiliaryDataSizeLength > 0) {
    // §3.2.2: auxiliary-data-size in bits, then the data, padded to a byte; skipped whole.
    const aux = new BitReader(payload.subarray(dataOffset));
    if (aux.remaining < layout.auxiliaryDataSizeLength) return undefined;
    const auxBits = layout.auxiliaryDataSizeLength + aux.u(layout.auxiliaryDataSizeLength);
    dataOffset += Math.ceil(auxBits / 8);
    if (dataOffset > payload.length) return undefined;
  }
  return { headers, dataOffset };
}

/**
 * Writes an AAC-hbr AU header section (§3.3.6) for access units of the given sizes (each below
 * 8192 bytes) into `out` at `at`, with AU-Index and every AU-Index-delta 0 (consecutive units, no
 * interleaving); returns the bytes written, 2 + 2 × sizes.length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAacHbrHeaders } from "./aac_au_headers.ts";
 *
 * const out = new Uint8Array(6);
 * assert.equal(writeAacHbrHeaders(out, 0, [3, 8191]), 6);
 * assert.deepEqual([...out], [0x00, 0x20, 0x00, 0x18, 0xff, 0xf8]);
 * ```
 */
export function writeAacHbrHeaders(out: Uint8Array, at: number, sizes: readonly number[]): number {
  const bits = sizes.length * 16;
  out[at] = bits >> 8;
  out[at + 1] = bits & 0xff;
  for (let i = 0; i < sizes.length; i++) {
    // 13-bit AU-size, then 3 bits of index (0).
    const header = (sizes[i] & 0x1fff) << 3;
    out[at + 2 + 2 * i] = header >> 8;
    out[at + 3 + 2 * i] = header & 0xff;
  }
  return 2 + 2 * sizes.length;
}
