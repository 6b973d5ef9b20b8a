import assert from "node:assert/strict";
import { frameSize, PixelFormat, type RawFrame } from "../../src/codec/raw_frame.ts";
import { openRawSource, playRawFrames } from "../../src/source/raw_source.ts";

async function collect(
  path: string,
  container: Parameters<typeof openRawSource>[0]["container"],
  n: number,
) {
  const { info, frames } = await openRawSource({ path, container, fps: 50 });
  const out: RawFrame[] = [];
  const abort = new AbortController();
  await playRawFrames(frames(), info, (f) => {
    out.push({ ...f, data: f.data.slice() });
    if (out.length === n) abort.abort();
  }, abort.signal);
  return { info, out };
}

Deno.test("headerless frames are cut at the frame size and the file loops", async () => {
  const size = frameSize(PixelFormat.YUYV, 32, 16);
  const file = await Deno.makeTempFile();
  const bytes = new Uint8Array(size * 3);
  for (let i = 0; i < 3; i++) bytes.fill(i + 1, i * size, (i + 1) * size);
  await Deno.writeFile(file, bytes);
  try {
    const { info, out } = await collect(
      file,
      { format: PixelFormat.YUYV, width: 32, height: 16 },
      7,
    );
    assert.equal(info.format, PixelFormat.YUYV);
    assert.deepEqual(out.map((f) => f.data[0]), [1, 2, 3, 1, 2, 3, 1]);
    const steps = out.slice(1).map((f, i) => f.timestamp - out[i].timestamp);
    assert.ok(steps.every((d) => Math.abs(d - 20_000) < 1), `timestamps ${steps}`);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("a Y4M file gives its size, rate and frames, looped", async () => {
  const file = await Deno.makeTempFile({ suffix: ".y4m" });
  const frame = new Uint8Array(16 * 16 * 1.5);
  const head = new TextEncoder().encode("YUV4MPEG2 W16 H16 F25:1 C420\nFRAME\n");
  const tail = new TextEncoder().encode("FRAME\n");
  const bytes = new Uint8Array([...head, ...frame.fill(9), ...tail, ...frame.fill(8)]);
  await Deno.writeFile(file, bytes);
  try {
    const { info, out } = await collect(file, "y4m", 5);
    assert.deepEqual([info.width, info.height, info.format], [16, 16, PixelFormat.I420]);
    assert.deepEqual(out.map((f) => f.data[0]), [9, 8, 9, 8, 9]);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("a file that is not Y4M says so", async () => {
  const file = await Deno.makeTempFile({ suffix: ".y4m" });
  await Deno.writeTextFile(file, "hello\n");
  try {
    await assert.rejects(openRawSource({ path: file, container: "y4m" }), /not a YUV4MPEG2 stream/);
  } finally {
    await Deno.remove(file);
  }
});
