import assert from "node:assert/strict";
import { MAX_SDP_LENGTH, parseSdp, resolveControl, SdpError } from "../../src/sdp/parse.ts";

/** Captured from `ffmpeg -f lavfi -i testsrc2 -f lavfi -i sine -c:v libx264 -c:a aac -f rtsp` (ANNOUNCE body). */
const FFMPEG_H264_AAC = [
  "v=0",
  "o=- 0 0 IN IP4 127.0.0.1",
  "s=No Name",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "a=tool:libavformat LIBAVFORMAT_VERSION",
  "m=video 0 RTP/AVP 96",
  "a=rtpmap:96 H264/90000",
  "a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z2QADazZQUH7ARAAAAMAEAAAAwMg8UKZYA==,aOvjyyLA; profile-level-id=64000D",
  "a=control:streamid=0",
  "m=audio 0 RTP/AVP 97",
  "b=AS:128",
  "a=rtpmap:97 MPEG4-GENERIC/48000/2",
  "a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=119056E500",
  "a=control:streamid=1",
  "",
].join("\r\n");

/** Captured from `ffmpeg ... -c:v mjpeg -c:a pcm_alaw -f rtsp`: static payload types, no rtpmap. */
const FFMPEG_MJPEG_PCMA = [
  "v=0",
  "o=- 0 0 IN IP4 127.0.0.1",
  "s=No Name",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "a=tool:libavformat LIBAVFORMAT_VERSION",
  "m=video 0 RTP/AVP 26",
  "b=AS:200",
  "a=control:streamid=0",
  "m=audio 0 RTP/AVP 8",
  "b=AS:64",
  "a=control:streamid=1",
  "",
].join("\r\n");

/** Captured from GStreamer 1.22 `openh264enc ! h264parse ! rtspclientsink` (ANNOUNCE body). */
const GST_H264 = [
  "v=0",
  "o=- 814033251 1 IN IP4 127.0.0.1",
  "s=Session streamed with GStreamer",
  "i=rtspclientsink",
  "t=0 0",
  "a=tool:GStreamer",
  "m=video 0 RTP/AVP 96",
  "c=IN IP4 0.0.0.0",
  "a=rtpmap:96 H264/90000",
  "a=framerate:30",
  "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LADYyNQKD5APCIRqA=,aM48gA==",
  "a=control:stream=0",
  "a=ts-refclk:local",
  "a=mediaclk:sender",
  "a=ssrc:1949486386 cname:user389425239@host-9bf9a73e",
  "",
].join("\r\n");

/** Written by hand in the style of IP cameras: LF only, absolute controls, session direction. */
const CAMERA_LF = [
  "v=0",
  "o=- 1700000000000000 1 IN IP4 192.168.1.64",
  "s=Media Presentation",
  "e=NONE",
  "b=AS:5050",
  "t=0 0",
  "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast",
  "a=range:npt=0-",
  "a=recvonly",
  "m=video 0 RTP/AVP 96",
  "c=IN IP4 0.0.0.0",
  "b=AS:5000",
  "a=rtpmap:96 H264/90000",
  "a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z01AKI2NQDwBE/LgLcBAQFAAAD6AAAw1DoYACYFAAExLC7y40MABMCgACYlhd5cKAA==,aO44gA==",
  "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast",
  "a=Media_header:MEDIAINFO=494D4B48010100000400000100000000000000000000000000000000000000000000000000000000;",
  "a=appversion:1.0",
  "m=application 0 RTP/AVP 107",
  "a=rtpmap:107 isapi.metadata/90000",
  "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=3?transportmode=unicast",
  "a=sendonly",
  "",
].join("\n");

function rejects(text: string, line: number, message: RegExp): void {
  assert.throws(() => parseSdp(text), (e: unknown) => {
    assert.ok(e instanceof SdpError, `not an SdpError: ${e}`);
    assert.equal(e.line, line, e.message);
    assert.match(e.message, message);
    return true;
  });
}

const HEAD = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n";

Deno.test("parseSdp() reads ffmpeg's ANNOUNCE SDP for H.264 + AAC", () => {
  const sdp = parseSdp(FFMPEG_H264_AAC);
  assert.equal(sdp.version, 0);
  assert.deepEqual(sdp.origin, {
    username: "-",
    sessionId: "0",
    sessionVersion: "0",
    netType: "IN",
    addrType: "IP4",
    address: "127.0.0.1",
  });
  assert.equal(sdp.name, "No Name");
  assert.deepEqual(sdp.connection, { netType: "IN", addrType: "IP4", address: "127.0.0.1" });
  assert.equal(sdp.control, undefined);
  assert.deepEqual(sdp.attributes, [["tool", "libavformat LIBAVFORMAT_VERSION"]]);
  assert.equal(sdp.media.length, 2);
  const [video, audio] = sdp.media;
  assert.deepEqual(
    [video.kind, video.port, video.protocol, video.formats, video.control, video.direction],
    ["video", 0, "RTP/AVP", ["96"], "streamid=0", "sendrecv"],
  );
  assert.deepEqual(video.rtpmap, new Map([[96, { encoding: "H264", clockRate: 90000 }]]));
  assert.equal(
    video.fmtp.get(96),
    "packetization-mode=1; sprop-parameter-sets=Z2QADazZQUH7ARAAAAMAEAAAAwMg8UKZYA==,aOvjyyLA; profile-level-id=64000D",
  );
  assert.deepEqual(audio.rtpmap.get(97), {
    encoding: "MPEG4-GENERIC",
    clockRate: 48000,
    channels: 2,
  });
  assert.equal(audio.control, "streamid=1");
  assert.equal(audio.attributes.length, 3);
});

Deno.test("parseSdp() reads ffmpeg's SDP with static payload types and no rtpmap", () => {
  const sdp = parseSdp(FFMPEG_MJPEG_PCMA);
  assert.deepEqual(sdp.media.map((m) => [m.kind, m.formats, m.rtpmap.size, m.control]), [
    ["video", ["26"], 0, "streamid=0"],
    ["audio", ["8"], 0, "streamid=1"],
  ]);
});

Deno.test("parseSdp() reads GStreamer's rtspclientsink SDP with a media-level c= line", () => {
  const sdp = parseSdp(GST_H264);
  assert.equal(sdp.info, "rtspclientsink");
  assert.equal(sdp.connection, undefined);
  const [video] = sdp.media;
  assert.deepEqual(video.connection, { netType: "IN", addrType: "IP4", address: "0.0.0.0" });
  assert.equal(video.control, "stream=0");
  assert.deepEqual(video.attributes.slice(-2), [
    ["mediaclk", "sender"],
    ["ssrc", "1949486386 cname:user389425239@host-9bf9a73e"],
  ]);
});

Deno.test("parseSdp() reads an LF-only camera SDP with absolute controls and directions", () => {
  const sdp = parseSdp(CAMERA_LF);
  assert.equal(sdp.range, "npt=0-");
  assert.equal(sdp.direction, "recvonly");
  assert.equal(
    sdp.control,
    "rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast",
  );
  const [video, meta] = sdp.media;
  assert.equal(video.direction, "recvonly", "inherited from the session");
  assert.equal(meta.direction, "sendonly", "its own attribute wins");
  assert.deepEqual(meta.rtpmap.get(107), { encoding: "isapi.metadata", clockRate: 90000 });
  assert.equal(
    resolveControl(sdp.control!, video.control!),
    "rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast",
  );
});

Deno.test("parseSdp() tolerates blank lines, trailing spaces and a missing final line end", () => {
  const sdp = parseSdp(
    "\r\nv=0  \r\n\r\ns=name \t\r\nm=video 0 RTP/AVP 96 \r\na=control:trackID=0 ",
  );
  assert.equal(sdp.name, "name");
  assert.equal(sdp.media[0].control, "trackID=0");
  assert.deepEqual(sdp.media[0].formats, ["96"]);
});

Deno.test("parseSdp() reads port counts, several formats and flag attributes", () => {
  const sdp = parseSdp(
    HEAD +
      "m=audio 5004/2 RTP/AVP 0 8 97\r\na=rtpmap:97 opus/48000/2\r\na=fmtp:97\r\na=inactive\r\n",
  );
  const [audio] = sdp.media;
  assert.deepEqual([audio.port, audio.portCount, audio.formats], [5004, 2, ["0", "8", "97"]]);
  assert.equal(audio.fmtp.get(97), "");
  assert.equal(audio.direction, "inactive");
  assert.deepEqual(audio.attributes, [["rtpmap", "97 opus/48000/2"], ["fmtp", "97"], [
    "inactive",
    "",
  ]]);
});

Deno.test("parseSdp() rejects text that does not start with v=0", () => {
  rejects("", 0, /must start with v=0/);
  rejects("\r\n\r\n", 0, /must start with v=0/);
  rejects("o=- 0 0 IN IP4 1.2.3.4\r\nv=0\r\n", 1, /must start with v=0/);
  rejects("v=1\r\n", 1, /must start with v=0/);
  rejects("RTSP/1.0 200 OK\r\n", 1, /<type>=<value>/);
});

Deno.test("parseSdp() rejects a line that is not <letter>=<value>", () => {
  rejects(HEAD + "hello\r\n", 5, /<type>=<value>/);
  rejects(HEAD + "A=b\r\n", 5, /<type>=<value>/);
  rejects(HEAD + "a\r\n", 5, /<type>=<value>/);
});

Deno.test("parseSdp() rejects a media line with a bad port, protocol or no format", () => {
  rejects(HEAD + "m=video abc RTP/AVP 96\r\n", 5, /port/);
  rejects(HEAD + "m=video 70000 RTP/AVP 96\r\n", 5, /port/);
  rejects(HEAD + "m=video -1 RTP/AVP 96\r\n", 5, /port/);
  rejects(HEAD + "m=video 0/0 RTP/AVP 96\r\n", 5, /port/);
  rejects(HEAD + "m=video 0 RTP/AVP;x=1 96\r\n", 5, /protocol/);
  rejects(HEAD + "m=video 0 RTP//AVP 96\r\n", 5, /protocol/);
  rejects(HEAD + "m=video 0 RTP/AVP\r\n", 5, /media line/);
  rejects(HEAD + "m=\r\n", 5, /media line/);
});

Deno.test("parseSdp() rejects an rtpmap with clock rate 0 or a non-numeric one", () => {
  const m = HEAD + "m=video 0 RTP/AVP 96\r\n";
  rejects(m + "a=rtpmap:96 H264/0\r\n", 6, /clock rate/);
  rejects(m + "a=rtpmap:96 H264/abc\r\n", 6, /clock rate/);
  rejects(m + "a=rtpmap:96 H264/\r\n", 6, /clock rate/);
  rejects(m + "a=rtpmap:96 H264/-90000\r\n", 6, /clock rate/);
  rejects(m + "a=rtpmap:96 H264/90000.5\r\n", 6, /clock rate/);
  rejects(m + "a=rtpmap:96 H264/99999999999\r\n", 6, /clock rate/);
  rejects(m + "a=rtpmap:96 H264\r\n", 6, /rtpmap/);
  rejects(m + "a=rtpmap:96\r\n", 6, /rtpmap/);
  rejects(m + "a=rtpmap:x H264/90000\r\n", 6, /payload type/);
  rejects(m + "a=rtpmap:128 H264/90000\r\n", 6, /payload type/);
  rejects(m + "a=rtpmap:97 opus/48000/0\r\n", 6, /channels/);
  rejects(m + "a=rtpmap:97 opus/48000/two\r\n", 6, /channels/);
  rejects(m + "a=fmtp:abc packetization-mode=1\r\n", 6, /payload type/);
});

Deno.test("parseSdp() rejects text above its size limit and too many media sections", () => {
  rejects("v=0\r\n" + "a=x\r\n".repeat(MAX_SDP_LENGTH / 5), 0, /longer than/);
  rejects("v=0\r\n" + "m=video 0 RTP/AVP 96\r\n".repeat(65), 66, /more than 64/);
});

Deno.test("parseSdp() throws only SdpError for any truncation or byte change of real SDPs", () => {
  let seed = 99;
  const next = (max: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % max;
  };
  const alphabet = "v=0am/: \r\n-9xRTP";
  for (const text of [FFMPEG_H264_AAC, GST_H264, CAMERA_LF]) {
    const variants: string[] = [];
    for (let i = 0; i <= text.length; i++) variants.push(text.slice(0, i));
    for (let i = 0; i < 3000; i++) {
      const pos = next(text.length);
      variants.push(
        text.slice(0, pos) + alphabet[next(alphabet.length)] + text.slice(pos + next(3)),
      );
    }
    for (const v of variants) {
      try {
        parseSdp(v);
      } catch (e) {
        assert.ok(e instanceof SdpError, `${e} for ${JSON.stringify(v)}`);
      }
    }
  }
});

Deno.test("parseSdp() stays fast on long runs of spaces", () => {
  const text = "v=0\r\ns=" + " ".repeat(200_000) + "x\r\n";
  const t0 = performance.now();
  assert.equal(parseSdp(text).name, "x");
  assert.ok(performance.now() - t0 < 1000);
});

Deno.test("SdpError carries the line number in its message and property", () => {
  const e = new SdpError("bad thing", 3);
  assert.equal(e.line, 3);
  assert.equal(e.message, "SDP line 3: bad thing");
  assert.equal(e.name, "SdpError");
  assert.equal(new SdpError("whole", 0).message, "SDP: whole");
});

Deno.test("resolveControl() appends a relative control to the base with one slash", () => {
  assert.equal(resolveControl("rtsp://h:8554/cam/", "trackID=0"), "rtsp://h:8554/cam/trackID=0");
  assert.equal(resolveControl("rtsp://h:8554/cam", "trackID=0"), "rtsp://h:8554/cam/trackID=0");
  assert.equal(resolveControl("rtsp://h/cam/", "sub/track1"), "rtsp://h/cam/sub/track1");
});

Deno.test("resolveControl() keeps absolute URLs and maps * or empty to the base", () => {
  assert.equal(
    resolveControl("rtsp://h/cam/", "rtsp://other/x/trackID=1"),
    "rtsp://other/x/trackID=1",
  );
  assert.equal(resolveControl("rtsp://h/cam/", "RTSPS://h/x"), "RTSPS://h/x");
  assert.equal(resolveControl("rtsp://h/cam/", "*"), "rtsp://h/cam/");
  assert.equal(resolveControl("rtsp://h/cam/", ""), "rtsp://h/cam/");
});

Deno.test("resolveControl() puts an absolute-path control under the base's host", () => {
  assert.equal(resolveControl("rtsp://u:p@h:554/cam/x/", "/other/1"), "rtsp://u:p@h:554/other/1");
});

Deno.test("resolveControl() appends after a query in the base, as ffmpeg does", () => {
  assert.equal(
    resolveControl("rtsp://h/cam?token=1", "trackID=0"),
    "rtsp://h/cam?token=1/trackID=0",
  );
});
