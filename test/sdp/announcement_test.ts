import assert from "node:assert/strict";
import { type Announcement, readAnnouncement } from "../../src/sdp/announcement.ts";
import { AnnouncedTracks } from "../../src/server/session/announced_tracks.ts";

/** The announcement of `sdp`, which must be taken. */
function read(sdp: string, url: string): Announcement {
  const r = readAnnouncement(sdp, url);
  if (!r.ok) throw new Error(r.problem);
  return r.announcement;
}

function body(file: string): string {
  const text = Deno.readTextFileSync(new URL(`../testdata/rtsp/${file}`, import.meta.url));
  return text.slice(text.indexOf("\r\n\r\n") + 4);
}

const HEAD = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n";

Deno.test("readAnnouncement() takes ffmpeg's SDP: H.264 payload type, sprop SPS and PPS", () => {
  const url = "rtsp://127.0.0.1:18580/pub";
  const a = read(body("ffmpeg_announce.txt"), url);
  assert.equal(a.video, 0);
  assert.equal(a.payloadType, 96);
  assert.equal(a.clockRate, 90000);
  assert.equal(a.sps?.[0], 0x67);
  assert.equal(a.pps?.[0], 0x68);
  assert.equal(new AnnouncedTracks(url, a.controls).find(`${url}/streamid=0`), 0);
});

Deno.test("readAnnouncement() takes GStreamer's SDP with its a=framerate and stream=0 control", () => {
  const url = "rtsp://127.0.0.1:18590/pub";
  const a = read(body("gstreamer_announce.txt"), url);
  assert.equal(a.framerate, 10);
  assert.equal(a.sps?.[0] && a.sps[0] & 0x1f, 7);
  assert.equal(new AnnouncedTracks(url, a.controls).find(`${url}/stream=0`), 0);
});

Deno.test("readAnnouncement() says why it refuses SDP without H.264 video, or bad SDP", () => {
  const audio = HEAD + "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\n";
  const cases: [string, string][] = [
    [audio, "no H.264 video in the SDP"],
    [HEAD + "m=video 0 RTP/AVP 26\r\n", "no H.264 video in the SDP"],
    [
      HEAD + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=2\r\n",
      "H.264 packetization-mode 2",
    ],
    ["not sdp", "invalid SDP"],
    [HEAD + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/0\r\n", "invalid SDP"],
  ];
  for (const [sdp, problem] of cases) {
    assert.deepEqual(readAnnouncement(sdp, "rtsp://h/pub"), { ok: false, problem }, sdp);
  }
});

Deno.test("readAnnouncement() takes the first H.264 video and keeps going without a usable sprop", () => {
  const a = read(
    HEAD + "m=audio 0 RTP/AVP 0\r\na=control:a\r\n" +
      "m=video 0 RTP/AVP 97 98\r\na=rtpmap:97 VP8/90000\r\na=rtpmap:98 h264/90000\r\n" +
      "a=fmtp:98 sprop-parameter-sets=!!!\r\na=control:v\r\n",
    "rtsp://h/pub",
  );
  assert.equal(a.video, 1);
  assert.equal(a.payloadType, 98);
  assert.equal(a.sps, undefined);
  assert.deepEqual(a.media, [{ kind: "audio", encoding: undefined }, {
    kind: "video",
    encoding: "VP8",
  }]);
});

Deno.test("AnnouncedTracks compares path and query only, and takes the aggregate URL for one media", () => {
  const url = "rtsp://user:pw@127.0.0.1:8554/pub?token=1";
  const one = new AnnouncedTracks(
    url,
    read(HEAD + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n", url)
      .controls,
  );
  assert.equal(one.find("rtsp://localhost/pub?token=1/streamid=0"), 0);
  assert.equal(one.find("rtsp://127.0.0.1:8554/pub?token=1"), 0);
  assert.equal(one.find("rtsp://127.0.0.1:8554/pub/streamid=0"), undefined);
  assert.equal(one.find("*"), undefined);
  const two = new AnnouncedTracks(
    "rtsp://h/pub/",
    read(
      HEAD + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:rtsp://x/abs/v\r\n" +
        "m=audio 0 RTP/AVP 0\r\na=control:a\r\n",
      "rtsp://h/pub/",
    ).controls,
  );
  assert.equal(two.find("rtsp://h/abs/v"), 0);
  assert.equal(two.find("rtsp://h/pub/a"), 1);
  assert.equal(two.find("rtsp://h/pub"), undefined, "aggregate of two media");
});
