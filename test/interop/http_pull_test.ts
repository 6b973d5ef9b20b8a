// The HTTP camera source against a real MJPEG server: ffmpeg's mpjpeg muxer listening on HTTP,
// as `ffmpeg -f mpjpeg -listen 1 http://…` serves a camera's stream.
import assert from "node:assert/strict";
import * as net from "node:net";
import { probeJpeg } from "../../src/codec/jpeg.ts";
import { pullHttp } from "../../src/client/http_pull.ts";
import { argv, interopTest } from "./support.ts";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

interopTest(
  "pullHttp() takes ffmpeg's mpjpeg stream over HTTP: 320x240 JPEGs in order, then a clean end",
  ["ffmpeg"],
  async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/stream`;
    const ffmpeg = new Deno.Command("ffmpeg", {
      args: argv`-v error -re -f lavfi -i testsrc2=size=320x240:rate=10 -t 5 -c:v mjpeg
        -f mpjpeg -listen 1 ${url}`,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      const frames: { size: string; ts: number }[] = [];
      let ended!: (error: Error | undefined) => void;
      const end = new Promise<Error | undefined>((resolve) => (ended = resolve));
      const sink = {
        jpeg(jpeg: Uint8Array, ts: number) {
          const { width, height } = probeJpeg(jpeg);
          frames.push({ size: `${width}x${height}`, ts });
        },
        closed: (error: Error | undefined) => ended(error),
      };
      // ffmpeg listens a moment after it starts: retry the connection for a while.
      let session;
      for (let attempt = 0; !session; attempt++) {
        try {
          session = await pullHttp({ url }, sink);
        } catch (error) {
          // Only while nothing listens: ffmpeg serves one client, then exits.
          if (attempt > 50 || !/cannot connect/.test((error as Error).message)) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const error = await end;
      assert.equal(error, undefined, `the stream ended with ${error?.message}`);
      // 5 s at 10 fps, paced by -re: about 50 pictures, each one whole.
      assert.ok(frames.length >= 45 && frames.length <= 51, `${frames.length} frames`);
      assert.ok(frames.every((f) => f.size === "320x240"));
      for (let i = 1; i < frames.length; i++) assert.ok(frames[i].ts >= frames[i - 1].ts);
      const span = (frames[frames.length - 1].ts - frames[0].ts) / 1e6;
      assert.ok(span > 3.5 && span < 6, `paced over ${span} s`);
      await session.close();
    } finally {
      try {
        ffmpeg.kill();
      } catch { /* already gone */ }
      await ffmpeg.status;
      await ffmpeg.stderr.cancel().catch(() => {});
    }
  },
);
