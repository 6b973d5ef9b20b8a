import assert from "node:assert/strict";
import { sniffKind, sniffStream } from "../../src/source/sniff.ts";

const enc = new TextEncoder();

Deno.test("sniffKind() tells Y4M and Annex B H.264 apart, and knows neither of anything else", () => {
  assert.equal(sniffKind(enc.encode("YUV4MPEG2 W640 H480")), "y4m");
  assert.equal(sniffKind(new Uint8Array([0, 0, 0, 1, 0x67, 0x42])), "h264");
  assert.equal(sniffKind(new Uint8Array([0, 0, 1, 0x09, 0x10])), "h264");
  assert.equal(sniffKind(new Uint8Array([0, 1, 0x67])), undefined);
  assert.equal(sniffKind(enc.encode("GIF89a")), undefined);
  assert.equal(sniffKind(new Uint8Array(0)), undefined);
});

Deno.test("sniffStream() loses no byte of what it read to decide", async () => {
  async function* chunks() {
    yield new Uint8Array([0, 0]);
    yield new Uint8Array([0, 1, 0x67]);
    yield new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    yield new Uint8Array([13, 14]);
  }
  const { kind, chunks: rest } = await sniffStream(chunks());
  assert.equal(kind, "h264");
  const all: number[] = [];
  for await (const c of rest) all.push(...c);
  assert.deepEqual(all, [0, 0, 0, 1, 0x67, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
});
