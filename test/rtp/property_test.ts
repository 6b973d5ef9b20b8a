import assert from "node:assert/strict";
import { H264Depacketizer } from "../../src/rtp/h264_depacketizer.ts";
import { H264Packetizer } from "../../src/rtp/h264_packetizer.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/header.ts";
import { H264_CASES } from "./h264_cases.ts";
import { embedded, within, Xorshift32 } from "./prng.ts";

const RUNS = 5000;

/** Valid packets with every optional part, as mutation seeds. */
const RTP_SEEDS: Uint8Array[] = [
  new Uint8Array([0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x41, 2, 3]),
  new Uint8Array([
    [0xb2, 0xe0, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8], // V=2 P X CC=2, marker, PT 96
    [0, 0, 0, 1, 0, 0, 0, 2], // CSRCs
    [0xbe, 0xde, 0, 1, 1, 2, 3, 4], // extension
    [0x7c, 0x85, 9, 0, 0, 3], // FU-A start, padding
  ].flat()),
  new Uint8Array([0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x10, 0, 0, 0]),
];

function checkRtp(input: Uint8Array): void {
  const before = input.slice();
  const p = parseRtpPacket(input);
  assert.deepEqual(input, before, "the input is not mutated");
  if (!p) return;
  assert.ok(within(p.payload, input), "payload inside the input");
  if (p.extension) assert.ok(within(p.extension.data, input), "extension inside the input");
  assert.ok(p.payload.length + p.paddingBytes + 12 + 4 * p.csrc.length <= input.length);
}

Deno.test("parseRtpPacket() never throws on random bytes and never returns views outside them", () => {
  const rng = new Xorshift32(0x1234567);
  for (let i = 0; i < RUNS; i++) {
    const bytes = rng.bytes(rng.below(48));
    if (rng.below(2)) bytes[0] = 0x80 | (bytes[0] & 0x3f); // make version 2 likely
    checkRtp(embedded(bytes));
  }
});

Deno.test("parseRtpPacket() never throws on mutated valid packets", () => {
  const rng = new Xorshift32(42);
  for (const seed of RTP_SEEDS) assert.ok(parseRtpPacket(seed), "the seeds are valid");
  for (let i = 0; i < RUNS; i++) {
    checkRtp(embedded(rng.mutate(RTP_SEEDS[rng.below(RTP_SEEDS.length)])));
  }
});

/** The table's access units as one packet stream: the depacketizer's fuzz seeds. */
function seedStream(): RtpPacket[] {
  const packetizer = new H264Packetizer({
    payloadType: 96,
    ssrc: 1,
    initialSequence: 65500,
    maxPayloadSize: 300,
  });
  return H264_CASES.flatMap((c, i) =>
    [...packetizer.packetize(c.nalUnits, i * 3000).packets()].map((b) => parseRtpPacket(b)!)
  );
}

Deno.test("H264Depacketizer never throws on mangled streams and keeps output owned and bounded", () => {
  const rng = new Xorshift32(7);
  const seeds = seedStream();
  const cap = 20000;
  let emitted = 0;
  let droppedUnits = 0;
  for (let run = 0; run < 200; run++) {
    const d = new H264Depacketizer({ maxAccessUnitSize: cap });
    const inputs: Uint8Array[] = [];
    const check = (au: ReturnType<H264Depacketizer["push"]>) => {
      if (!au) return;
      let size = 0;
      for (const n of au.nalUnits) {
        assert.ok(n.length > 0, "no empty NAL units");
        assert.ok(inputs.every((input) => n.buffer !== input.buffer), "NAL units are owned");
        size += n.length;
      }
      assert.ok(size <= cap, "access units stay under the cap");
      assert.ok(au.nalUnits.length > 0);
      emitted++;
    };
    for (const seed of seeds) {
      const choice = rng.below(10);
      if (choice === 0) continue; // lost
      let packet = seed;
      if (choice === 1) {
        const mutated = embedded(rng.mutate(seed.payload));
        packet = { ...seed, payload: mutated };
      } else if (choice === 2) {
        packet = { ...seed, marker: !seed.marker };
      } else if (choice === 3) {
        packet = { ...seed, sequenceNumber: rng.below(65536), timestamp: rng.next() };
      } else if (choice === 4) {
        const bytes = embedded(rng.bytes(1 + rng.below(40)));
        packet = { ...seed, payload: bytes };
      }
      inputs.push(packet.payload);
      const before = packet.payload.slice();
      check(d.push(packet));
      assert.deepEqual(packet.payload, before, "the payload is not mutated");
      if (choice === 5) check(d.push(packet)); // duplicated
    }
    d.flush().forEach(check);
    droppedUnits += d.droppedAccessUnits;
  }
  // The mangling must leave both outcomes common, or the test proves little.
  assert.ok(emitted > 200, `emitted ${emitted}`);
  assert.ok(droppedUnits > 200, `dropped ${droppedUnits}`);
});

Deno.test("H264Depacketizer recovers every access unit of an undamaged seed stream", () => {
  const d = new H264Depacketizer();
  const outs = seedStream().map((p) => d.push(p)).filter((au) => au !== undefined);
  assert.deepEqual(outs.map((au) => au.nalUnits), H264_CASES.map((c) => c.nalUnits));
});
