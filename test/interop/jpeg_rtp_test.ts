/**
 * RTP/JPEG (RFC 2435) streams read by ffmpeg (over TCP and UDP) and GStreamer (rtpjpegdepay and
 * jpegdec), fed JPEGs the way an ESP32-CAM or OpenMV board would push them: 15 pictures a second.
 *
 * ffmpeg's MJPEG encoder writes 4:2:2 as Y 2x2 with 1x2 chroma, a layout RFC 2435 has no type for
 * (ffmpeg's own rtpenc_jpeg refuses it too), so real 4:2:2 (Y 2x1) pictures come from cjpeg, which
 * also makes the restart-interval case.
 */

import assert from "node:assert/strict";
import { serve } from "../../mod.ts";
import {
  argv,
  assertGstDecoded,
  interopTest,
  run,
  teardownCounter,
  withTempDir,
} from "./support.ts";

const FPS = 15;
const FRAMES = 30;

interface Source {
  name: string;
  /**
   * The size clients decode: RTP/JPEG carries it in 8-pixel blocks, rounded up, and neither
   * ffmpeg nor GStreamer crops it back (GStreamer reads a=x-dimensions only for sides above 2040).
   */
  size: [number, number];
  make(dir: string): Promise<Uint8Array[]>;
  tools: string[];
}

async function ffmpegJpegs(dir: string, size: string, pixFmt: string): Promise<Uint8Array[]> {
  const r = await run(
    "ffmpeg",
    argv`-v error -f lavfi -i testsrc2=size=${size}:rate=${FPS} -frames:v ${FRAMES} -c:v mjpeg
      -huffman default -pix_fmt ${pixFmt} -f image2 ${dir}/f%03d.jpg`,
  );
  if (r.code !== 0) throw new Error(`ffmpeg could not make JPEGs: ${r.stderr}`);
  return await readFrames(dir, ".jpg");
}

async function cjpegJpegs(dir: string, size: string, cjpegArgs: string[]): Promise<Uint8Array[]> {
  const r = await run(
    "ffmpeg",
    argv`-v error -f lavfi -i testsrc2=size=${size}:rate=${FPS} -frames:v ${FRAMES}
      -c:v ppm -f image2 ${dir}/f%03d.ppm`,
  );
  if (r.code !== 0) throw new Error(`ffmpeg could not make pictures: ${r.stderr}`);
  for (let i = 1; i <= FRAMES; i++) {
    const name = `${dir}/f${String(i).padStart(3, "0")}`;
    const c = await run("cjpeg", [...cjpegArgs, "-outfile", `${name}.jpg`, `${name}.ppm`]);
    if (c.code !== 0) throw new Error(`cjpeg failed: ${c.stderr}`);
  }
  return await readFrames(dir, ".jpg");
}

async function readFrames(dir: string, ext: string): Promise<Uint8Array[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(ext)) names.push(e.name);
  names.sort();
  return await Promise.all(names.map((n) => Deno.readFile(`${dir}/${n}`)));
}

const SOURCES: Source[] = [
  {
    name: "ffmpeg 4:2:0 (yuvj420p, -huffman default) 320x240",
    size: [320, 240],
    make: (dir) => ffmpegJpegs(dir, "320x240", "yuvj420p"),
    tools: ["ffmpeg"],
  },
  {
    name: "cjpeg 4:2:2 (Y 2x1) 320x240",
    size: [320, 240],
    make: (dir) => cjpegJpegs(dir, "320x240", ["-sample", "2x1", "-quality", "80"]),
    tools: ["ffmpeg", "cjpeg"],
  },
  {
    name: "cjpeg 4:2:0 with restart markers at 300x170",
    size: [304, 176],
    make: (dir) => cjpegJpegs(dir, "300x170", ["-restart", "1", "-quality", "80"]),
    tools: ["ffmpeg", "cjpeg"],
  },
];

/** A server on loopback sending `jpegs` in a loop at 15 fps on a "jpeg" stream at /cam. */
async function startJpegServer(jpegs: Uint8Array[], logger = teardownCounter().logger) {
  const server = await serve({ port: 0, hostname: "127.0.0.1", logger });
  const stream = server.addStream("/cam", { codec: "jpeg", framerate: FPS });
  let i = 0;
  const send = () => {
    assert.equal(stream.sendFrame(jpegs[i % jpegs.length], { timestamp: (i * 1e6) / FPS }), true);
    i++;
  };
  send();
  const timer = setInterval(send, 1000 / FPS);
  return {
    url: server.url("/cam"),
    async close() {
      clearInterval(timer);
      await server.close();
    },
  };
}

for (const source of SOURCES) {
  for (const transport of ["tcp", "udp"]) {
    interopTest(
      `ffmpeg over ${transport} decodes ${FRAMES} RTP/JPEG frames of ${source.name} without error`,
      source.tools,
      () =>
        withTempDir(async (dir) => {
          const s = await startJpegServer(await source.make(dir));
          try {
            const r = await run(
              "ffmpeg",
              argv`-v error -xerror -rtsp_transport ${transport} -i ${s.url} -frames:v ${FRAMES}
                -vf format=gray -f framecrc -`,
              60_000,
            );
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stderr.trim(), "");
            const sizes = r.stdout.split("\n").filter((l) => /^\d+,/.test(l)).map((l) =>
              Number(l.split(",")[4])
            );
            assert.equal(sizes.length, FRAMES);
            const [w, h] = source.size;
            assert.ok(
              sizes.every((n) => n === w * h),
              `frames of ${sizes[0]} bytes, not ${w}x${h}`,
            );
          } finally {
            await s.close();
          }
        }),
    );
  }

  interopTest(
    `GStreamer rtspsrc ! rtpjpegdepay ! jpegdec decodes RTP/JPEG frames of ${source.name}`,
    ["gst-launch-1.0", ...source.tools],
    () =>
      withTempDir(async (dir) => {
        const teardowns = teardownCounter();
        const s = await startJpegServer(await source.make(dir), teardowns.logger);
        try {
          // The caps filter fails the pipeline if the decoded pictures have any other size.
          const r = await run("gst-launch-1.0", [
            ...argv`rtspsrc location=${s.url} latency=0 ! rtpjpegdepay ! jpegdec !`,
            `video/x-raw,width=${source.size[0]},height=${source.size[1]}`,
            ...argv`! fakesink num-buffers=${FRAMES}`,
          ], 60_000);
          assertGstDecoded(
            { ...r, eos: /Got EOS from element "pipeline0"/.test(r.stdout) },
            teardowns.count(),
          );
        } finally {
          await s.close();
        }
      }),
  );
}

interopTest(
  "ffmpeg's own 4:2:2 JPEGs (Y 2x2, chroma 1x2) are refused: RFC 2435 has no type for them",
  ["ffmpeg"],
  () =>
    withTempDir(async (dir) => {
      const jpegs = await ffmpegJpegs(dir, "320x240", "yuvj422p");
      const server = await serve({ port: 0, hostname: "127.0.0.1", logger: { log() {} } });
      try {
        const stream = server.addStream("/cam", { codec: "jpeg", framerate: FPS });
        assert.ok(jpegs.every((jpeg) => stream.sendFrame(jpeg) === false));
        assert.equal(stream.stats.rejectedFrames, jpegs.length);
      } finally {
        await server.close();
      }
    }),
);
