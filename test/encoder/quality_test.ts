/**
 * The WASM encoder against ffmpeg: pictures made by ffmpeg are encoded here, decoded by ffmpeg, and
 * compared with the originals (PSNR); bitrate, GOP structure and forced keyframes are checked on
 * the bitstream.
 */

import assert from "node:assert/strict";
import { encodeAnnexB } from "../../src/codec/annexb.ts";
import { Y4mParser } from "../../src/codec/y4m.ts";
import { type EncodedAccessUnit, H264Encoder } from "../../src/encoder/h264_encoder.ts";
import type { H264EncoderOptions } from "../../src/encoder/options.ts";
import { type PixelFormat, PixelFormat as F } from "../../src/codec/raw_frame.ts";
import { argv, interopTest, withTempDir } from "../interop/support.ts";
import { concat } from "../support/bytes.ts";

/** Runs ffmpeg with `input` on stdin; returns stdout (throws with stderr on failure). */
async function ffmpeg(args: string[], input?: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command("ffmpeg", {
    args,
    stdin: input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Read while writing: ffmpeg blocks on a full stdout pipe long before it has read all its input.
  const stdout = new Response(child.stdout).arrayBuffer();
  const stderr = new Response(child.stderr).text();
  if (input) {
    const w = child.stdin.getWriter();
    await w.write(input);
    await w.close();
  }
  const status = await child.status;
  if (!status.success) throw new Error(`ffmpeg ${args.join(" ")}: ${await stderr}`);
  return new Uint8Array(await stdout);
}

/** `frames` frames of an ffmpeg lavfi source as I420 pictures. */
async function pictures(source: string, width: number, height: number, frames: number) {
  const y4m = await ffmpeg(
    argv`-v error -f lavfi -i ${source}=size=${width}x${height}:rate=30 -frames:v ${frames}
      -pix_fmt yuv420p -f yuv4mpegpipe -`,
  );
  return new Y4mParser().push(y4m);
}

async function encodeAll(
  options: H264EncoderOptions,
  frames: Uint8Array[],
  format: PixelFormat = F.I420,
): Promise<EncodedAccessUnit[]> {
  const encoder = await H264Encoder.create(options);
  try {
    const out = await Promise.all(
      frames.map((data, i) => encoder.encode({ data, format, timestamp: (i * 1e6) / 30 })),
    );
    return out.filter((au): au is EncodedAccessUnit => au !== undefined);
  } finally {
    await encoder.close();
  }
}

/** PSNR (dB, average over frames, all planes) of an H.264 stream against I420 references. */
async function psnr(units: EncodedAccessUnit[], reference: Uint8Array[], w: number, h: number) {
  return await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/ref.yuv`, concat(...reference));
    await Deno.writeFile(`${dir}/out.h264`, encodeAnnexB(units.flatMap((u) => u.nalUnits)));
    const child = await new Deno.Command("ffmpeg", {
      args: argv`-v info -f h264 -i ${dir}/out.h264 -f rawvideo -pix_fmt yuv420p -s ${w}x${h}
        -i ${dir}/ref.yuv -lavfi psnr -f null -`,
      stdout: "null",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(child.stderr);
    const m = /PSNR .* average:([\d.]+|inf)/.exec(text);
    assert.ok(m, `no PSNR in ffmpeg output: ${text.slice(-400)}`);
    return m[1] === "inf" ? Infinity : Number(m[1]);
  });
}

function nalTypes(au: EncodedAccessUnit): number[] {
  return au.nalUnits.map((n) => n[0] & 0x1f);
}

interopTest("720p at 4 Mbit/s keeps testsrc2 above 35 dB PSNR", ["ffmpeg"], async () => {
  const frames = await pictures("testsrc2", 1280, 720, 60);
  const units = await encodeAll({ width: 1280, height: 720, bitrate: 4_000_000 }, frames);
  assert.equal(units.length, 60, "rate control skipped frames");
  const db = await psnr(units, frames, 1280, 720);
  assert.ok(db >= 35, `PSNR ${db.toFixed(2)} dB`);
});

for (const bitrate of [1_000_000, 2_000_000]) {
  interopTest(
    `the average bitrate over 10 s is within 15% of ${bitrate / 1e6} Mbit/s`,
    ["ffmpeg"],
    async () => {
      const frames = await pictures("testsrc2", 640, 480, 300);
      const units = await encodeAll({ width: 640, height: 480, bitrate }, frames);
      const bytes = units.reduce(
        (n, u) => n + u.nalUnits.reduce((m, nal) => m + nal.length + 4, 0),
        0,
      );
      const measured = (bytes * 8) / 10;
      assert.ok(
        Math.abs(measured - bitrate) <= 0.15 * bitrate,
        `${(measured / 1e6).toFixed(3)} Mbit/s for a ${bitrate / 1e6} Mbit/s target`,
      );
    },
  );
}

interopTest("every GOP starts with SPS, PPS and an IDR; a requested keyframe comes next", [
  "ffmpeg",
], async () => {
  const frames = await pictures("testsrc2", 320, 240, 75);
  const encoder = await H264Encoder.create({ width: 320, height: 240, gop: 30, bitrate: 800_000 });
  try {
    const units: EncodedAccessUnit[] = [];
    for (let i = 0; i < frames.length; i++) {
      if (i === 45) encoder.requestKeyframe();
      const au = await encoder.encode({ data: frames[i], timestamp: (i * 1e6) / 30 });
      assert.ok(au, `frame ${i} skipped`);
      units.push(au);
    }
    const keyframes = units.flatMap((u, i) => u.keyframe ? [i] : []);
    assert.deepEqual(keyframes.slice(0, 3), [0, 30, 45], "IDRs at the GOP start and on request");
    const gaps = keyframes.slice(1).map((k, i) => k - keyframes[i]).concat(
      units.length - keyframes.at(-1)!,
    );
    assert.ok(gaps.every((g) => g <= 30), `a GOP longer than 30 frames: ${keyframes}`);
    for (const i of keyframes) {
      assert.deepEqual(nalTypes(units[i]).slice(0, 3), [7, 8, 5], `frame ${i}`);
    }
    for (const [i, u] of units.entries()) {
      if (!keyframes.includes(i)) {
        assert.ok(!nalTypes(u).includes(5), `frame ${i} has an IDR slice`);
      }
    }
  } finally {
    await encoder.close();
  }
});

/** ffmpeg's name for each input format, and the PSNR the round trip must keep. */
const FORMATS: [PixelFormat, string, string, number][] = [
  [F.I420, "I420", "yuv420p", 38],
  [F.NV12, "NV12", "nv12", 38],
  [F.YUYV, "YUYV", "yuyv422", 38],
  [F.UYVY, "UYVY", "uyvy422", 38],
  [F.RGB24, "RGB24", "rgb24", 34],
  [F.BGR24, "BGR24", "bgr24", 34],
  [F.RGBA, "RGBA", "rgba", 34],
  [F.BGRA, "BGRA", "bgra", 34],
  [F.RGB565, "RGB565", "rgb565le", 30],
  [F.GRAY8, "GRAY8", "gray", 38],
];

for (const [format, name, ffName, minDb] of FORMATS) {
  interopTest(`${name} input decodes back to the same picture (PSNR at least ${minDb} dB)`, [
    "ffmpeg",
  ], async () => {
    const reference = await pictures("testsrc2", 320, 240, 10);
    // ffmpeg converts the reference into the input format; the encoder converts it back in WASM.
    const input = await ffmpeg(
      argv`-v error -f rawvideo -pix_fmt yuv420p -s 320x240 -i - -f rawvideo -pix_fmt ${ffName} -`,
      concat(...reference),
    );
    const size = input.length / reference.length;
    const frames = reference.map((_, i) => input.subarray(i * size, (i + 1) * size));
    const units = await encodeAll(
      { width: 320, height: 240, rateControl: "quality", qpMin: 12, qpMax: 12 },
      frames,
      format,
    );
    // Grey input has no colour: compare with the reference's luma and neutral chroma.
    const expected = format === F.GRAY8
      ? reference.map((f) => {
        const g = f.slice();
        g.fill(128, 320 * 240);
        return g;
      })
      : reference;
    const db = await psnr(units, expected, 320, 240);
    assert.ok(db >= minDb, `${name}: PSNR ${db.toFixed(2)} dB`);
  });
}
