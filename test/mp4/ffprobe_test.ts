/**
 * The muxer's output read by ffmpeg: an init segment and one fragment per access unit of a stream
 * made by the project's encoder, concatenated as a browser's SourceBuffer would receive them,
 * decode to every frame at the right size with no error.
 */

import assert from "node:assert/strict";
import { H264Encoder } from "../../src/encoder/h264_encoder.ts";
import { Fmp4Muxer } from "../../src/mp4/fmp4_muxer.ts";
import { TestPattern } from "../../src/source/test_pattern.ts";
import { concat } from "../support/bytes.ts";
import { argv, decodeFrames, interopTest, run, withTempDir } from "../interop/support.ts";

const WIDTH = 320, HEIGHT = 240, FRAMES = 45;

interopTest("ffprobe reads the muxed fMP4 of encoded frames: count, size, no error", [
  "ffmpeg",
  "ffprobe",
], async () => {
  const encoder = await H264Encoder.create({
    width: WIDTH,
    height: HEIGHT,
    fps: 30,
    bitrate: 500_000,
    gop: 15,
  });
  const muxer = new Fmp4Muxer();
  const parts: Uint8Array[] = [];
  let inits = 0, keyframes = 0;
  try {
    const pattern = new TestPattern({ width: WIDTH, height: HEIGHT });
    for (let i = 0; i < FRAMES; i++) {
      const au = await encoder.encode({ data: pattern.draw(i, 0, i * 33_333).data, timestamp: i });
      assert.ok(au, `frame ${i} was skipped by rate control`);
      if (au.keyframe) keyframes++;
      const out = muxer.push({ nalUnits: au.nalUnits, timestamp: i * 3000 });
      if (out.init) {
        inits++;
        parts.push(out.init.segment);
      }
      parts.push(out.fragment!);
    }
  } finally {
    await encoder.close();
  }
  assert.equal(inits, 1);
  assert.equal(keyframes, 3);
  await withTempDir(async (dir) => {
    const file = `${dir}/preview.mp4`;
    await Deno.writeFile(file, concat(...parts));
    const probe = await run(
      "ffprobe",
      argv`-v error -count_frames -select_streams v:0
      -show_entries stream=codec_name,width,height,nb_read_frames,time_base -of json ${file}`,
    );
    assert.equal(probe.stderr.trim(), "");
    const stream = JSON.parse(probe.stdout).streams[0];
    assert.deepEqual(stream, {
      codec_name: "h264",
      width: WIDTH,
      height: HEIGHT,
      time_base: "1/90000",
      nb_read_frames: String(FRAMES),
    });
    const decoded = await decodeFrames(file);
    assert.equal(decoded.errors, "");
    assert.equal(decoded.frames, FRAMES);
    // Keyframes are flagged as sync samples: ffprobe sees exactly the encoder's three.
    const keys = await run(
      "ffprobe",
      argv`-v error -select_streams v:0 -skip_frame nokey
      -count_frames -show_entries stream=nb_read_frames -of csv=p=0 ${file}`,
    );
    assert.equal(keys.stdout.trim(), "3");
  });
});
