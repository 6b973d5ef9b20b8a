// JpegRtpSink: a JPEG goes to RTP/JPEG parsed once (by the packetizer); only a refusal is looked at
// again, to tell a broken JPEG (400) from one RFC 2435 cannot carry (415).
import assert from "node:assert/strict";
import { FrameError, JpegRtpSink } from "../../src/encoder/frame_sinks.ts";
import { serve } from "../../src/server/server.ts";

const DATA = new URL("../testdata/mjpeg/", import.meta.url);

async function withJpegStream(run: (sink: JpegRtpSink, frames: () => number) => void) {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    const stream = server.addStream("/j", { codec: "jpeg" });
    run(new JpegRtpSink(stream), () => stream.stats.frames);
  } finally {
    await server.close();
  }
}

function refusal(run: () => void): FrameError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof FrameError, String(error));
    return error;
  }
  assert.fail("the frame was taken");
}

Deno.test("JpegRtpSink sends a baseline JPEG and answers 400 or 415 for the others, with why", async () => {
  const baseline = await Deno.readFile(new URL("yuv420_99x75.jpg", DATA));
  const progressive = await Deno.readFile(new URL("progressive_422_160x120.jpg", DATA));
  await withJpegStream((sink, frames) => {
    sink.frame(baseline, 0);
    assert.equal(frames(), 1);
    const truncated = refusal(() => sink.frame(baseline.subarray(0, baseline.length - 40), 1));
    assert.equal(truncated.status, 400);
    assert.match(truncated.message, /truncated JPEG/);
    const garbage = new Uint8Array([1, 2, 3, 4, 5, 0xff, 0xd9]);
    const notJpeg = refusal(() => sink.frame(garbage, 2));
    assert.equal(notJpeg.status, 400);
    assert.match(notJpeg.message, /not a JPEG/);
    const unsendable = refusal(() => sink.frame(progressive, 3));
    assert.equal(unsendable.status, 415);
    assert.match(unsendable.message, /RFC 2435/);
    assert.equal(frames(), 1);
  });
});
