import assert from "node:assert/strict";
import { JpegError } from "../../src/codec/jpeg.ts";
import { JpegDecoder } from "../../src/jpeg/jpeg_decoder.ts";
import { FILES, firstFrame, mutate, readData, seeded } from "./support.ts";

Deno.test("decode() under 400 seeded mutations throws only JpegError and stays usable", async () => {
  const decoder = await JpegDecoder.create();
  try {
    const sources = [
      firstFrame(FILES.yuv422),
      firstFrame(FILES.yuv420),
      firstFrame(FILES.yuv444),
      readData(FILES.gray),
      readData(FILES.odd),
      readData(FILES.yuv411),
      readData(FILES.rgb),
      readData(FILES.progressive),
    ];
    const good = sources[0];
    const expected = decoder.decode(good).data;
    const random = seeded(0x1cebe11);
    const outcomes = { decoded: 0, warned: 0, refused: 0 };
    for (let i = 0; i < 400; i++) {
      const input = mutate(sources[i % sources.length], random);
      try {
        const out = decoder.decode(input);
        assert.equal(out.data.length, out.width * out.height * 1.5);
        outcomes[out.warning === undefined ? "decoded" : "warned"]++;
      } catch (e) {
        assert.ok(e instanceof JpegError, `case ${i}: ${e}`);
        assert.ok(e.message.length > 0);
        outcomes.refused++;
      }
      if (i % 50 === 49) assert.deepEqual(decoder.decode(good).data, expected, `after case ${i}`);
    }
    assert.ok(outcomes.refused > 0 && outcomes.warned > 0, JSON.stringify(outcomes));
  } finally {
    decoder.close();
  }
});
