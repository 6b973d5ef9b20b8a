import assert from "node:assert/strict";
import { parseRtcpCompound } from "../../src/rtcp/parse.ts";
import { buildReceiverReport } from "../../src/rtcp/receiver_report.ts";
import { buildGoodbye, buildSenderReport } from "../../src/rtcp/sender_report.ts";
import { embedded, Xorshift32 } from "../rtp/prng.ts";

const sr = {
  ssrc: 1,
  ntpMs: 1_700_000_000_000,
  rtpTimestamp: 2,
  packetCount: 3,
  octetCount: 4,
  cname: "seed",
};
const SEEDS: Uint8Array[] = [
  buildSenderReport(sr),
  buildGoodbye(sr, "the end"),
  buildReceiverReport({
    ssrc: 2,
    reports: [{
      ssrc: 1,
      fractionLost: 1,
      cumulativeLost: -1,
      highestSequence: 3,
      jitter: 4,
      lastSr: 5,
      delaySinceLastSr: 6,
    }],
    cname: "viewer",
  }),
];

function check(input: Uint8Array): boolean {
  const before = input.slice();
  const packets = parseRtcpCompound(input);
  assert.deepEqual(input, before, "the input is not mutated");
  if (!packets) return false;
  assert.ok(packets.length > 0 && packets.length <= input.length / 4);
  assert.ok(packets[0].type === "sr" || packets[0].type === "rr");
  for (const p of packets) {
    if (p.type === "sr" || p.type === "rr") assert.ok(p.reports.length <= 31);
  }
  return true;
}

Deno.test("parseRtcpCompound() never throws on random bytes", () => {
  const rng = new Xorshift32(99);
  for (let i = 0; i < 5000; i++) {
    const bytes = rng.bytes(rng.below(24) * 4 + (rng.below(4) === 0 ? rng.below(4) : 0));
    if (bytes.length > 1 && rng.below(2)) {
      bytes[0] = 0x80 | (bytes[0] & 0x1f);
      bytes[1] = 200 + rng.below(2);
    }
    check(embedded(bytes));
  }
});

Deno.test("parseRtcpCompound() never throws on mutated valid compounds", () => {
  const rng = new Xorshift32(2024);
  let accepted = 0;
  for (const seed of SEEDS) assert.ok(check(seed), "the seeds are valid");
  for (let i = 0; i < 5000; i++) {
    if (check(embedded(rng.mutate(SEEDS[rng.below(SEEDS.length)])))) accepted++;
  }
  assert.ok(accepted > 100, `only ${accepted} mutants parsed: the test proves little`);
});
