import assert from "node:assert/strict";
import { splitAnnexB } from "../../src/codec/annexb.ts";
import { buildSdp } from "../../src/sdp/build.ts";
import { h264Fmtp, parseH264Fmtp } from "../../src/sdp/h264_fmtp.ts";
import { parseSdp, SdpError } from "../../src/sdp/parse.ts";

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** SPS/PPS pairs written by libx264 (see test/codec/sps_test.ts). */
const PAIRS: [string, string, string][] = [
  ["42c01e", "6742c01ed900a02ff970110000030001000003003c0f162e48", "68cb83cb20"],
  ["4d401e", "674d401eeca05017fcb80880000003008000001e078b16cb", "68ebe3cb20"],
  ["640028", "67640028acd940780227e5c04400000fa40003a9803c60c658", "68ef8fcb"],
  ["f4001e", "67f4001e919b281485fc7cf808800000030080000018078b16cb", "68ebe3c44844"],
];

Deno.test("h264Fmtp() writes packetization-mode, profile-level-id and sprop-parameter-sets", () => {
  const [, sps, pps] = PAIRS[0];
  assert.equal(
    h264Fmtp(hex(sps), hex(pps)),
    "packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=Z0LAHtkAoC/5cBEAAAMAAQAAAwA8DxYuSA==,aMuDyyA=",
  );
});

Deno.test("h264Fmtp() output parses back to the same SPS, PPS and profile-level-id", () => {
  for (const [id, sps, pps] of PAIRS) {
    assert.deepEqual(parseH264Fmtp(h264Fmtp(hex(sps), hex(pps))), {
      packetizationMode: 1,
      profileLevelId: id,
      sps: hex(sps),
      pps: [hex(pps)],
    });
  }
});

Deno.test("h264Fmtp() survives a round trip through buildSdp() and parseSdp()", () => {
  const clip = Deno.readFileSync(
    new URL("../testdata/codec/x264_high_176x100_25fps_aud_slices3_bframes.h264", import.meta.url),
  );
  const nals = splitAnnexB(clip);
  const sps = nals.find((n) => (n[0] & 0x1f) === 7)!;
  const pps = nals.find((n) => (n[0] & 0x1f) === 8)!;
  const text = buildSdp({
    sessionId: "1",
    sessionVersion: "1",
    originAddress: "::1",
    name: "clip",
    media: [{
      kind: "video",
      payloadType: 96,
      encoding: "H264",
      clockRate: 90000,
      control: "trackID=0",
      fmtp: h264Fmtp(sps, pps),
    }],
  });
  const fmtp = parseH264Fmtp(parseSdp(text).media[0].fmtp.get(96)!);
  assert.deepEqual(fmtp, { packetizationMode: 1, profileLevelId: "64000b", sps, pps: [pps] });
});

Deno.test("h264Fmtp() rejects NAL units of the wrong type or too short", () => {
  const [, sps, pps] = PAIRS[0];
  assert.throws(() => h264Fmtp(hex(pps), hex(pps)), TypeError);
  assert.throws(() => h264Fmtp(hex(sps), hex(sps)), TypeError);
  assert.throws(() => h264Fmtp(hex("6742c0"), hex(pps)), TypeError);
  assert.throws(() => h264Fmtp(hex(sps), hex("68")), TypeError);
});

Deno.test("parseH264Fmtp() reads ffmpeg's fmtp with spaces and an uppercase profile-level-id", () => {
  const got = parseH264Fmtp(
    "packetization-mode=1; sprop-parameter-sets=Z2QADazZQUH7ARAAAAMAEAAAAwMg8UKZYA==,aOvjyyLA; profile-level-id=64000D",
  );
  assert.equal(got.packetizationMode, 1);
  assert.equal(got.profileLevelId, "64000d");
  assert.deepEqual(got.sps, hex("6764000dacd94141fb011000000300100000030320f1429960"));
  assert.deepEqual(got.pps, [hex("68ebe3cb22c0")]);
});

Deno.test("parseH264Fmtp() tolerates unpadded base64, empty entries, several PPS and other NAL types", () => {
  const got = parseH264Fmtp(
    "Sprop-Parameter-Sets=Z0LAHg,,aM48gA,BgX/,aM4 ; PACKETIZATION-MODE=0;profile-level-id=42;foo",
  );
  assert.deepEqual(got, {
    sps: hex("6742c01e"),
    pps: [hex("68ce3c80"), hex("68ce")],
    packetizationMode: 0,
  });
  assert.deepEqual(parseH264Fmtp(""), {});
});

Deno.test("parseH264Fmtp() throws SdpError for bad base64 in sprop-parameter-sets", () => {
  for (const bad of ["Z0L@Hg==", "Z0LAH", "Z0=LAHg=", "Z0LAHg===", "Zé0LAHg"]) {
    assert.throws(() => parseH264Fmtp(`sprop-parameter-sets=${bad},aM48gA==`), SdpError, bad);
  }
});

Deno.test("parseH264Fmtp() throws SdpError for a bad packetization-mode", () => {
  for (const bad of ["3", "one", "", "1.0", "-1"]) {
    assert.throws(() => parseH264Fmtp(`packetization-mode=${bad}`), SdpError, bad);
  }
});
