/**
 * The OpenH264 decoder module: a stream made by the project's own encoder decodes to what ffmpeg
 * decodes from it, and garbage (random bytes, cut and mutated access units) gives clear errors,
 * never a crash, with the decoder still usable afterwards.
 */

import assert from "node:assert/strict";
import { encodeAnnexB } from "../../src/codec/annexb.ts";
import { H264DecodeError, H264Decoder } from "../../src/decoder/h264_decoder.ts";
import { H264Encoder } from "../../src/encoder/h264_encoder.ts";
import { PixelFormat } from "../../src/codec/raw_frame.ts";
import { TestPattern } from "../../src/source/test_pattern.ts";
import { argv, interopTest, withTempDir } from "../interop/support.ts";
import { compare } from "../jpeg/support.ts";
import { seededRandom } from "../support/bytes.ts";

/** `count` access units (Annex B) of the test pattern, encoded by src/encoder; the first an IDR. */
async function encodedStream(width: number, height: number, count: number): Promise<Uint8Array[]> {
  const encoder = await H264Encoder.create({ width, height, fps: 30, gop: 15, bitrate: 2_000_000 });
  const pattern = new TestPattern({ width, height });
  const units: Uint8Array[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const frame = pattern.draw(i, Date.UTC(2026, 0, 1), (i * 1e6) / 30);
      const au = await encoder.encode({
        data: frame.data,
        format: PixelFormat.I420,
        timestamp: frame.timestamp,
      });
      if (au) units.push(encodeAnnexB(au.nalUnits));
    }
  } finally {
    await encoder.close();
  }
  return units;
}

/** ffmpeg's decode of an Annex B stream, as I420 frames. */
async function ffmpegFrames(stream: Uint8Array, width: number, height: number) {
  return await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/in.h264`, stream);
    const out = await new Deno.Command("ffmpeg", {
      args: argv`-v error -f h264 -i ${dir}/in.h264 -f rawvideo -pix_fmt yuv420p -`,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    const size = width * height * 1.5;
    const frames: Uint8Array[] = [];
    for (let at = 0; at + size <= out.stdout.length; at += size) {
      frames.push(out.stdout.subarray(at, at + size));
    }
    return frames;
  });
}

interopTest(
  "our encoder's stream decodes to ffmpeg's pictures (PSNR >= 30 dB)",
  ["ffmpeg"],
  async () => {
    const [width, height] = [640, 360];
    const units = await encodedStream(width, height, 45);
    const reference = await ffmpegFrames(
      units.reduce((a, b) => {
        const out = new Uint8Array(a.length + b.length);
        out.set(a);
        out.set(b, a.length);
        return out;
      }),
      width,
      height,
    );
    const decoder = await H264Decoder.create();
    try {
      const ours = units.map((au) => decoder.decode(au)).filter((p) => p !== undefined);
      assert.equal(ours.length, units.length);
      assert.equal(reference.length, units.length);
      for (let i = 0; i < ours.length; i++) {
        assert.equal(ours[i].width, width);
        assert.equal(ours[i].height, height);
        const { psnr } = compare(ours[i].data, reference[i]);
        assert.ok(psnr >= 30, `frame ${i}: PSNR ${psnr.toFixed(2)} dB`);
      }
      // last() hands back the newest picture again.
      assert.deepEqual(decoder.last()?.data, ours[ours.length - 1].data);
    } finally {
      decoder.close();
    }
  },
);

Deno.test("parameter sets alone give no picture; empty input neither", async () => {
  const [idr] = await encodedStream(64, 64, 1);
  const decoder = await H264Decoder.create();
  try {
    assert.equal(decoder.decode(new Uint8Array()), undefined);
    assert.equal(decoder.last(), undefined);
    // SPS and PPS are the first two NAL units of the IDR access unit.
    const third = idr.findIndex((_, i) =>
      i > 4 && idr[i - 3] === 0 && idr[i - 2] === 0 &&
      idr[i - 1] === 1 && (idr[i] & 0x1f) === 5
    );
    assert.ok(third > 0);
    assert.equal(decoder.decode(idr.subarray(0, third - 3)), undefined);
    const picture = decoder.decode(idr.subarray(third - 4));
    assert.equal(picture?.width, 64);
  } finally {
    decoder.close();
  }
});

Deno.test("garbage gives H264DecodeError or nothing, never a crash; good data decodes after", async () => {
  const units = await encodedStream(160, 120, 20);
  const decoder = await H264Decoder.create();
  const random = seededRandom(7);
  const randomBytes = (n: number) =>
    Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
  const attempt = (data: Uint8Array) => {
    try {
      decoder.decode(data);
    } catch (error) {
      assert.ok(error instanceof H264DecodeError, `not an H264DecodeError: ${error}`);
      assert.ok((error as Error).message.length > 0);
    }
  };
  try {
    for (let i = 0; i < 200; i++) attempt(randomBytes(1 + Math.floor(random() * 4000)));
    // Random payloads behind start codes and NAL headers of every type.
    for (let type = 0; type < 32; type++) {
      attempt(new Uint8Array([0, 0, 0, 1, 0x60 | type, ...randomBytes(300)]));
    }
    // Cut and mutated access units of a real stream, in order.
    for (const au of units) {
      attempt(au.subarray(0, Math.floor(au.length * random())));
      const bad = au.slice();
      for (let k = 0; k < 8; k++) bad[5 + Math.floor(random() * (bad.length - 5))] ^= 0xff;
      attempt(bad);
    }
    // The real stream from its keyframe still decodes, picture after picture.
    let pictures = 0;
    for (const au of units) if (decoder.decode(au)) pictures++;
    assert.equal(pictures, units.length);
  } finally {
    decoder.close();
  }
  assert.throws(() => decoder.decode(units[0]), /closed/);
});

Deno.test("a P frame without its keyframe is an error, not a picture", async () => {
  const units = await encodedStream(160, 120, 3);
  const decoder = await H264Decoder.create();
  try {
    assert.throws(() => decoder.decode(units[1]), H264DecodeError);
    assert.ok(decoder.decode(units[0]));
  } finally {
    decoder.close();
  }
});
