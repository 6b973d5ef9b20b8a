import assert from "node:assert/strict";
import { JpegError } from "../../src/codec/jpeg.ts";
import { H264Encoder } from "../../src/encoder/h264_encoder.ts";
import { interopTest, withTempDir } from "../interop/support.ts";
import { compare, ffmpegI420, FILES, firstFrame, readData, splitMjpeg } from "../jpeg/support.ts";

function annexB(nalUnits: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(nalUnits.reduce((n, u) => n + 4 + u.length, 0));
  let at = 0;
  for (const u of nalUnits) {
    out.set([0, 0, 0, 1], at);
    out.set(u, at + 4);
    at += 4 + u.length;
  }
  return out;
}

for (const worker of [true, false]) {
  const where = worker ? "in a Worker" : "in the calling thread";

  interopTest(`${where}: MJPEG frames encode to H.264 that ffmpeg decodes at their size`, [
    "ffmpeg",
  ], async () => {
    const frames = splitMjpeg(readData(FILES.yuv422));
    const encoder = await H264Encoder.create({
      width: 160,
      height: 120,
      bitrate: 2_000_000,
      worker,
    });
    const units: Uint8Array[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const au = await encoder.encode({
          data: frames[i % 2],
          format: "jpeg",
          timestamp: i * 200_000,
        });
        if (au) units.push(...au.nalUnits);
      }
    } finally {
      await encoder.close();
    }
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/out.h264`, annexB(units));
      const out = await new Deno.Command("ffmpeg", {
        args: ["-hide_banner", "-loglevel", "error", "-f", "h264", "-i", `${dir}/out.h264`]
          .concat(["-pix_fmt", "yuv420p", "-f", "rawvideo", "-"]),
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const size = 160 * 120 * 1.5;
      assert.ok(out.stdout.length >= size && out.stdout.length % size === 0);
      const { psnr } = compare(out.stdout.subarray(0, size), await ffmpegI420(frames[0]));
      assert.ok(psnr > 30, `first picture against ffmpeg's JPEG decode: PSNR ${psnr} dB`);
    });
  });

  Deno.test(`${where}: a JPEG of another size or a corrupt one fails that frame only`, async () => {
    const encoder = await H264Encoder.create({ width: 160, height: 120, worker });
    try {
      await assert.rejects(
        encoder.encode({ data: firstFrame(FILES.hd), format: "jpeg" }),
        (e) =>
          e instanceof JpegError && e.code === "size-mismatch" &&
          /the JPEG is 1280x720, the encoder 160x120/.test(e.message),
      );
      await assert.rejects(
        encoder.encode({ data: new Uint8Array(500), format: "jpeg" }),
        (e) => e instanceof JpegError && e.code === "invalid" && /Not a JPEG file/.test(e.message),
      );
      const au = await encoder.encode({ data: firstFrame(FILES.yuv420), format: "jpeg" });
      assert.equal(au?.keyframe, true);
      assert.equal(au?.warning, undefined);
      // odd sizes are cropped to even, so a 99x75 camera feeds a 98x74 encoder
    } finally {
      await encoder.close();
    }
  });

  Deno.test(`${where}: a JPEG cut short still encodes and carries libjpeg's warning`, async () => {
    const encoder = await H264Encoder.create({ width: 98, height: 74, worker });
    try {
      const jpeg = readData(FILES.odd);
      const au = await encoder.encode({
        data: jpeg.subarray(0, jpeg.length - 800),
        format: "jpeg",
      });
      assert.equal(au?.keyframe, true);
      assert.match(au?.warning ?? "", /Premature end of JPEG file/);
      const next = await encoder.encode({ data: jpeg, format: "jpeg" });
      assert.equal(next?.warning, undefined);
    } finally {
      await encoder.close();
    }
  });
}
