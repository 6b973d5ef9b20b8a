/**
 * CPU per 1280x720 camera frame for what rtsp-edge does between the driver's buffer and the
 * encoder, as the camera path does it: the frame's view in the mapped buffer is copied into a
 * reused transfer buffer (what H264Encoder.encode does), then into WASM memory, then converted
 * YUYV→I420 (WASM) or decoded MJPEG→I420 (libjpeg-turbo in WASM). The peer, measured in the same run on the same frames, is
 * ffmpeg 5.1's native libswscale conversion and mjpeg decoder, single-threaded (`-benchmark`).
 */

import process from "node:process";
import { packedView } from "../src/camera/frame_copy.ts";
import { instantiateEncoder, loadEncoderModule } from "../src/encoder/wasm_binding.ts";
import { JpegDecoder } from "../src/jpeg/jpeg_decoder.ts";
import { PixelFormat } from "../src/codec/raw_frame.ts";
import { splitJpegs } from "../src/codec/jpeg.ts";

const WIDTH = 1280;
const HEIGHT = 720;
const YUYV_BYTES = WIDTH * HEIGHT * 2;
const I420_BYTES = WIDTH * HEIGHT * 3 / 2;

/** One row of the CPU table. */
export interface CpuRow {
  /** What was measured. */
  path: string;
  /** rtsp-edge CPU ms per frame. */
  edgeMs: number;
  /** ffmpeg CPU ms per frame for the same work. */
  ffmpegMs: number;
}

async function ffmpeg(args: string[]): Promise<string> {
  const out = await new Deno.Command("ffmpeg", { args, stdout: "null", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`ffmpeg ${args.join(" ")} failed:\n${text}`);
  return text;
}

/** CPU seconds (user + system) ffmpeg reports with -benchmark. */
async function ffmpegCpu(args: string[]): Promise<number> {
  const text = await ffmpeg(["-hide_banner", "-benchmark", "-threads", "1", ...args]);
  const m = /utime=([\d.]+)s stime=([\d.]+)s/.exec(text);
  if (!m) throw new Error(`no -benchmark line from ffmpeg:\n${text}`);
  return Number(m[1]) + Number(m[2]);
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `work` over `count` frames and returns CPU ms per frame. */
function perFrame(count: number, work: (i: number) => void): number {
  for (let i = 0; i < 10; i++) work(i); // warm up the JIT and the WASM tiers
  const t0 = cpuMs();
  for (let i = 0; i < count; i++) work(i);
  return (cpuMs() - t0) / count;
}

/** Measures both paths; `frames` frames are generated, looped `loops` times. */
export async function measureCaptureCpu(dir: string, frames = 60, loops = 5): Promise<CpuRow[]> {
  const raw = `${dir}/yuyv.raw`;
  const mjpeg = `${dir}/frames.mjpeg`;
  const src = ["-f", "lavfi", "-i", `testsrc2=size=${WIDTH}x${HEIGHT}:rate=30`];
  await ffmpeg([
    "-y",
    ...src,
    "-frames:v",
    String(frames),
    "-pix_fmt",
    "yuyv422",
    "-f",
    "rawvideo",
    raw,
  ]);
  // A webcam's MJPEG: 4:2:2, quality around that of a UVC camera at 720p30.
  await ffmpeg([
    "-y",
    ...src,
    "-frames:v",
    String(frames),
    "-pix_fmt",
    "yuvj422p",
    "-q:v",
    "4",
    "-f",
    "mjpeg",
    mjpeg,
  ]);
  const yuyv = await Deno.readFile(raw);
  const jpegs = splitJpegs(await Deno.readFile(mjpeg));
  const total = frames * loops;

  // rtsp-edge, YUYV: copy out of the (here simulated) mapped buffer, then convert in WASM.
  const bridge = instantiateEncoder(await loadEncoderModule());
  const srcPtr = bridge.exports.rtse_malloc(YUYV_BYTES);
  const dstPtr = bridge.exports.rtse_malloc(I420_BYTES);
  const yuyvGeometry = { layout: PixelFormat.YUYV, width: WIDTH, height: HEIGHT, bytesPerLine: 0 };
  const transfer = new Uint8Array(YUYV_BYTES);
  const edgeYuyv = perFrame(total, (i) => {
    const at = (i % frames) * YUYV_BYTES;
    transfer.set(packedView(yuyv.subarray(at, at + YUYV_BYTES), yuyvGeometry)!);
    bridge.heap().set(transfer, srcPtr);
    const rc = bridge.exports.rtse_convert_to_i420(PixelFormat.YUYV, srcPtr, WIDTH, HEIGHT, dstPtr);
    if (rc !== 0) throw new Error(`conversion failed: ${rc}`);
  });

  // rtsp-edge, MJPEG: copy the JPEG out, decode it to I420 in WASM.
  const decoder = await JpegDecoder.create();
  const jpegGeometry = { layout: "jpeg" as const, width: WIDTH, height: HEIGHT, bytesPerLine: 0 };
  const edgeMjpeg = perFrame(total, (i) => {
    const jpeg = packedView(jpegs[i % jpegs.length], jpegGeometry)!;
    transfer.set(jpeg);
    decoder.decode(transfer.subarray(0, jpeg.length), { view: true });
  });
  decoder.close();

  // ffmpeg: the same conversion and decode, minus what reading the input costs it.
  const loop = ["-stream_loop", String(loops - 1)];
  const rawIn = [...loop, "-f", "rawvideo", "-pix_fmt", "yuyv422", "-s", `${WIDTH}x${HEIGHT}`];
  const convert = await ffmpegCpu([...rawIn, "-i", raw, "-pix_fmt", "yuv420p", "-f", "null", "-"]);
  const readOnly = await ffmpegCpu([...rawIn, "-i", raw, "-c", "copy", "-f", "null", "-"]);
  const decode = await ffmpegCpu([
    ...loop,
    "-f",
    "mjpeg",
    "-i",
    mjpeg,
    "-pix_fmt",
    "yuv420p",
    "-f",
    "null",
    "-",
  ]);
  const demux = await ffmpegCpu([
    ...loop,
    "-f",
    "mjpeg",
    "-i",
    mjpeg,
    "-c",
    "copy",
    "-f",
    "null",
    "-",
  ]);
  return [
    {
      path: "YUYV 4:2:2 → I420",
      edgeMs: edgeYuyv,
      ffmpegMs: ((convert - readOnly) * 1000) / total,
    },
    { path: "MJPEG 4:2:2 → I420", edgeMs: edgeMjpeg, ffmpegMs: ((decode - demux) * 1000) / total },
  ];
}
