import assert from "node:assert/strict";
import {
  audioFormatOfInput,
  type AudioInput,
  audioInputOf,
  samePcmFormat,
} from "../../src/ingest/audio_content_type.ts";
import { parseContentType } from "../../src/ingest/content_type.ts";

function input(ct: string): AudioInput {
  const read = audioInputOf(ct);
  assert.ok(read.ok, `${ct}: ${!read.ok && read.error}`);
  return read.input;
}

function refusal(ct: string): { status: number; error: string } {
  const read = audioInputOf(ct);
  assert.ok(!read.ok, `${ct} was taken`);
  return { status: read.status, error: read.error };
}

Deno.test("audioInputOf() reads audio/L16 as big-endian, mono unless channels says otherwise", () => {
  assert.deepEqual(input("audio/L16;rate=16000;channels=1"), {
    kind: "pcm",
    sampleFormat: "s16be",
    rate: 16000,
    channels: 1,
  });
  assert.deepEqual(input("audio/l16; rate=44100"), {
    kind: "pcm",
    sampleFormat: "s16be",
    rate: 44100,
    channels: 1,
  });
  assert.equal((input('Audio/L16; Rate="48000"; Channels=2') as { channels: number }).channels, 2);
});

Deno.test("audioInputOf() reads audio/x-raw s16le, s16be and s32le, names case-insensitive", () => {
  for (const [name, format] of [["s16le", "s16le"], ["S16BE", "s16be"], ["S32LE", "s32le"]]) {
    assert.deepEqual(input(`audio/x-raw;format=${name};rate=16000;channels=2`), {
      kind: "pcm",
      sampleFormat: format,
      rate: 16000,
      channels: 2,
    });
  }
  assert.equal(input("audio/x-raw;format=s16le;rate=8000;layout=interleaved").kind, "pcm");
});

Deno.test("audioInputOf() takes PCMU, PCMA and audio/basic as already encoded G.711", () => {
  assert.deepEqual(input("audio/PCMU;rate=8000"), {
    kind: "g711",
    codec: "pcmu",
    rate: 8000,
    channels: 1,
  });
  assert.deepEqual(input("audio/PCMA"), { kind: "g711", codec: "pcma", rate: 8000, channels: 1 });
  assert.deepEqual(input("audio/pcma;rate=16000;channels=2"), {
    kind: "g711",
    codec: "pcma",
    rate: 16000,
    channels: 2,
  });
  assert.deepEqual(input("audio/basic"), { kind: "g711", codec: "pcmu", rate: 8000, channels: 1 });
  assert.deepEqual(input("audio/basic;rate=8000;channels=1").kind, "g711");
});

Deno.test("audioInputOf() names the parameter at fault, with 400", () => {
  const cases: [string, string][] = [
    ["audio/L16", "audio/l16 needs a rate parameter (samples per second)"],
    [
      "audio/L16;rate=4000",
      "audio/l16 rate must be a whole number of Hz from 8000 to 96000, got 4000",
    ],
    [
      "audio/L16;rate=192000",
      "audio/l16 rate must be a whole number of Hz from 8000 to 96000, got 192000",
    ],
    ["audio/L16;rate=16k", 'audio/l16 rate must be a whole number, got "16k"'],
    ["audio/L16;rate=16000.5", 'audio/l16 rate must be a whole number, got "16000.5"'],
    ["audio/L16;rate=16000;channels=0", "audio/l16 channels must be 1 or 2, got 0"],
    ["audio/L16;rate=16000;channels=6", "audio/l16 channels must be 1 or 2, got 6"],
    ["audio/x-raw;rate=16000", "audio/x-raw needs a format: s16le, s16be or s32le"],
    ["audio/x-raw;format=s16le", "audio/x-raw needs a rate parameter (samples per second)"],
    [
      "audio/PCMU;rate=1000",
      "audio/pcmu rate must be a whole number of Hz from 8000 to 96000, got 1000",
    ],
    ["audio/basic;rate=16000", 'audio/basic is 8000 Hz; rate="16000" contradicts it'],
    ["audio/basic;channels=2", 'audio/basic is mono; channels="2" contradicts it'],
    ["audio/L16;rate=1;rate=2", "parameter rate given twice in the content type"],
    ["audio/", 'malformed content type "audio/"'],
  ];
  for (const [ct, error] of cases) assert.deepEqual(refusal(ct), { status: 400, error }, ct);
});

Deno.test("audioInputOf() refuses types and formats it does not take, with 415", () => {
  const cases: [string, string][] = [
    [
      "",
      "the content type is missing; use audio/L16, audio/x-raw, audio/PCMU, audio/PCMA or audio/basic",
    ],
    [
      "audio/L24;rate=48000",
      'unsupported audio type "audio/l24"; use audio/L16, audio/x-raw, audio/PCMU, audio/PCMA or audio/basic',
    ],
    [
      "video/h264",
      'unsupported audio type "video/h264"; use audio/L16, audio/x-raw, audio/PCMU, audio/PCMA or audio/basic',
    ],
    [
      "audio/x-raw;format=F32LE;rate=48000",
      'unsupported audio/x-raw format "F32LE"; use s16le, s16be or s32le',
    ],
    [
      "audio/x-raw;format=s16le;rate=48000;layout=non-interleaved",
      'audio/x-raw layout must be interleaved, got "non-interleaved"',
    ],
  ];
  for (const [ct, error] of cases) assert.deepEqual(refusal(ct), { status: 415, error }, ct);
});

Deno.test("audioInputOf() takes a parsed content type and never throws on odd input", () => {
  assert.equal(audioInputOf(parseContentType("audio/L16;rate=8000")).ok, true);
  const weird = audioInputOf(undefined as unknown as string);
  assert.equal(weird.ok, false);
  const long = audioInputOf(`audio/x-raw;format=${"x".repeat(2000)}`);
  assert.deepEqual(long.ok ? 0 : long.status, 400);
  const control = audioInputOf('audio/x-raw;format="a\\\u0001b";rate=8000');
  assert.ok(!control.ok && !control.error.includes("\u0001"), "controls are escaped or refused");
});

Deno.test("audioFormatOfInput() gives L16 for PCM of any layout and G.711 as sent", () => {
  assert.deepEqual(audioFormatOfInput(input("audio/x-raw;format=s32le;rate=16000")), {
    codec: "l16",
    clockRate: 16000,
    channels: 1,
  });
  assert.deepEqual(audioFormatOfInput(input("audio/PCMA;rate=8000")), {
    codec: "pcma",
    clockRate: 8000,
    channels: 1,
  });
});

Deno.test("samePcmFormat() tells a rate or channel change from a change of sample layout", () => {
  const base = input("audio/x-raw;format=s16le;rate=16000");
  assert.ok(samePcmFormat(base, input("audio/x-raw;format=s32le;rate=16000")));
  assert.ok(samePcmFormat(base, input("audio/L16;rate=16000;channels=1")));
  assert.ok(!samePcmFormat(base, input("audio/x-raw;format=s16le;rate=48000")), "rate changed");
  assert.ok(!samePcmFormat(base, input("audio/L16;rate=16000;channels=2")), "channels changed");
  assert.ok(!samePcmFormat(input("audio/PCMU"), input("audio/PCMA")), "another law");
  assert.ok(!samePcmFormat(input("audio/PCMU;rate=16000"), input("audio/L16;rate=16000")));
});
