import assert from "node:assert/strict";
import { parseSdp } from "../../src/sdp/parse.ts";
import { chooseAudio, chooseTrack } from "../../src/client/track.ts";
import { splitInnerStartCodes } from "../../src/client/media.ts";

const sdp = (...lines: string[]) =>
  parseSdp(["v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", ...lines].join("\r\n"));

Deno.test("chooseTrack() skips audio and other codecs and picks the first H.264 or JPEG video", () => {
  const t = chooseTrack(
    sdp(
      "a=control:*",
      "m=audio 0 RTP/AVP 0",
      "a=control:trackID=1",
      "m=video 0 RTP/AVP 98",
      "a=rtpmap:98 H265/90000",
      "m=video 0 RTP/AVP 96",
      "a=rtpmap:96 h264/90000",
      "a=x-framerate:15",
      "a=control:trackID=2",
    ),
    "rtsp://cam/live/",
  );
  assert.ok(typeof t !== "string");
  assert.equal(t.codec, "h264");
  assert.equal(t.payloadType, 96);
  assert.equal(t.framerate, 15);
  assert.equal(t.setupUrl, "rtsp://cam/live/trackID=2");
  assert.equal(t.aggregateUrl, "rtsp://cam/live/");
});

Deno.test("chooseTrack() takes static PT 26 as JPEG with its size from a=x-dimensions", () => {
  const t = chooseTrack(
    sdp("m=video 0 RTP/AVP 26", "a=x-dimensions:640,480"),
    "rtsp://esp/mjpeg/1",
  );
  assert.ok(typeof t !== "string");
  assert.deepEqual([t.codec, t.width, t.height, t.setupUrl], [
    "jpeg",
    640,
    480,
    "rtsp://esp/mjpeg/1",
  ]);
});

Deno.test("chooseTrack() says what it found when nothing fits", () => {
  assert.equal(
    chooseTrack(
      sdp("m=audio 0 RTP/AVP 8", "m=video 0 RTP/AVP 97", "a=rtpmap:97 H265/90000"),
      "rtsp://x/",
    ),
    "audio 8, video H265",
  );
});

Deno.test("chooseTrack() ignores bad base64 in sprop-parameter-sets: in-band ones will do", () => {
  const t = chooseTrack(
    sdp("m=video 0 RTP/AVP 96", "a=rtpmap:96 H264/90000", "a=fmtp:96 sprop-parameter-sets=!!,??"),
    "rtsp://x/",
  );
  assert.ok(typeof t !== "string" && t.parameterSets === undefined);
});

Deno.test("splitInnerStartCodes() splits on 3- and 4-byte start codes and drops trailing zeros", () => {
  const nal = new Uint8Array([0x67, 1, 2, 0, 0, 0, 1, 0x68, 3, 0, 0, 1, 0x65, 4, 0]);
  assert.deepEqual(splitInnerStartCodes([nal]).map((n) => [...n]), [[0x67, 1, 2], [0x68, 3], [
    0x65,
    4,
  ]]);
  const clean = [new Uint8Array([0x41, 0])];
  assert.equal(splitInnerStartCodes(clean)[0], clean[0]);
});

Deno.test("chooseAudio() takes the first audio it carries and says why the others were refused", () => {
  const { chosen, refused } = chooseAudio(
    sdp(
      "a=control:*",
      "m=video 0 RTP/AVP 96",
      "a=rtpmap:96 H264/90000",
      "a=control:trackID=0",
      "m=audio 0 RTP/AVP 97",
      "a=rtpmap:97 G726-32/8000",
      "a=control:trackID=1",
      "m=audio 0 RTP/AVP 8",
      "a=control:trackID=2",
      "m=audio 0 RTP/AVP 0",
      "a=control:trackID=3",
    ),
    "rtsp://cam/live/",
  );
  assert.equal(chosen?.setupUrl, "rtsp://cam/live/trackID=2");
  assert.deepEqual(chosen?.audio.format, { codec: "pcma", clockRate: 8000, channels: 1 });
  assert.equal(chosen?.audio.payloadType, 8);
  assert.equal(refused.length, 1);
  assert.match(refused[0], /G726/i);
});

Deno.test("chooseAudio() refuses an audio section without a control of its own", () => {
  const { chosen, refused } = chooseAudio(
    sdp("m=video 0 RTP/AVP 26", "m=audio 0 RTP/AVP 0"),
    "rtsp://esp/mjpeg/1",
  );
  assert.equal(chosen, undefined);
  assert.deepEqual(refused, ["an audio section without a=control of its own"]);
});
