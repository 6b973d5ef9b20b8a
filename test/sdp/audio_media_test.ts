import assert from "node:assert/strict";
import { type AudioMediaRead, readAudioMedia } from "../../src/sdp/audio_media.ts";
import { parseSdp } from "../../src/sdp/parse.ts";

/** Reads the first media section of an SDP made of `lines` (a minimal session around them). */
function read(...lines: string[]): AudioMediaRead {
  const sdp = parseSdp(["v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=x", "t=0 0", ...lines].join("\r\n"));
  return readAudioMedia(sdp.media[0]);
}

function taken(result: AudioMediaRead) {
  assert.equal(result.kind, "audio", JSON.stringify(result));
  return result as Extract<AudioMediaRead, { kind: "audio" }>;
}

function reason(result: AudioMediaRead): string {
  assert.equal(result.kind, "refused", JSON.stringify(result));
  return (result as { reason: string }).reason;
}

const AAC_FMTP =
  "streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190";

Deno.test("readAudioMedia() takes static payload types 0, 8, 10 and 11 without an rtpmap", () => {
  assert.deepEqual(read("m=audio 0 RTP/AVP 0"), {
    kind: "audio",
    payloadType: 0,
    format: { codec: "pcmu", clockRate: 8000, channels: 1 },
    notes: [],
  });
  assert.deepEqual(taken(read("m=audio 0 RTP/AVP 8")).format, {
    codec: "pcma",
    clockRate: 8000,
    channels: 1,
  });
  assert.deepEqual(taken(read("m=audio 0 RTP/AVP 10")).format, {
    codec: "l16",
    clockRate: 44100,
    channels: 2,
  });
  assert.deepEqual(taken(read("m=audio 0 RTP/AVP 11")).format, {
    codec: "l16",
    clockRate: 44100,
    channels: 1,
  });
  // An explicit rtpmap wins over the table.
  assert.deepEqual(taken(read("m=audio 0 RTP/AVP 0", "a=rtpmap:0 PCMU/8000")).payloadType, 0);
});

Deno.test("readAudioMedia() reads mpeg4-generic with its config and AU-header sizes", () => {
  const aac = taken(read(
    "m=audio 0 RTP/AVP 97",
    "a=rtpmap:97 MPEG4-GENERIC/48000/2",
    `a=fmtp:97 ${AAC_FMTP}`,
  ));
  assert.deepEqual(aac, {
    kind: "audio",
    payloadType: 97,
    format: { codec: "aac", clockRate: 48000, channels: 2, config: new Uint8Array([0x11, 0x90]) },
    aac: { sizeLength: 13, indexLength: 3, indexDeltaLength: 3 },
    notes: [],
  });
  // ffmpeg writes spaces after ";" and mixed-case names; RFC 4566 §6 names are case-insensitive.
  const ffmpeg = taken(read(
    "m=audio 0 RTP/AVP 97",
    "a=rtpmap:97 mpeg4-generic/44100/1",
    "a=fmtp:97 profile-level-id=1; mode=AAC-hbr; sizeLength=13; indexLength=3; indexDeltaLength=3; config=1208",
  ));
  assert.deepEqual(ffmpeg.format.config, new Uint8Array([0x12, 0x08]));
  assert.equal(ffmpeg.format.channels, 1);
});

Deno.test("readAudioMedia() refuses mpeg4-generic without config or sizelength, as gortsplib does", () => {
  const rtpmap = ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 mpeg4-generic/16000/1"];
  assert.equal(
    reason(read(...rtpmap, "a=fmtp:97 streamtype=5;mode=AAC-hbr;sizelength=13")),
    "mpeg4-generic without config is refused (RFC 3640 §4.1)",
  );
  assert.equal(reason(read(...rtpmap)), "mpeg4-generic without config is refused (RFC 3640 §4.1)");
  assert.equal(
    reason(read(...rtpmap, "a=fmtp:97 mode=AAC-hbr;config=1408")),
    "mpeg4-generic without sizelength is refused (RFC 3640 §3.3.6)",
  );
  assert.equal(
    reason(read(...rtpmap, "a=fmtp:97 mode=AAC-hbr;config=14x8;sizelength=13")),
    'mpeg4-generic config "14x8" is not hex',
  );
  assert.equal(
    reason(read(...rtpmap, "a=fmtp:97 mode=AAC-lbr;config=1408;sizelength=6")),
    'mpeg4-generic mode "AAC-lbr" is not carried (AAC-hbr is)',
  );
  assert.equal(
    reason(read(...rtpmap, "a=fmtp:97 streamtype=4;mode=AAC-hbr;config=1408;sizelength=13")),
    'mpeg4-generic streamtype "4" is not audio',
  );
  assert.equal(
    reason(read(...rtpmap, "a=fmtp:97 mode=AAC-hbr;config=1408;sizelength=99")),
    'mpeg4-generic sizelength "99" is not a bit count',
  );
  assert.equal(
    reason(
      read("m=audio 0 RTP/AVP 97", "a=rtpmap:97 mpeg4-generic/48000/6", `a=fmtp:97 ${AAC_FMTP}`),
    ),
    "mpeg4-generic with 6 channels is not carried (1 or 2 are)",
  );
});

Deno.test("readAudioMedia() notes a missing indexlength (RFC 3640 default 0) and mode", () => {
  const aac = taken(read(
    "m=audio 0 RTP/AVP 97",
    "a=rtpmap:97 mpeg4-generic/16000/1",
    "a=fmtp:97 config=1408;sizeLength=13",
  ));
  assert.deepEqual(aac.aac, { sizeLength: 13, indexLength: 0, indexDeltaLength: 0 });
  assert.deepEqual(aac.notes, [
    "mpeg4-generic without a mode read as AAC-hbr",
    "mpeg4-generic without indexlength: 0 (RFC 3640 §4.1)",
  ]);
});

Deno.test("readAudioMedia() uses an fmtp under another payload type when it is the only one (Hikvision)", () => {
  // gortsplib#658: the fmtp on PT 97, the rtpmap and the m= line on PT 104.
  const aac = taken(read(
    "m=audio 0 RTP/AVP 104",
    "a=rtpmap:104 mpeg4-generic/16000/1",
    "a=fmtp:97 streamtype=5;profileLevelId=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1408",
  ));
  assert.equal(aac.payloadType, 104);
  assert.deepEqual(aac.format.config, new Uint8Array([0x14, 0x08]));
  assert.deepEqual(aac.notes, [
    "the fmtp of payload type 97 was used for payload type 104, the only format",
  ]);
  // Two formats: whose fmtp it is cannot be guessed.
  assert.match(
    reason(read(
      "m=audio 0 RTP/AVP 104 105",
      "a=rtpmap:104 mpeg4-generic/16000/1",
      "a=fmtp:97 config=1408;sizelength=13",
    )),
    /^mpeg4-generic without config is refused .*; payload type 105 has no rtpmap$/,
  );
});

Deno.test("readAudioMedia() reads opus/48000/1 as mono and opus/48000/2 by sprop-stereo", () => {
  const mono = taken(read("m=audio 0 RTP/AVP 111", "a=rtpmap:111 opus/48000/1"));
  assert.deepEqual(mono.format, { codec: "opus", clockRate: 48000, channels: 1 });
  assert.deepEqual(mono.notes, [
    "opus/48000/1 read as mono; served as opus/48000/2 with sprop-stereo=0 (RFC 7587 §7)",
  ]);
  const stereo = taken(read(
    "m=audio 0 RTP/AVP 111",
    "a=rtpmap:111 OPUS/48000/2",
    "a=fmtp:111 minptime=10; useinbandfec=1; sprop-stereo=1",
  ));
  assert.deepEqual(stereo.format, { codec: "opus", clockRate: 48000, channels: 2 });
  assert.deepEqual(stereo.notes, []);
  // RFC 7587 §7.1: sprop-stereo defaults to 0.
  assert.equal(
    taken(read("m=audio 0 RTP/AVP 111", "a=rtpmap:111 opus/48000/2")).format.channels,
    1,
  );
  assert.equal(
    reason(read("m=audio 0 RTP/AVP 111", "a=rtpmap:111 opus/16000/1")),
    "opus with a 16000 Hz RTP clock is not carried (RFC 7587 §4.1: 48000)",
  );
  assert.equal(
    reason(read("m=audio 0 RTP/AVP 111", "a=rtpmap:111 opus/48000/6")),
    "opus with 6 channels is not carried (RFC 7587 §7: 2)",
  );
});

Deno.test("readAudioMedia() returns MP4A-LATM as its own kind, with config and cpresent", () => {
  assert.deepEqual(
    read(
      "m=audio 0 RTP/AVP 96",
      "a=rtpmap:96 MP4A-LATM/44100/2",
      "a=fmtp:96 profile-level-id=15;object=2;cpresent=0;config=400024203FC0",
    ),
    {
      kind: "latm",
      payloadType: 96,
      clockRate: 44100,
      channels: 2,
      cpresent: false,
      configHex: "400024203fc0",
      config: new Uint8Array([0x40, 0x00, 0x24, 0x20, 0x3f, 0xc0]),
      fmtp: "profile-level-id=15;object=2;cpresent=0;config=400024203FC0",
      notes: [],
    },
  );
  // RFC 6416 §7.3: cpresent defaults to 1, the config then travels in-band.
  const inBand = read("m=audio 0 RTP/AVP 96", "a=rtpmap:96 MP4A-LATM/90000");
  assert.deepEqual(inBand.kind === "latm" && [inBand.cpresent, inBand.configHex, inBand.channels], [
    true,
    "",
    1,
  ]);
  // mediamtx#3590: cpresent=0 with an empty config cannot be decoded.
  assert.equal(
    reason(
      read("m=audio 0 RTP/AVP 96", "a=rtpmap:96 MP4A-LATM/44100/2", "a=fmtp:96 cpresent=0;config="),
    ),
    "MP4A-LATM with cpresent=0 and no config is refused (RFC 6416 §7.3)",
  );
  assert.equal(
    reason(read("m=audio 0 RTP/AVP 96", "a=rtpmap:96 MP4A-LATM/44100/2", "a=fmtp:96 cpresent=2")),
    'MP4A-LATM cpresent "2" is not 0 or 1',
  );
});

Deno.test("readAudioMedia() takes L16 and G.711 at any rate and channels through dynamic types", () => {
  assert.deepEqual(taken(read("m=audio 0 RTP/AVP 97", "a=rtpmap:97 L16/16000/1", "a=sendrecv")), {
    kind: "audio",
    payloadType: 97,
    format: { codec: "l16", clockRate: 16000, channels: 1 },
    notes: [],
  });
  assert.deepEqual(taken(read("m=audio 0 RTP/AVP 98", "a=rtpmap:98 L16/48000")).format.channels, 1);
  assert.deepEqual(taken(read("m=audio 0 RTP/AVP 96", "a=rtpmap:96 PCMU/16000/2")).format, {
    codec: "pcmu",
    clockRate: 16000,
    channels: 2,
  });
  assert.deepEqual(taken(read("m=audio 0 RTP/AVP 96", "a=rtpmap:96 pcma/48000")).format, {
    codec: "pcma",
    clockRate: 48000,
    channels: 1,
  });
  assert.equal(
    reason(read("m=audio 0 RTP/AVP 96", "a=rtpmap:96 L16/48000/6")),
    "L16 with 6 channels is not carried (1 or 2 are)",
  );
});

Deno.test("readAudioMedia() takes the first format that can be carried, in m= order", () => {
  const first = taken(read(
    "m=audio 0 RTP/AVP 97 0 101",
    "a=rtpmap:97 G726-32/8000",
    "a=rtpmap:101 telephone-event/8000",
  ));
  assert.deepEqual([first.payloadType, first.format.codec], [0, "pcmu"]);
  // A stray fmtp (here telephone-event's, with no rtpmap in the section) is not noted for G.711.
  assert.deepEqual(taken(read("m=audio 0 RTP/AVP 0", "a=fmtp:101 0-15")).notes, []);
  const pcma = taken(read("m=audio 0 RTP/AVP 8 0"));
  assert.equal(pcma.format.codec, "pcma");
});

Deno.test("readAudioMedia() says why a section is refused, format by format", () => {
  assert.deepEqual(read("m=audio 0 RTP/AVP 97", "a=rtpmap:97 G726-32/8000"), {
    kind: "refused",
    reason: "G726-32 is not carried",
  });
  assert.equal(reason(read("m=audio 0 RTP/AVP 9")), "G722 (payload type 9) is not carried");
  assert.equal(
    reason(read("m=audio 0 RTP/AVP 14 18")),
    "MPA (payload type 14) is not carried; G729 (payload type 18) is not carried",
  );
  assert.equal(reason(read("m=audio 0 RTP/AVP 96")), "payload type 96 has no rtpmap");
  assert.equal(reason(read("m=audio 0 RTP/AVP 3 3")), "GSM (payload type 3) is not carried");
  assert.equal(
    reason(read("m=video 0 RTP/AVP 96", "a=rtpmap:96 H264/90000")),
    'not an audio section ("video")',
  );
  assert.equal(reason(read("m=audio 0 udp 0")), 'protocol "udp" is not RTP');
  assert.equal(reason(read("m=audio 0 RTP/AVP x")), 'format "x" is not an RTP payload type');
  assert.equal(
    reason(read("m=audio 0 RTP/AVP 97", "a=rtpmap:97 PCML/8000")),
    "PCML is not carried",
    "go2rtc's little-endian name is not RTP's",
  );
  assert.equal(
    reason(read("m=audio 0 RTP/AVP 97", "a=rtpmap:97 x\u0001y/8000")),
    '"x\\x01y" is not carried',
  );
});

Deno.test("readAudioMedia() never throws, even on a section it was not given by parseSdp", () => {
  const broken = { kind: "audio", protocol: "RTP/AVP", formats: ["97"] } as never;
  assert.deepEqual(readAudioMedia(broken), {
    kind: "refused",
    reason: "not a parsed media section",
  });
});
