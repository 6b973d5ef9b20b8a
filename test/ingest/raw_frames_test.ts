import assert from "node:assert/strict";
import { deflateSync, gzipSync, zlibSync } from "fflate";
import {
  Decompressor,
  inflateLoaded,
  loadInflate,
  RawFrameSplitter,
} from "../../src/ingest/raw_frames.ts";
import { IngestError } from "../../src/ingest/errors.ts";
import { concat, everySplit, pieces, seededRandom, thrown } from "./_parser_helpers.ts";

// fflate is imported at the first compressed body, not with the module (an idle ingest port does
// not hold it); test/ingest/compressed_body_test.ts covers a device's first compressed body.
await loadInflate();

Deno.test("loadInflate has imported fflate", () => {
  assert.ok(inflateLoaded());
});

function frames(count: number, size: number): Uint8Array {
  const random = seededRandom(7);
  const out = new Uint8Array(count * size);
  // Compressible but not trivial: runs of random bytes.
  for (let i = 0; i < out.length; i++) out[i] = i % 16 === 0 ? (random() * 256) | 0 : out[i - 1];
  return out;
}

function inflateAll(encoding: "deflate" | "gzip", chunks: Uint8Array[], max = 1 << 24): Uint8Array {
  const d = new Decompressor(encoding, max);
  const out: Uint8Array[] = [];
  for (const c of chunks) out.push(...d.push(c));
  out.push(...d.end());
  return concat(...out);
}

function ingestError(fn: () => unknown): IngestError {
  const e = thrown(fn);
  assert.ok(e instanceof IngestError, `expected an IngestError, got ${e}`);
  return e;
}

Deno.test("RawFrameSplitter cuts back-to-back frames at every split point", () => {
  const data = frames(3, 10);
  for (const [a, b] of everySplit(data)) {
    const splitter = new RawFrameSplitter(10);
    const out = [...splitter.push(a), ...splitter.push(b)];
    assert.deepEqual(out, [data.subarray(0, 10), data.subarray(10, 20), data.subarray(20, 30)]);
    assert.equal(splitter.pending, 0);
  }
});

Deno.test("RawFrameSplitter reports the bytes of an incomplete frame as pending", () => {
  const splitter = new RawFrameSplitter(4);
  assert.deepEqual(splitter.push(new Uint8Array(6)).length, 1);
  assert.equal(splitter.pending, 2);
  assert.deepEqual(splitter.push(new Uint8Array(0)), []);
  assert.equal(splitter.pending, 2);
});

Deno.test("RawFrameSplitter returns fresh frames that do not change when the input is reused", () => {
  const input = new Uint8Array(8).fill(1);
  const splitter = new RawFrameSplitter(4);
  const out = splitter.push(input);
  input.fill(9);
  assert.deepEqual(out, [new Uint8Array(4).fill(1), new Uint8Array(4).fill(1)]);
  assert.notEqual(out[0].buffer, out[1].buffer);
});

Deno.test("RawFrameSplitter rejects a frame size that is not a positive integer", () => {
  assert.throws(() => new RawFrameSplitter(0), RangeError);
  assert.throws(() => new RawFrameSplitter(1.5), RangeError);
});

Deno.test("Decompressor inflates a zlib (Content-Encoding: deflate) body fed in any pieces", () => {
  const data = frames(20, 1000);
  const body = zlibSync(data);
  for (const size of [1, 2, 3, 100, 4096, body.length]) {
    assert.deepEqual(inflateAll("deflate", pieces(body, size)), data, `pieces of ${size}`);
  }
});

Deno.test("Decompressor inflates raw DEFLATE labelled deflate, as browsers tolerate", () => {
  const data = frames(5, 1000);
  assert.deepEqual(inflateAll("deflate", pieces(deflateSync(data), 1)), data);
  assert.deepEqual(inflateAll("deflate", [deflateSync(data)]), data);
});

Deno.test("Decompressor inflates gzip bodies, including several concatenated members", () => {
  const a = frames(5, 1000);
  const b = frames(3, 700).reverse();
  assert.deepEqual(inflateAll("gzip", pieces(gzipSync(a), 7)), a);
  assert.deepEqual(inflateAll("gzip", [concat(gzipSync(a), gzipSync(b))]), concat(a, b));
});

Deno.test("Decompressor gives the same output for every split of a small body", () => {
  const data = frames(2, 50);
  for (const encoding of ["deflate", "gzip"] as const) {
    const body = encoding === "gzip" ? gzipSync(data) : zlibSync(data);
    for (const [a, b] of everySplit(body)) {
      assert.deepEqual(inflateAll(encoding, [a, b]), data, `${encoding} split at ${a.length}`);
    }
  }
});

Deno.test("Decompressor refuses a zip bomb with 413 before inflating all of it", () => {
  const bomb = zlibSync(new Uint8Array(64 << 20)); // 64 MiB of zeros, about 64 KiB compressed
  const d = new Decompressor("deflate", 1 << 20);
  const started = performance.now();
  const e = ingestError(() => d.push(bomb));
  assert.equal(e.status, 413);
  // It stopped near the cap instead of inflating 64 MiB first.
  assert.ok(performance.now() - started < 2000);
  assert.equal(ingestError(() => d.push(new Uint8Array(1))), e);
});

Deno.test("Decompressor allows output up to the cap in one call", () => {
  const data = new Uint8Array(100_000);
  assert.equal(inflateAll("gzip", [gzipSync(data)], 100_000).length, 100_000);
  assert.equal(ingestError(() => inflateAll("gzip", [gzipSync(data)], 99_999)).status, 413);
});

Deno.test("Decompressor answers 400 to corrupt and truncated bodies", () => {
  const body = zlibSync(frames(4, 1000));
  const corrupt = body.slice();
  corrupt.fill(0xff, 10, 30);
  assert.equal(ingestError(() => inflateAll("deflate", [corrupt])).status, 400);
  assert.equal(
    ingestError(() => inflateAll("deflate", [body.subarray(0, body.length / 2)])).status,
    400,
  );
  assert.equal(ingestError(() => inflateAll("gzip", [Uint8Array.of(1, 2, 3, 4, 5)])).status, 400);
  assert.equal(
    ingestError(() => inflateAll("gzip", [gzipSync(frames(1, 9)).subarray(0, 5)])).status,
    400,
  );
  assert.equal(ingestError(() => inflateAll("deflate", [Uint8Array.of(0x78)])).status, 400);
});

Deno.test("Decompressor returns nothing for an empty body and refuses data after end()", () => {
  const d = new Decompressor("gzip", 100);
  assert.deepEqual(d.end(), []);
  assert.equal(ingestError(() => d.push(Uint8Array.of(1))).status, 400);
});

Deno.test("Decompressor never modifies or keeps the bytes pushed", () => {
  const data = frames(3, 500);
  const body = gzipSync(data);
  const chunks = pieces(body.slice(), 3);
  const copies = chunks.map((c) => c.slice());
  const d = new Decompressor("gzip", 1 << 20);
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    out.push(...d.push(c));
    assert.deepEqual(c, copies[chunks.indexOf(c)]);
    c.fill(0); // the caller reuses its buffer at once
  }
  out.push(...d.end());
  assert.deepEqual(concat(...out), data);
});

Deno.test("Decompressor rejects an unknown encoding and a cap that is not a positive integer", () => {
  assert.throws(() => new Decompressor("br" as "gzip", 10), RangeError);
  assert.throws(() => new Decompressor("gzip", 0), RangeError);
});

Deno.test("Decompressor notices a body cut at any point, which fflate alone does not", () => {
  const data = frames(4, 300);
  const bodies = { zlib: zlibSync(data), raw: deflateSync(data), gzip: gzipSync(data) };
  for (const [name, body] of Object.entries(bodies)) {
    const encoding = name === "gzip" ? "gzip" : "deflate";
    for (let cut = 1; cut < body.length; cut++) {
      const e = thrown(() => inflateAll(encoding, [body.subarray(0, cut)]));
      assert.ok(e instanceof IngestError && e.status === 400, `${name} cut at ${cut}`);
    }
  }
});

Deno.test("Decompressor refuses bytes after the zlib or gzip trailer", () => {
  const data = frames(2, 100);
  for (const body of [zlibSync(data), gzipSync(data)]) {
    const encoding = body[0] === 0x1f ? "gzip" : "deflate";
    const e = thrown(() => inflateAll(encoding, [concat(body, Uint8Array.of(0, 0, 0, 0, 0, 0))]));
    assert.ok(e instanceof IngestError && e.status === 400, encoding);
  }
});
