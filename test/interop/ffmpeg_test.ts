/**
 * ffprobe and ffmpeg (the stack under Frigate, Home Assistant and go2rtc's ffmpeg source) reading
 * from the server over TCP and UDP.
 */

import assert from "node:assert/strict";
import { argv, decodeFrames, interopTest, run, startClipServer, withTempDir } from "./support.ts";

/**
 * With `-use_wallclock_as_timestamps 1` and `-c copy`, ffmpeg's muxer prints these two lines for the
 * first packet from any RTSP server: GStreamer's rtsp-server and mediamtx (issue 197) show the same
 * pair. They say nothing about the stream; anything else ffmpeg prints fails the test.
 */
const FFMPEG_MUXER_NOISE = [
  /Timestamps are unset in a packet for stream 0\./,
  /Non-monotonous DTS in output stream 0:0; previous: 0, current: 0; changing to 1\./,
];

/** Records from `url` with ffmpeg's `input` arguments into an MP4, then decodes it with -xerror. */
function recordAndDecode(input: string[], seconds: number) {
  return withTempDir(async (dir) => {
    const out = `${dir}/out.mp4`;
    const r = await run("ffmpeg", [...input, ...argv`-t ${seconds} -c copy ${out}`], 60_000);
    assert.equal(r.code, 0, r.stderr);
    return { stderr: r.stderr, decoded: await decodeFrames(out) };
  });
}

for (const transport of ["tcp", "udp"]) {
  interopTest(
    `ffprobe over ${transport} reports h264 at the clip's size`,
    ["ffmpeg", "ffprobe"],
    async () => {
      const s = await startClipServer();
      try {
        const r = await run(
          "ffprobe",
          argv`-v error -rtsp_transport ${transport} -show_streams -of json ${s.url}`,
          30_000,
        );
        assert.equal(r.code, 0, r.stderr);
        const video = JSON.parse(r.stdout).streams[0];
        assert.equal(video.codec_name, "h264");
        assert.equal(video.width, 640);
        assert.equal(video.height, 360);
        assert.equal(video.profile, "Constrained Baseline");
      } finally {
        await s.close();
      }
    },
  );

  interopTest(
    `ffmpeg over ${transport} records 5 s that decode without error (at least 140 frames)`,
    ["ffmpeg"],
    async () => {
      const s = await startClipServer();
      try {
        const { decoded } = await recordAndDecode(
          argv`-v error -rtsp_transport ${transport} -i ${s.url}`,
          5,
        );
        assert.equal(decoded.errors, "");
        assert.ok(decoded.frames >= 140, `only ${decoded.frames} frames`);
      } finally {
        await s.close();
      }
    },
  );
}

interopTest("Frigate's input arguments read 10 s without an error", ["ffmpeg"], async () => {
  const s = await startClipServer();
  try {
    // preset-rtsp-generic, as Frigate's record role uses it (INTEROP.md).
    const { stderr, decoded } = await recordAndDecode(
      argv`-hide_banner -loglevel warning -avoid_negative_ts make_zero
        -fflags +genpts+discardcorrupt -rtsp_transport tcp -timeout 5000000
        -use_wallclock_as_timestamps 1 -i ${s.url}`,
      10,
    );
    const unexpected = stderr.split("\n").filter((line) =>
      line.trim() !== "" && !FFMPEG_MUXER_NOISE.some((known) => known.test(line))
    );
    assert.deepEqual(unexpected, [], "ffmpeg printed warnings or errors");
    assert.equal(decoded.errors, "");
    assert.ok(decoded.frames >= 280, `only ${decoded.frames} frames in 10 s`);
  } finally {
    await s.close();
  }
});
