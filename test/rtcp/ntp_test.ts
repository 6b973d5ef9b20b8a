import assert from "node:assert/strict";
import {
  msToNtpShort,
  NTP_UNIX_OFFSET_SECONDS,
  ntpMiddle32,
  ntpShortToMs,
  ntpToUnixMs,
  unixMsToNtp,
} from "../../src/rtcp/ntp.ts";

Deno.test("unixMsToNtp() puts the Unix epoch at 2208988800 NTP seconds", () => {
  assert.equal(NTP_UNIX_OFFSET_SECONDS, 2208988800);
  assert.deepEqual(unixMsToNtp(0), { seconds: 2208988800, fraction: 0 });
});

Deno.test("unixMsToNtp() converts a known date with a fractional second", () => {
  // 2024-01-01T00:00:00.250Z
  assert.deepEqual(unixMsToNtp(Date.UTC(2024, 0, 1, 0, 0, 0, 250)), {
    seconds: 3913056000,
    fraction: 0x40000000,
  });
  assert.deepEqual(unixMsToNtp(1), { seconds: 2208988800, fraction: 4294967 });
  assert.deepEqual(unixMsToNtp(999.9999999999), { seconds: 2208988800, fraction: 0xffffffff });
});

Deno.test("unixMsToNtp() wraps the seconds into era 1 after February 2036", () => {
  // 2040-01-01T00:00:00Z is 2208988800 s after 1970, so 2 × 2208988800 − 2^32 in NTP era 1.
  const ms = Date.UTC(2040, 0, 1);
  assert.equal(ms, 2208988800000);
  assert.deepEqual(unixMsToNtp(ms), { seconds: 123010304, fraction: 0 });
  assert.equal(ntpToUnixMs({ seconds: 123010304, fraction: 0 }), ms);
});

Deno.test("ntpToUnixMs() inverts unixMsToNtp() to well under a millisecond", () => {
  for (const ms of [0, 1, 1500, 1700000000123, 1700000000123.5, Date.UTC(2100, 5, 1, 12)]) {
    assert.ok(Math.abs(ntpToUnixMs(unixMsToNtp(ms)) - ms) < 1e-3, String(ms));
  }
});

Deno.test("unixMsToNtp() rejects a time that is not finite", () => {
  assert.throws(() => unixMsToNtp(Number.NaN), {
    name: "RangeError",
    message: "ms must be a finite number, got NaN",
  });
  assert.throws(() => unixMsToNtp(Infinity), RangeError);
});

Deno.test("ntpMiddle32() takes the low 16 bits of the seconds and the high 16 of the fraction", () => {
  assert.equal(ntpMiddle32({ seconds: 0x12345678, fraction: 0x9abcdef0 }), 0x56789abc);
  assert.equal(ntpMiddle32({ seconds: 0xffffffff, fraction: 0xffffffff }), 0xffffffff);
  assert.equal(ntpMiddle32(unixMsToNtp(1500)), ((2208988801 & 0xffff) << 16 | 0x8000) >>> 0);
});

Deno.test("msToNtpShort() and ntpShortToMs() convert delays in 1/65536 s", () => {
  assert.equal(msToNtpShort(1000), 65536);
  assert.equal(msToNtpShort(500), 32768);
  assert.equal(msToNtpShort(-5), 0);
  assert.equal(msToNtpShort(Number.NaN), 0);
  assert.equal(msToNtpShort(1e12), 0xffffffff);
  assert.equal(ntpShortToMs(65536), 1000);
  assert.equal(ntpShortToMs(98304), 1500);
});
