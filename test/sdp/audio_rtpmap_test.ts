import assert from "node:assert/strict";
import type { AudioFormat } from "../../src/codec/audio_format.ts";
import { audioRtpmap } from "../../src/sdp/audio_rtpmap.ts";
import { audioMediaDescription, buildSdp } from "../../src/sdp/build.ts";
import { readAudioMedia } from "../../src/sdp/audio_media.ts";
import { parseSdp } from "../../src/sdp/parse.ts";

const ASC = new Uint8Array([0x11, 0x90]); // AAC-LC, 48000 Hz, stereo

Deno.test("audioRtpmap() writes mpeg4-generic AAC-hbr with gortsplib's exact fmtp", () => {
  assert.deepEqual(audioRtpmap({ codec: "aac", clockRate: 48000, channels: 2, config: ASC }), {
    payloadType: 97,
    encoding: "mpeg4-generic",
    clockRate: 48000,
    channels: 2,
    fmtp:
      "streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190",
  });
  assert.throws(
    () => audioRtpmap({ codec: "aac", clockRate: 48000, channels: 2 }),
    /format\.config must hold the AudioSpecificConfig/,
  );
  assert.throws(
    () => audioRtpmap({ codec: "aac", clockRate: 48000, channels: 2, config: new Uint8Array() }),
    TypeError,
  );
});

Deno.test("audioRtpmap() writes Opus as opus/48000/2 with sprop-stereo, mono or stereo", () => {
  assert.deepEqual(audioRtpmap({ codec: "opus", clockRate: 48000, channels: 1 }, 111), {
    payloadType: 111,
    encoding: "opus",
    clockRate: 48000,
    channels: 2,
    fmtp: "sprop-stereo=0",
  });
  assert.equal(
    audioRtpmap({ codec: "opus", clockRate: 48000, channels: 2 }).fmtp,
    "sprop-stereo=1",
  );
  assert.throws(
    () => audioRtpmap({ codec: "opus", clockRate: 16000, channels: 1 }),
    /must be 48000 for Opus/,
  );
});

Deno.test("audioRtpmap() takes static 0 and 8 only for 8000 Hz mono G.711", () => {
  assert.deepEqual(audioRtpmap({ codec: "pcmu", clockRate: 8000, channels: 1 }), {
    payloadType: 0,
    encoding: "PCMU",
    clockRate: 8000,
  });
  assert.deepEqual(audioRtpmap({ codec: "pcma", clockRate: 8000, channels: 1 }, 120), {
    payloadType: 8,
    encoding: "PCMA",
    clockRate: 8000,
  });
  assert.deepEqual(audioRtpmap({ codec: "pcmu", clockRate: 16000, channels: 1 }), {
    payloadType: 97,
    encoding: "PCMU",
    clockRate: 16000,
    channels: 1,
  });
  assert.deepEqual(audioRtpmap({ codec: "pcma", clockRate: 8000, channels: 2 }, 100), {
    payloadType: 100,
    encoding: "PCMA",
    clockRate: 8000,
    channels: 2,
  });
});

Deno.test("audioRtpmap() writes L16 with a dynamic type at every rate, 44100 Hz included", () => {
  assert.deepEqual(audioRtpmap({ codec: "l16", clockRate: 16000, channels: 1 }), {
    payloadType: 97,
    encoding: "L16",
    clockRate: 16000,
    channels: 1,
  });
  assert.deepEqual(
    audioRtpmap({ codec: "l16", clockRate: 44100, channels: 2 }, 98).payloadType,
    98,
  );
});

Deno.test("audioRtpmap() checks the codec, payload type, rate and channels", () => {
  const l16: AudioFormat = { codec: "l16", clockRate: 16000, channels: 1 };
  assert.throws(() => audioRtpmap({ ...l16, codec: "g726" as never }), /codec must be one of/);
  assert.throws(() => audioRtpmap(l16, 95), /dynamic payload type must be an integer from 96/);
  assert.throws(() => audioRtpmap(l16, 128), RangeError);
  assert.throws(() => audioRtpmap({ ...l16, clockRate: 0 }), /clockRate must be a positive/);
  assert.throws(() => audioRtpmap({ ...l16, channels: 6 }, 97, "media[1].format"), {
    name: "RangeError",
    message: "media[1].format.channels must be 1 or 2, got 6",
  });
});

const SESSION = {
  sessionId: "3900000000123",
  sessionVersion: "1",
  originAddress: "192.0.2.10",
  name: "mic",
};

Deno.test("buildSdp() writes audio sections given by format, each with its own control", () => {
  const sdp = buildSdp({
    ...SESSION,
    media: [
      { kind: "video", payloadType: 96, encoding: "H264", clockRate: 90000, control: "trackID=0" },
      {
        kind: "audio",
        format: { codec: "aac", clockRate: 48000, channels: 2, config: ASC },
        control: "trackID=1",
      },
      {
        kind: "audio",
        format: { codec: "pcmu", clockRate: 8000, channels: 1 },
        control: "trackID=2",
      },
      {
        kind: "audio",
        format: { codec: "opus", clockRate: 48000, channels: 1 },
        control: "trackID=3",
        payloadType: 111,
      },
      {
        kind: "audio",
        format: { codec: "l16", clockRate: 16000, channels: 1 },
        control: "trackID=4",
      },
    ],
  });
  assert.equal(
    sdp,
    [
      "v=0",
      "o=- 3900000000123 1 IN IP4 192.0.2.10",
      "s=mic",
      "c=IN IP4 0.0.0.0",
      "t=0 0",
      "a=range:npt=now-",
      "a=control:*",
      "m=video 0 RTP/AVP 96",
      "a=rtpmap:96 H264/90000",
      "a=control:trackID=0",
      "m=audio 0 RTP/AVP 97",
      "a=rtpmap:97 mpeg4-generic/48000/2",
      "a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190",
      "a=control:trackID=1",
      "m=audio 0 RTP/AVP 0",
      "a=rtpmap:0 PCMU/8000",
      "a=control:trackID=2",
      "m=audio 0 RTP/AVP 111",
      "a=rtpmap:111 opus/48000/2",
      "a=fmtp:111 sprop-stereo=0",
      "a=control:trackID=3",
      "m=audio 0 RTP/AVP 97",
      "a=rtpmap:97 L16/16000/1",
      "a=control:trackID=4",
      "",
    ].join("\r\n"),
  );
});

Deno.test("buildSdp() names the audio section at fault", () => {
  assert.throws(
    () =>
      buildSdp({
        ...SESSION,
        media: [{
          kind: "audio",
          format: { codec: "l16", clockRate: 16000, channels: 3 },
          control: "a",
        }],
      }),
    { name: "RangeError", message: "media[0].format.channels must be 1 or 2, got 3" },
  );
  assert.throws(
    () =>
      buildSdp({
        ...SESSION,
        media: [{
          kind: "audio",
          format: { codec: "l16", clockRate: 16000, channels: 1 },
          control: "a b",
        }],
      }),
    /media\[0\]\.control must be a non-empty URL without spaces/,
  );
});

Deno.test("audioMediaDescription() gives the plain description buildSdp() writes", () => {
  assert.deepEqual(
    audioMediaDescription({
      kind: "audio",
      format: { codec: "pcma", clockRate: 8000, channels: 1 },
      control: "trackID=1",
    }),
    { kind: "audio", payloadType: 8, encoding: "PCMA", clockRate: 8000, control: "trackID=1" },
  );
});

Deno.test("every format survives buildSdp(), parseSdp() and readAudioMedia()", () => {
  const formats: AudioFormat[] = [
    { codec: "aac", clockRate: 48000, channels: 2, config: ASC },
    { codec: "aac", clockRate: 16000, channels: 1, config: new Uint8Array([0x14, 0x08]) },
    { codec: "opus", clockRate: 48000, channels: 1 },
    { codec: "opus", clockRate: 48000, channels: 2 },
    { codec: "pcmu", clockRate: 8000, channels: 1 },
    { codec: "pcma", clockRate: 8000, channels: 1 },
    { codec: "pcmu", clockRate: 16000, channels: 2 },
    { codec: "pcma", clockRate: 48000, channels: 1 },
    { codec: "l16", clockRate: 16000, channels: 1 },
    { codec: "l16", clockRate: 44100, channels: 2 },
    { codec: "l16", clockRate: 11025, channels: 1 },
  ];
  const sdp = parseSdp(buildSdp({
    ...SESSION,
    media: formats.map((format, i) => ({ kind: "audio", format, control: `trackID=${i}` })),
  }));
  for (const [i, format] of formats.entries()) {
    const read = readAudioMedia(sdp.media[i]);
    assert.equal(read.kind, "audio", JSON.stringify(read));
    if (read.kind !== "audio") continue;
    assert.deepEqual(read.format, format);
    assert.deepEqual(read.notes, []);
    if (format.codec === "aac") {
      assert.deepEqual(read.aac, { sizeLength: 13, indexLength: 3, indexDeltaLength: 3 });
    }
  }
});
