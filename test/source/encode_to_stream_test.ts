import assert from "node:assert/strict";
import type { Frame } from "../../src/server/stream/frame.ts";
import type { Stream } from "../../src/server/stream/stream.ts";
import { serve } from "../../src/server/server.ts";
import { encodeToStream } from "../../src/source/encode_to_stream.ts";
import { TestPattern } from "../../src/source/test_pattern.ts";

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(condition(), `timed out waiting for ${what}`);
}

Deno.test("encodeToStream() serves pushed frames as H.264 and gives a joining reader a keyframe", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  const encoded = await encodeToStream(server, "/enc", {
    width: 64,
    height: 48,
    fps: 25,
    bitrate: 100_000,
    gop: 250,
  });
  try {
    assert.equal(server.getStream("/enc"), encoded.stream);
    const pattern = new TestPattern({ width: 64, height: 48 });
    let index = 0;
    const pushOne = async () => {
      const before = encoded.stream.stats.frames;
      encoded.push(pattern.draw(index, 0, index * 40_000));
      index++;
      await until(() => encoded.stream.stats.frames > before, `frame ${index}`);
    };
    for (let i = 0; i < 3; i++) await pushOne();
    assert.deepEqual(encoded.stream.videoInfo, { width: 64, height: 48, framerate: 25 });
    const seen: Frame[] = [];
    // A reader joins in the middle of a 250-frame GOP: the encoder is asked for a keyframe at once.
    (encoded.stream as Stream).attach({ deliver: (frame: Frame) => void seen.push(frame) });
    seen.length = 0; // the cached group of pictures it got first
    await pushOne();
    assert.equal(seen.at(-1)?.keyframe, true, "the frame after the join is an IDR");
    await pushOne();
    assert.equal(seen.at(-1)?.keyframe, false);
    const { memory, ...counts } = encoded.stats;
    assert.deepEqual(counts, { encoded: 5, dropped: 0, failed: 0 });
    assert.ok(memory!.wasmBytes > 0, "the encoder tells its WebAssembly memory");
  } finally {
    await encoded.close();
    await server.close();
  }
});

Deno.test("encodeToStream() with settings the encoder refuses throws and leaves no stream", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    await assert.rejects(
      encodeToStream(server, "/enc", { width: 63, height: 48 }),
      { name: "RangeError", message: /width must be an even integer/ },
    );
    assert.equal(server.getStream("/enc"), undefined);
  } finally {
    await server.close();
  }
});
