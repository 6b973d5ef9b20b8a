// Property-based fuzzing of parseSdp() (fast-check, fixed seed): generated valid SDP must parse,
// and mutations of it and of captured ANNOUNCE bodies must end in a result or an SdpError.
import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_SDP_MEDIA, parseSdp, SdpError } from "../../src/sdp/parse.ts";
import { readAudioMedia } from "../../src/sdp/audio_media.ts";
import { check, fromLatin1, fuzzInput, latin1, outcome, testdata } from "./_support.ts";

/** The SDP body of each captured ANNOUNCE request. */
const CAPTURED: string[] = ["ffmpeg_announce.txt", "gstreamer_announce.txt"].map((name) => {
  const text = fromLatin1(testdata(`rtsp/${name}`));
  return text.slice(text.search(/\r?\n\r?\n/)).trimStart();
});

const pt = fc.integer({ min: 96, max: 127 });
const media = fc.record({
  kind: fc.constantFrom("video", "audio", "application"),
  port: fc.integer({ min: 0, max: 65535 }),
  pt,
  codec: fc.constantFrom("H264", "JPEG", "PCMU", "MPEG4-GENERIC", "opus"),
  rate: fc.integer({ min: 1, max: 192000 }),
  control: fc.stringMatching(/^(streamid=\d{1,2}|trackID=\d|rtsp:\/\/h\/a\/b)$/),
  fmtp: fc.option(fc.stringMatching(/^packetization-mode=1(; profile-level-id=[0-9A-F]{6})?$/)),
});

/** Valid SDP built from generated fields (RFC 4566 §5 order). */
const validSdp = fc.record({
  session: fc.stringMatching(/^[A-Za-z0-9 ]{1,20}$/).map((s) => s.trim() || "x"),
  media: fc.array(media, { minLength: 1, maxLength: 4 }),
  crlf: fc.boolean(),
}).map(({ session, media, crlf }) => {
  const lines = ["v=0", "o=- 0 0 IN IP4 127.0.0.1", `s=${session}`, "c=IN IP4 0.0.0.0", "t=0 0"];
  for (const m of media) {
    lines.push(`m=${m.kind} ${m.port} RTP/AVP ${m.pt}`);
    lines.push(`a=rtpmap:${m.pt} ${m.codec}/${m.rate}`);
    if (m.fmtp) lines.push(`a=fmtp:${m.pt} ${m.fmtp}`);
    lines.push(`a=control:${m.control}`);
  }
  return { text: lines.join(crlf ? "\r\n" : "\n") + "\n", count: media.length };
});

Deno.test("parseSdp() parses every generated valid SDP with one media entry per m= line", () => {
  check(validSdp, 500, ({ text, count }) => {
    const sdp = parseSdp(text);
    assert.equal(sdp.media.length, count);
  });
});

Deno.test("parseSdp() ends mutated, random and oversized SDP in a result or an SdpError", () => {
  const seeds = [...CAPTURED, ...fc.sample(validSdp, { seed: 42, numRuns: 20 }).map((s) => s.text)];
  const text = fc.oneof(
    fuzzInput(seeds.map(latin1), 400).map(fromLatin1),
    fc.string({ unit: "binary", maxLength: 300 }),
    // Too many media sections must be refused, not parsed into an unbounded list.
    fc.integer({ min: MAX_SDP_MEDIA - 2, max: MAX_SDP_MEDIA + 40 }).map((n) =>
      "v=0\r\n" + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n".repeat(n)
    ),
  );
  check(text, 1500, (t) => {
    const first = outcome(SdpError, () => parseSdp(t));
    assert.deepEqual(outcome(SdpError, () => parseSdp(t)), first, "not deterministic");
    if ("ok" in first) {
      const media = (first.ok as { media: unknown[] }).media;
      assert.ok(media.length <= MAX_SDP_MEDIA);
    }
  });
});

/** Audio sections as cameras, phones and encoders write them, traps included (MEDIA.md §1.2). */
const AUDIO_SECTIONS = [
  "m=audio 0 RTP/AVP 0\r\n",
  "m=audio 0 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n",
  "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=fmtp:97 streamtype=5;" +
  "profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190\r\n",
  "m=audio 0 RTP/AVP 104\r\na=rtpmap:104 mpeg4-generic/16000/1\r\n" +
  "a=fmtp:97 streamtype=5;mode=AAC-hbr;sizelength=13;config=1408\r\n",
  "m=audio 0 RTP/AVP 111\r\na=rtpmap:111 opus/48000/1\r\na=fmtp:111 sprop-stereo=1\r\n",
  "m=audio 0 RTP/AVP 96\r\na=rtpmap:96 MP4A-LATM/44100/2\r\na=fmtp:96 cpresent=0;config=40002420\r\n",
  "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 L16/16000/1\r\na=sendrecv\r\n",
  "m=audio 0 RTP/AVP 96\r\na=rtpmap:96 PCMU/16000/2\r\n",
].map((m) => `v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=a\r\nt=0 0\r\n${m}a=control:trackID=1\r\n`);

Deno.test("readAudioMedia() never throws on the sections of mutated and random SDP", () => {
  const text = fc.oneof(
    fuzzInput(AUDIO_SECTIONS.map(latin1), 300).map(fromLatin1),
    fc.string({ unit: "binary", maxLength: 300 }).map((t) => AUDIO_SECTIONS[0] + t),
  );
  const kinds = { audio: 0, latm: 0, refused: 0 };
  check(text, 2000, (t) => {
    let sdp;
    try {
      sdp = parseSdp(t);
    } catch (e) {
      assert.ok(e instanceof SdpError);
      return;
    }
    for (const media of sdp.media) {
      const read = readAudioMedia(media);
      assert.deepEqual(readAudioMedia(media), read, "not deterministic");
      kinds[read.kind]++;
      if (read.kind === "audio") {
        const { codec, clockRate, channels } = read.format;
        assert.ok(channels === 1 || channels === 2, `${channels} channels`);
        assert.ok(Number.isInteger(clockRate) && clockRate > 0);
        if (codec === "aac") assert.ok(read.format.config && read.format.config.length > 0);
        if (codec === "opus") assert.equal(clockRate, 48000);
      } else if (read.kind === "refused") {
        const controls = [...read.reason].some((c) => c.charCodeAt(0) < 0x20);
        assert.ok(read.reason.length > 0 && !controls, read.reason);
      }
    }
  });
  assert.ok(kinds.audio > 100 && kinds.latm > 10 && kinds.refused > 50, JSON.stringify(kinds));
});
