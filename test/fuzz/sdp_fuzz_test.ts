// Property-based fuzzing of parseSdp() (fast-check, fixed seed): generated valid SDP must parse,
// and mutations of it and of captured ANNOUNCE bodies must end in a result or an SdpError.
import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_SDP_MEDIA, parseSdp, SdpError } from "../../src/sdp/parse.ts";
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
