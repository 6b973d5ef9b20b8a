import assert from "node:assert/strict";
import { findAnnouncedMedia, readAnnouncement } from "../../src/sdp/announcement.ts";
import { RtspError } from "../../src/rtsp/status.ts";

function body(file: string): string {
  const text = Deno.readTextFileSync(new URL(`../testdata/rtsp/${file}`, import.meta.url));
  return text.slice(text.indexOf("\r\n\r\n") + 4);
}

const HEAD = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n";

Deno.test("readAnnouncement() takes ffmpeg's SDP: H.264 payload type, sprop SPS and PPS", () => {
  const a = readAnnouncement(body("ffmpeg_announce.txt"), "rtsp://127.0.0.1:18580/pub");
  assert.equal(a.video, 0);
  assert.equal(a.payloadType, 96);
  assert.equal(a.clockRate, 90000);
  assert.equal(a.sps?.[0], 0x67);
  assert.equal(a.pps?.[0], 0x68);
  assert.equal(findAnnouncedMedia(a, "rtsp://127.0.0.1:18580/pub/streamid=0"), 0);
});

Deno.test("readAnnouncement() takes GStreamer's SDP with its a=framerate and stream=0 control", () => {
  const a = readAnnouncement(body("gstreamer_announce.txt"), "rtsp://127.0.0.1:18590/pub");
  assert.equal(a.framerate, 10);
  assert.equal(a.sps?.[0] && a.sps[0] & 0x1f, 7);
  assert.equal(findAnnouncedMedia(a, "rtsp://127.0.0.1:18590/pub/stream=0"), 0);
});

Deno.test("readAnnouncement() refuses SDP without H.264 video with 415, and bad SDP with 400", () => {
  const audio = HEAD + "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\n";
  const cases: [string, number][] = [
    [audio, 415],
    [HEAD + "m=video 0 RTP/AVP 26\r\n", 415],
    [
      HEAD + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=2\r\n",
      415,
    ],
    ["not sdp", 400],
    [HEAD + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/0\r\n", 400],
  ];
  for (const [sdp, status] of cases) {
    assert.throws(
      () => readAnnouncement(sdp, "rtsp://h/pub"),
      (e: unknown) => e instanceof RtspError && e.status === status,
      sdp,
    );
  }
});

Deno.test("readAnnouncement() takes the first H.264 video and keeps going without a usable sprop", () => {
  const a = readAnnouncement(
    HEAD + "m=audio 0 RTP/AVP 0\r\na=control:a\r\n" +
      "m=video 0 RTP/AVP 97 98\r\na=rtpmap:97 VP8/90000\r\na=rtpmap:98 h264/90000\r\n" +
      "a=fmtp:98 sprop-parameter-sets=!!!\r\na=control:v\r\n",
    "rtsp://h/pub",
  );
  assert.equal(a.video, 1);
  assert.equal(a.payloadType, 98);
  assert.equal(a.sps, undefined);
});

Deno.test("findAnnouncedMedia() compares path and query only, and takes the aggregate URL for one media", () => {
  const a = readAnnouncement(
    HEAD + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n",
    "rtsp://user:pw@127.0.0.1:8554/pub?token=1",
  );
  assert.equal(findAnnouncedMedia(a, "rtsp://localhost/pub?token=1/streamid=0"), 0);
  assert.equal(findAnnouncedMedia(a, "rtsp://127.0.0.1:8554/pub?token=1"), 0);
  assert.equal(findAnnouncedMedia(a, "rtsp://127.0.0.1:8554/pub/streamid=0"), undefined);
  assert.equal(findAnnouncedMedia(a, "*"), undefined);
  const two = readAnnouncement(
    HEAD + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:rtsp://x/abs/v\r\n" +
      "m=audio 0 RTP/AVP 0\r\na=control:a\r\n",
    "rtsp://h/pub/",
  );
  assert.equal(findAnnouncedMedia(two, "rtsp://h/abs/v"), 0);
  assert.equal(findAnnouncedMedia(two, "rtsp://h/pub/a"), 1);
  assert.equal(findAnnouncedMedia(two, "rtsp://h/pub"), undefined, "aggregate of two media");
});
