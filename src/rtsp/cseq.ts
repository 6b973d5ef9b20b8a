/**
 * The CSeq header (RFC 2326 §12.17).
 *
 * @module
 */

import { HeaderError } from "./header_error.ts";
import { printable } from "./syntax.ts";

const MAX_CSEQ = 0xffffffff;

/**
 * Parses a CSeq value: decimal digits only, at most 2^32-1 (HARDENING item 6).
 *
 * The server must still echo the CSeq *string* exactly as received (ffmpeg compares it
 * strictly), so use the number only for ordering and logs; a leading `0` is accepted and kept
 * in the echo.
 *
 * @param value The header value, or undefined when the header is missing.
 * @throws {HeaderError} with status 400 when missing, empty, not decimal or above 2^32-1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCSeq } from "./cseq.ts";
 * assert.equal(parseCSeq("42"), 42);
 * assert.throws(() => parseCSeq("4 2"));
 * assert.throws(() => parseCSeq(undefined));
 * ```
 */
export function parseCSeq(value: string | undefined): number {
  if (value === undefined) throw new HeaderError(400, "CSeq header is missing");
  // RFC 2326 §12.17: CSeq = "Cseq" ":" 1*DIGIT. No sign, no exponent, no white space inside.
  if (!/^[0-9]{1,10}$/.test(value)) {
    throw new HeaderError(400, `CSeq must be 1-10 decimal digits, got ${printable(value)}`);
  }
  const n = Number(value);
  if (n > MAX_CSEQ) throw new HeaderError(400, `CSeq ${value} is above 2^32-1`);
  return n;
}

/**
 * Formats a CSeq number (for requests the server or a client originates).
 *
 * @throws {RangeError} when `cseq` is not an integer in 0..2^32-1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatCSeq } from "./cseq.ts";
 * assert.equal(formatCSeq(7), "7");
 * ```
 */
export function formatCSeq(cseq: number): string {
  if (!Number.isInteger(cseq) || cseq < 0 || cseq > MAX_CSEQ) {
    throw new RangeError(`CSeq must be an integer in 0..4294967295, got ${cseq}`);
  }
  return String(cseq);
}
