import assert from "node:assert/strict";
import { buildReceiverReport } from "../../src/rtcp/receiver_report.ts";
import { parseRtcpCompound } from "../../src/rtcp/parse.ts";
import type { ReceptionReport } from "../../src/rtcp/report_block.ts";

const block: ReceptionReport = {
  ssrc: 0xdeadbeef,
  fractionLost: 255,
  cumulativeLost: -0x800000,
  highestSequence: 0xffffffff,
  jitter: 4321,
  lastSr: 0x12345678,
  delaySinceLastSr: 0,
};

Deno.test("buildReceiverReport() writes an RR with its report blocks and an SDES CNAME", () => {
  const second = { ...block, ssrc: 1, cumulativeLost: 0x7fffff };
  const bytes = buildReceiverReport({ ssrc: 7, reports: [block, second], cname: "v" });
  assert.deepEqual(
    [...bytes.subarray(0, 16)],
    [
      [0x82, 201, 0, 13], // RC=2, length (8 + 48) / 4 - 1
      [0, 0, 0, 7], // SSRC
      [0xde, 0xad, 0xbe, 0xef], // block SSRC
      [0xff, 0x80, 0, 0], // fraction 255, cumulative −2^23
    ].flat(),
  );
  assert.deepEqual(parseRtcpCompound(bytes), [
    { type: "rr", ssrc: 7, reports: [block, second] },
    { type: "sdes", chunks: [{ ssrc: 7, items: [{ type: 1, value: "v" }] }] },
  ]);
});

Deno.test("buildReceiverReport() writes an RR with no report blocks", () => {
  const bytes = buildReceiverReport({ ssrc: 7, reports: [], cname: "viewer" });
  assert.deepEqual([...bytes.subarray(0, 8)], [0x80, 201, 0, 1, 0, 0, 0, 7]);
  assert.equal(parseRtcpCompound(bytes)?.length, 2);
});

Deno.test("buildReceiverReport() rejects more than 31 blocks and fields out of range", () => {
  assert.throws(
    () => buildReceiverReport({ ssrc: 1, reports: Array(32).fill(block), cname: "v" }),
    { name: "RangeError", message: "an RR holds at most 31 report blocks, got 32" },
  );
  assert.doesNotThrow(() =>
    buildReceiverReport({ ssrc: 1, reports: Array(31).fill(block), cname: "v" })
  );
  const bad: [Partial<ReceptionReport>, RegExp][] = [
    [{ fractionLost: 256 }, /^fractionLost must be an integer from 0 to 255, got 256$/],
    [{ cumulativeLost: 0x800000 }, /^cumulativeLost must be an integer from -8388608 to 8388607/],
    [{ cumulativeLost: -0x800001 }, /^cumulativeLost must be/],
    [{ highestSequence: -1 }, /^highestSequence must be/],
    [{ jitter: 2 ** 32 }, /^jitter must be/],
    [{ lastSr: 0.5 }, /^lastSr must be/],
    [{ delaySinceLastSr: -1 }, /^delaySinceLastSr must be/],
    [{ ssrc: -1 }, /^report ssrc must be/],
  ];
  for (const [patch, message] of bad) {
    assert.throws(
      () => buildReceiverReport({ ssrc: 1, reports: [{ ...block, ...patch }], cname: "v" }),
      { name: "RangeError", message },
    );
  }
  assert.throws(() => buildReceiverReport({ ssrc: 1, reports: [], cname: "" }), RangeError);
});
