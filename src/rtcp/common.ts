/**
 * Pieces shared by the RTCP builders and parser: packet type numbers (RFC 3550 §12.1), the common
 * header, and the SDES CNAME chunk (§6.5).
 *
 * @module
 */

/** RTCP packet type of a sender report (RFC 3550 §6.4.1). */
export const RTCP_SR = 200;
/** RTCP packet type of a receiver report (RFC 3550 §6.4.2). */
export const RTCP_RR = 201;
/** RTCP packet type of a source description (RFC 3550 §6.5). */
export const RTCP_SDES = 202;
/** RTCP packet type of a goodbye (RFC 3550 §6.6). */
export const RTCP_BYE = 203;
/** RTCP packet type of an application-defined packet (RFC 3550 §6.7). */
export const RTCP_APP = 204;
/** SDES item type of the canonical name (RFC 3550 §6.5.1). */
export const SDES_CNAME = 1;

const encoder = new TextEncoder();

/**
 * UTF-8 bytes of an SDES text or BYE reason, which RFC 3550 §6.5 and §6.6 limit to 255 bytes.
 * Throws a `RangeError` naming `what` when the text is longer.
 */
export function encodeText(what: string, text: string, min: number): Uint8Array {
  if (typeof text !== "string") throw new TypeError(`${what} must be a string, got ${typeof text}`);
  const bytes = encoder.encode(text);
  if (bytes.length < min || bytes.length > 255) {
    throw new RangeError(
      `${what} must be ${min} to 255 bytes of UTF-8, got ${bytes.length} bytes`,
    );
  }
  return bytes;
}

/** Throws a `RangeError` unless `value` is an integer from 0 to 2^32-1; returns it. */
export function checkU32(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${what} must be an integer from 0 to 4294967295, got ${value}`);
  }
  return value;
}

/**
 * Writes the 4-byte RTCP common header (version 2, no padding) for a packet of `size` bytes, a
 * multiple of 4, at `at`: RFC 3550 §6.4.1 counts the length in 32-bit words minus one.
 */
export function writeCommonHeader(
  view: DataView,
  at: number,
  count: number,
  packetType: number,
  size: number,
): void {
  view.setUint8(at, 0x80 | count);
  view.setUint8(at + 1, packetType);
  view.setUint16(at + 2, size / 4 - 1);
}

/** Size of an SDES packet holding one chunk with only a CNAME of `cnameBytes` bytes. */
export function sdesCnameSize(cnameBytes: number): number {
  // Header, SSRC, item type and length, text, then at least one null octet, padded to 32 bits.
  return 4 + ((4 + 2 + cnameBytes + 1 + 3) & ~3);
}

/** Writes an SDES packet with one CNAME chunk at `at` (RFC 3550 §6.5); returns its size. */
export function writeSdesCname(
  out: Uint8Array,
  view: DataView,
  at: number,
  ssrc: number,
  cname: Uint8Array,
): number {
  const size = sdesCnameSize(cname.length);
  writeCommonHeader(view, at, 1, RTCP_SDES, size);
  view.setUint32(at + 4, ssrc);
  out[at + 8] = SDES_CNAME;
  out[at + 9] = cname.length;
  out.set(cname, at + 10);
  // The END item and the padding are the zeros the fresh buffer already holds.
  return size;
}
