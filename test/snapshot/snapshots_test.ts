/**
 * Snapshots against a real server: an H.264 path fed by the project's encoder (compared with
 * ffmpeg's own read of the stream), a JPEG path, the width option, warm and idle paths, and the
 * errors with their HTTP statuses. No timing asserts: timeouts are generous, latencies only logged.
 */

import assert from "node:assert/strict";
import { serve } from "../../mod.ts";
import { packedI420 } from "../../src/codec/i420_picture.ts";
import { JpegDecoder } from "../../src/jpeg/jpeg_decoder.ts";
import { JpegEncoder } from "../../src/jpeg/jpeg_encoder.ts";
import { SnapshotError, Snapshots } from "../../src/snapshot/snapshots.ts";
import { interopTest } from "../interop/support.ts";
import { compare, FILES, firstFrame } from "../jpeg/support.ts";
import { eventually, ffmpegRtspFrame, repeatedJpeg, staticBars } from "./support.ts";

const SLOW = { timeoutMs: 30_000 }; // a busy 2-core machine may take long to start the encoder

function status(code: number) {
  return (error: unknown) => error instanceof SnapshotError && error.status === code;
}

interopTest("a snapshot of an H.264 path is its picture (PSNR >= 30 dB against ffmpeg)", [
  "ffmpeg",
], async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  const source = await staticBars(server, "/bars", 640, 360);
  const snapshots = new Snapshots({ server });
  const decoder = await JpegDecoder.create();
  try {
    let t0 = performance.now();
    const jpeg = await snapshots.take("/bars", SLOW);
    console.log(`first snapshot: ${(performance.now() - t0).toFixed(0)} ms`);
    const picture = decoder.decode(jpeg);
    assert.deepEqual([picture.width, picture.height], [640, 360]);
    const reference = await ffmpegRtspFrame(server.url("/bars"));
    const { psnr } = compare(picture.data, reference);
    assert.ok(psnr >= 30, `PSNR ${psnr.toFixed(2)} dB`);

    t0 = performance.now();
    const again = await snapshots.take("/bars", SLOW);
    console.log(`warm snapshot: ${(performance.now() - t0).toFixed(0)} ms`);
    assert.ok(compare(decoder.decode(again).data, reference).psnr >= 30);
    assert.deepEqual(snapshots.watchedPaths, ["/bars"]);

    const small = decoder.decode(await snapshots.take("/bars", { ...SLOW, width: 320 }));
    assert.deepEqual([small.width, small.height], [320, 180]);
    const odd = decoder.decode(await snapshots.take("/bars", { ...SLOW, width: 101 }));
    assert.deepEqual([odd.width, odd.height], [100, 56]);
    const big = decoder.decode(await snapshots.take("/bars", { ...SLOW, width: 4000 }));
    assert.deepEqual([big.width, big.height], [640, 360], "never scaled up");
  } finally {
    decoder.close();
    await snapshots.close();
    await source.stop();
    await server.close();
  }
});

Deno.test({
  name: "a JPEG path is answered with its JPEG, or decoded and scaled for a width",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await serve({ port: 0, hostname: "127.0.0.1" });
    const decoder = await JpegDecoder.create();
    // A camera frame as our encoder writes it: baseline with the standard Huffman tables, which
    // RTP/JPEG can carry (the recorded ffmpeg file has optimised tables, which it cannot).
    const camera = decoder.decode(firstFrame(FILES.yuv420));
    const encoder = await JpegEncoder.create();
    const original = encoder.encode(packedI420(camera.data, camera.width, camera.height));
    encoder.close();
    const source = repeatedJpeg(server, "/mjpeg", original);
    const snapshots = new Snapshots({ server });
    try {
      const want = decoder.decode(original);
      const jpeg = await snapshots.take("/mjpeg", SLOW);
      const got = decoder.decode(jpeg);
      assert.deepEqual([got.width, got.height], [160, 120]);
      // Rebuilt from RTP/JPEG (RFC 2435 headers), the same scan: the same picture.
      assert.equal(compare(got.data, want.data).psnr, Infinity);
      const scaled = decoder.decode(await snapshots.take("/mjpeg", { ...SLOW, width: 80 }));
      assert.deepEqual([scaled.width, scaled.height], [80, 60]);
    } finally {
      decoder.close();
      await snapshots.close();
      await source.stop();
      await server.close();
    }
  },
});

Deno.test({
  name: "errors carry their HTTP status: 400 bad width, 404 no path, 503 no picture",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await serve({ port: 0, hostname: "127.0.0.1" });
    server.addStream("/silent", { codec: "h264" });
    const snapshots = new Snapshots({ server });
    try {
      for (const width of [0, 1, 1.5, -2, 100_000, NaN]) {
        await assert.rejects(snapshots.take("/silent", { width }), status(400));
      }
      await assert.rejects(snapshots.take("/nothing"), status(404));
      await assert.rejects(snapshots.take("/silent", { timeoutMs: 300 }), status(503));
      const stream = server.getStream("/silent")!;
      stream.sourceGone("camera unplugged");
      await assert.rejects(snapshots.take("/silent"), (e: SnapshotError) => {
        return e.status === 503 && /camera unplugged/.test(e.message);
      });
      // A stream removed while a snapshot waits ends it with 503, and the path is then 404.
      server.addStream("/going", { codec: "h264" });
      const waiting = snapshots.take("/going", { timeoutMs: 30_000 });
      server.removeStream("/going");
      await assert.rejects(waiting, status(503));
      await assert.rejects(snapshots.take("/going"), status(404));
    } finally {
      await snapshots.close();
      await server.close();
    }
    await assert.rejects(snapshots.take("/silent"), status(503));
  },
});

Deno.test({
  name: "idle paths close; at most maxPaths are watched; the in-thread backend works",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await serve({ port: 0, hostname: "127.0.0.1" });
    const a = await staticBars(server, "/a", 160, 120);
    const b = await staticBars(server, "/b", 160, 120);
    const snapshots = new Snapshots({ server, maxPaths: 1, idleMs: 300, worker: false });
    const decoder = await JpegDecoder.create();
    try {
      assert.equal(decoder.decode(await snapshots.take("/a", SLOW)).width, 160);
      assert.deepEqual(snapshots.watchedPaths, ["/a"]);
      assert.equal(decoder.decode(await snapshots.take("/b", SLOW)).width, 160);
      assert.deepEqual(snapshots.watchedPaths, ["/b"], "the idle /a made room for /b");
      assert.ok(await eventually(() => snapshots.watchedPaths.length === 0), "still watched");
      assert.equal(server.getStream("/b")!.readerCount, 0, "the tap is closed");
    } finally {
      decoder.close();
      await snapshots.close();
      await a.stop();
      await b.stop();
      await server.close();
    }
  },
});
