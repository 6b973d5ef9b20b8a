/**
 * NTP timestamps for RTCP sender reports (RFC 3550 §4): 32-bit seconds since 1900-01-01 and a 32-bit
 * binary fraction. The clock is the caller's: these functions only convert.
 *
 * @module
 */

/** An NTP timestamp: unsigned 32-bit seconds since 1900 and unsigned 32-bit fraction of a second. */
export interface NtpTimestamp {
  /** Whole seconds since 1900-01-01 00:00 UTC, modulo 2^32 (the era wraps in February 2036). */
  seconds: number;
  /** Fraction of a second in units of 2^-32 s. */
  fraction: number;
}

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
export const NTP_UNIX_OFFSET_SECONDS = 2208988800;

const TWO_32 = 0x100000000;

/**
 * Converts Unix time in milliseconds (fractions allowed) to an NTP timestamp. The fraction is
 * rounded down. Throws a `RangeError` for a value that is not finite.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unixMsToNtp } from "./ntp.ts";
 *
 * assert.deepEqual(unixMsToNtp(0), { seconds: 2208988800, fraction: 0 });
 * assert.deepEqual(unixMsToNtp(1500), { seconds: 2208988801, fraction: 0x80000000 });
 * ```
 */
export function unixMsToNtp(ms: number): NtpTimestamp {
  if (!Number.isFinite(ms)) throw new RangeError(`ms must be a finite number, got ${ms}`);
  const wholeSeconds = Math.floor(ms / 1000);
  const remainderMs = ms - wholeSeconds * 1000; // 0 <= remainderMs < 1000
  return {
    seconds: (wholeSeconds + NTP_UNIX_OFFSET_SECONDS) >>> 0,
    fraction: Math.min(0xffffffff, Math.floor((remainderMs * TWO_32) / 1000)),
  };
}

/**
 * Converts an NTP timestamp to Unix time in milliseconds (with the sub-millisecond part kept).
 * Following RFC 4330 §3, seconds with the top bit clear are taken to be in era 1 (from 2036 on),
 * so times from 1968 to 2104 come back right.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpToUnixMs } from "./ntp.ts";
 *
 * assert.equal(ntpToUnixMs({ seconds: 2208988801, fraction: 0x80000000 }), 1500);
 * ```
 */
export function ntpToUnixMs(ntp: NtpTimestamp): number {
  const seconds = ntp.seconds >= 0x80000000 ? ntp.seconds : ntp.seconds + TWO_32;
  return (seconds - NTP_UNIX_OFFSET_SECONDS) * 1000 + (ntp.fraction * 1000) / TWO_32;
}

/**
 * The middle 32 bits of an NTP timestamp (low 16 bits of the seconds, high 16 of the fraction): the
 * "LSR" a receiver echoes in its report block (RFC 3550 §6.4.1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpMiddle32 } from "./ntp.ts";
 *
 * assert.equal(ntpMiddle32({ seconds: 0x12345678, fraction: 0x9abcdef0 }), 0x56789abc);
 * ```
 */
export function ntpMiddle32(ntp: NtpTimestamp): number {
  return (((ntp.seconds & 0xffff) << 16) | (ntp.fraction >>> 16)) >>> 0;
}

/**
 * Milliseconds to the 1/65536 s units of an RTCP "DLSR" field, rounded down and clamped to
 * 0..2^32-1 (RFC 3550 §6.4.1).
 */
export function msToNtpShort(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(0xffffffff, Math.floor((ms * 65536) / 1000));
}

/** 1/65536 s units (DLSR, or a difference of two LSR-style middle-32 values) to milliseconds. */
export function ntpShortToMs(units: number): number {
  return ((units >>> 0) * 1000) / 65536;
}
