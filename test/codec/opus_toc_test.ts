// Opus packet durations from the TOC byte and frame count (RFC 6716 §3.1, §3.2), for every config,
// every code, and the malformed packets of §3.4.
import assert from "node:assert/strict";
import {
  OPUS_MAX_PACKET_SAMPLES,
  opusFrameSamples,
  opusPacketDuration,
} from "../../src/codec/opus_toc.ts";

// RFC 6716 §3.1 Table 2, in ms: SILK NB/MB/WB, Hybrid SWB/FB, CELT NB/WB/SWB/FB.
const TABLE_MS: number[] = [
  ...[10, 20, 40, 60, 10, 20, 40, 60, 10, 20, 40, 60],
  ...[10, 20, 10, 20],
  ...[2.5, 5, 10, 20, 2.5, 5, 10, 20, 2.5, 5, 10, 20, 2.5, 5, 10, 20],
];

Deno.test("opusFrameSamples() follows RFC 6716 Table 2 for all 32 configs, mono or stereo", () => {
  for (let config = 0; config < 32; config++) {
    for (const stereo of [0, 4]) {
      assert.equal(opusFrameSamples((config << 3) | stereo), TABLE_MS[config] * 48, `${config}`);
    }
  }
});

Deno.test("opusPacketDuration() counts frames by code (RFC 6716 §3.2)", () => {
  const cases: [bytes: number[], samples: number | undefined][] = [
    [[0xfc], 960], // code 0, no frame data (DTX) is still 20 ms
    [[0xfd, 1, 2], 1920], // code 1: two frames of equal size
    [[0xfd, 1], undefined], // code 1 with an odd payload breaks R3
    [[0xfe, 0], 1920], // code 2: first frame length 0
    [[0xfe], undefined], // code 2 without its length byte (R4)
    [[0xff, 0x06, 1, 2], 5760], // code 3: 6 × 20 ms = 120 ms, the most allowed
    [[0xff, 0x07], undefined], // 7 × 20 ms (R5)
    [[0xff, 0x00], undefined], // M = 0 (R5)
    [[0xff], undefined], // no frame count byte
    [[0x83, 48], 5760], // CELT NB 2.5 ms × 48
    [[0x83, 49], undefined],
    [[0x1b, 2], 5760], // SILK NB 60 ms × 2
    [[0xfb, 0xc1, 0x01], 960], // VBR and padding flags do not change the count
    [[], undefined],
  ];
  for (const [bytes, samples] of cases) {
    assert.equal(opusPacketDuration(Uint8Array.from(bytes)), samples, JSON.stringify(bytes));
  }
  assert.equal(OPUS_MAX_PACKET_SAMPLES, 120 * 48);
});
