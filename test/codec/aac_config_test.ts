// AudioSpecificConfig vectors: the configs ffmpeg and common encoders write (LC, 960-sample
// frames, HE-AAC signalled explicitly and by the sync extension, HE-AAC v2, ER AAC-LD), an
// explicit sample rate, the refusals, and the writer checked against the reader.
import assert from "node:assert/strict";
import {
  AAC_SAMPLE_RATES,
  aacFrameSamples,
  parseAudioSpecificConfig,
  writeAudioSpecificConfig,
} from "../../src/codec/aac_config.ts";
import { CodecError } from "../../src/codec/h264.ts";

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));

const VECTORS: [name: string, config: string, want: Record<string, unknown>, ticks: number][] = [
  [
    "AAC-LC 44.1 kHz stereo",
    "1210",
    { objectType: 2, sampleRate: 44100, channels: 2, frameLength: 1024 },
    1024,
  ],
  [
    "ffmpeg's AAC-LC 48 kHz stereo with 'no SBR' in a sync extension",
    "119056e500",
    { objectType: 2, sampleRate: 48000, channels: 2, extensionSampleRate: undefined },
    1024,
  ],
  [
    "AAC-LC with frameLengthFlag: 960-sample frames",
    "1194",
    { objectType: 2, sampleRate: 48000, frameLength: 960 },
    960,
  ],
  [
    "HE-AAC, explicit (object type 5), 24 kHz core, 48 kHz out",
    "2b118800",
    { objectType: 2, sampleRate: 24000, extensionSampleRate: 48000, channels: 2 },
    2048,
  ],
  [
    "HE-AAC, implicit (sync extension 0x2b7)",
    "131056e598",
    { objectType: 2, sampleRate: 24000, extensionSampleRate: 48000 },
    2048,
  ],
  [
    "HE-AAC v2 (object type 29)",
    "eb098800",
    { objectType: 2, sampleRate: 24000, extensionSampleRate: 48000, channels: 1, ps: true },
    2048,
  ],
  [
    "ER AAC-LD, 480-sample frames",
    "b98c00",
    { objectType: 23, sampleRate: 48000, channels: 1, frameLength: 480 },
    480,
  ],
  [
    "7.1 (channelConfiguration 7)",
    "11b8",
    { channelConfiguration: 7, channels: 8 },
    1024,
  ],
];

for (const [name, config, want, ticks] of VECTORS) {
  Deno.test(`parseAudioSpecificConfig(): ${name}`, () => {
    const asc = parseAudioSpecificConfig(hex(config));
    for (const [key, value] of Object.entries(want)) {
      assert.equal(asc[key as keyof typeof asc], value, key);
    }
    assert.equal(aacFrameSamples(asc, asc.extensionSampleRate ?? asc.sampleRate), ticks);
  });
}

Deno.test("parseAudioSpecificConfig() refuses what it cannot read, with a CodecError", () => {
  for (
    const [config, why] of [
      ["", /ended/],
      ["12", /ended/],
      ["1180", /channelConfiguration 0/],
      ["1690", /reserved samplingFrequencyIndex 13/],
      ["0190", /object type 0/],
      ["f800", /ended|object type/],
      ["4190", /object type 8/],
      ["1780000010", /explicit sample rate of 0/],
    ] as const
  ) {
    assert.throws(() => parseAudioSpecificConfig(hex(config)), (e: unknown) => {
      assert.ok(e instanceof CodecError, `${config}: ${e}`);
      assert.match(e.message, why, config);
      return true;
    });
  }
});

Deno.test("writeAudioSpecificConfig() writes what the reader reads, at every table rate", () => {
  for (const sampleRate of [...AAC_SAMPLE_RATES, 11111, 192000]) {
    for (const channels of [1, 2, 3, 4, 5, 6, 8]) {
      for (const frameLength of [1024, 960]) {
        const bytes = writeAudioSpecificConfig({ sampleRate, channels, frameLength });
        assert.equal(bytes.length, AAC_SAMPLE_RATES.includes(sampleRate) ? 2 : 5);
        const asc = parseAudioSpecificConfig(bytes);
        assert.deepEqual(
          [asc.objectType, asc.sampleRate, asc.channels, asc.frameLength],
          [2, sampleRate, channels, frameLength],
        );
      }
    }
  }
  assert.deepEqual([...writeAudioSpecificConfig({ sampleRate: 44100, channels: 2 })], [0x12, 0x10]);
  assert.deepEqual(
    [...writeAudioSpecificConfig({ sampleRate: 8000, channels: 1, objectType: 1 })],
    [0x0d, 0x88],
  );
});

Deno.test("writeAudioSpecificConfig() throws a RangeError for fields it cannot write", () => {
  for (
    const fields of [
      { sampleRate: 48000, channels: 7 },
      { sampleRate: 48000, channels: 0 },
      { sampleRate: 0, channels: 1 },
      { sampleRate: 2 ** 24, channels: 1 },
      { sampleRate: 48000, channels: 1, objectType: 5 },
      { sampleRate: 48000, channels: 1, frameLength: 512 },
    ]
  ) {
    assert.throws(() => writeAudioSpecificConfig(fields), RangeError, JSON.stringify(fields));
  }
});
