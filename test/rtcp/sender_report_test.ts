import assert from "node:assert/strict";
import { buildGoodbye, buildSenderReport } from "../../src/rtcp/sender_report.ts";
import { parseRtcpCompound } from "../../src/rtcp/parse.ts";

const init = {
  ssrc: 0x01020304,
  ntpMs: 1500,
  rtpTimestamp: 0xa0b0c0d0,
  packetCount: 2 ** 32 + 5,
  octetCount: 2 ** 32 - 1,
  cname: "ab",
};

Deno.test("buildSenderReport() writes SR fields and an SDES CNAME byte for byte", () => {
  assert.deepEqual(
    [...buildSenderReport(init)],
    [
      [0x80, 200, 0, 6], // SR: V=2, RC=0, PT=200, length 7 words - 1
      [1, 2, 3, 4], // SSRC
      [0x83, 0xaa, 0x7e, 0x81], // NTP seconds: 2208988801
      [0x80, 0, 0, 0], // NTP fraction: 0.5 s
      [0xa0, 0xb0, 0xc0, 0xd0], // RTP timestamp
      [0, 0, 0, 5], // packet count, wrapped
      [0xff, 0xff, 0xff, 0xff], // octet count
      [0x81, 202, 0, 3], // SDES: V=2, SC=1, PT=202, length 4 words - 1
      [1, 2, 3, 4], // chunk SSRC
      [1, 2, 0x61, 0x62], // CNAME "ab"
      [0, 0, 0, 0], // END and padding to 32 bits
    ].flat(),
  );
});

Deno.test("buildSenderReport() pads the SDES chunk to 32 bits with at least one null octet", () => {
  for (let length = 1; length <= 12; length++) {
    const cname = "x".repeat(length);
    const bytes = buildSenderReport({ ...init, cname });
    assert.equal(bytes.length % 4, 0);
    // 28 bytes of SR, 4 of SDES header, 4 of SSRC, 2 of item header, the text, then nulls.
    const nulls = bytes.length - (28 + 4 + 4 + 2 + length);
    assert.ok(nulls >= 1 && nulls <= 4, `${length}: ${nulls} nulls`);
    assert.ok(bytes.subarray(bytes.length - nulls).every((b) => b === 0));
    const sdes = parseRtcpCompound(bytes)?.[1];
    assert.deepEqual(sdes, {
      type: "sdes",
      chunks: [{ ssrc: init.ssrc, items: [{ type: 1, value: cname }] }],
    });
  }
});

Deno.test("buildSenderReport() output parses back to the same values", () => {
  const ntpMs = Date.UTC(2024, 0, 1, 0, 0, 0, 250);
  const packets = parseRtcpCompound(
    buildSenderReport({ ...init, ntpMs, cname: "rtsp-edge@192.0.2.1" }),
  );
  assert.deepEqual(packets?.[0], {
    type: "sr",
    ssrc: init.ssrc,
    ntp: { seconds: 3913056000, fraction: 0x40000000 },
    rtpTimestamp: 0xa0b0c0d0,
    packetCount: 5,
    octetCount: 0xffffffff,
    reports: [],
  });
  assert.equal(packets?.length, 2);
});

Deno.test("buildSenderReport() encodes the CNAME as UTF-8", () => {
  const bytes = buildSenderReport({ ...init, cname: "kamera-küche" });
  const sdes = parseRtcpCompound(bytes)?.[1];
  assert.equal(sdes?.type === "sdes" && sdes.chunks[0].items[0].value, "kamera-küche");
  assert.equal(bytes[28 + 9], 13); // 12 characters, ü takes 2 bytes
});

Deno.test("buildSenderReport() rejects fields out of range with errors that name them", () => {
  const bad: [Partial<typeof init>, RegExp][] = [
    [{ ssrc: -1 }, /^ssrc must be an integer from 0 to 4294967295, got -1$/],
    [{ rtpTimestamp: 2 ** 32 }, /^rtpTimestamp must be/],
    [{ packetCount: -1 }, /^packetCount must be a non-negative integer, got -1$/],
    [{ octetCount: 1.5 }, /^octetCount must be a non-negative integer/],
    [{ ntpMs: Number.NaN }, /^ms must be a finite number/],
    [{ cname: "" }, /^cname must be 1 to 255 bytes of UTF-8, got 0 bytes$/],
    [{ cname: "é".repeat(128) }, /^cname must be 1 to 255 bytes of UTF-8, got 256 bytes$/],
  ];
  for (const [patch, message] of bad) {
    assert.throws(() => buildSenderReport({ ...init, ...patch }), { name: "RangeError", message });
  }
  assert.doesNotThrow(() => buildSenderReport({ ...init, cname: "x".repeat(255) }));
});

Deno.test("buildGoodbye() appends a BYE with the reason padded to 32 bits", () => {
  const bytes = buildGoodbye(init, "bye");
  const sr = buildSenderReport(init);
  assert.deepEqual(bytes.subarray(0, sr.length), sr);
  assert.deepEqual(
    [...bytes.subarray(sr.length)],
    [
      [0x81, 203, 0, 2], // BYE, SC=1, length 3 words - 1
      [1, 2, 3, 4], // SSRC
      [3, 0x62, 0x79, 0x65], // "bye"
    ].flat(),
  );
  assert.deepEqual(parseRtcpCompound(bytes)?.[2], {
    type: "bye",
    ssrcs: [init.ssrc],
    reason: "bye",
  });
});

Deno.test("buildGoodbye() leaves out an absent or empty reason", () => {
  for (const reason of [undefined, ""]) {
    const bytes = buildGoodbye(init, reason);
    assert.deepEqual([...bytes.subarray(bytes.length - 8)], [0x81, 203, 0, 1, 1, 2, 3, 4]);
    assert.deepEqual(parseRtcpCompound(bytes)?.[2], { type: "bye", ssrcs: [init.ssrc] });
  }
  const four = buildGoodbye(init, "four");
  assert.equal(four.length, buildSenderReport(init).length + 8 + 8);
  assert.throws(() => buildGoodbye(init, "x".repeat(256)), /reason must be 0 to 255 bytes/);
});
