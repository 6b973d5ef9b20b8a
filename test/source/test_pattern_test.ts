import assert from "node:assert/strict";
import { PixelFormat } from "../../src/codec/raw_frame.ts";
import { TestPattern } from "../../src/source/test_pattern.ts";

Deno.test("the test pattern is I420 of the asked size, in one reused buffer", () => {
  const p = new TestPattern({ width: 640, height: 360 });
  const a = p.draw(0, 0, 0);
  assert.equal(a.format, PixelFormat.I420);
  assert.equal(a.data.length, 640 * 360 * 1.5);
  assert.equal(p.draw(1, 0, 33_333).data, a.data);
});

Deno.test("the frame counter and the clock change the picture; the box moves", () => {
  const p = new TestPattern({ width: 640, height: 360 });
  const band = (f: Uint8Array) => f.slice(0, 640 * 100);
  const first = band(p.draw(1, Date.UTC(2026, 0, 1, 0, 0, 0), 0).data);
  const counted = band(p.draw(2, Date.UTC(2026, 0, 1, 0, 0, 0), 0).data);
  const later = band(p.draw(1, Date.UTC(2026, 0, 1, 0, 0, 1), 0).data);
  assert.notDeepEqual(first, counted);
  assert.notDeepEqual(first, later);
  const middleRow = (f: Uint8Array) => f.slice(180 * 640, 181 * 640);
  assert.notDeepEqual(middleRow(p.draw(0, 0, 0).data), middleRow(p.draw(30, 0, 0).data));
});

Deno.test("the test pattern refuses sizes H.264 4:2:0 cannot carry", () => {
  assert.throws(
    () => new TestPattern({ width: 641, height: 360 }),
    /width must be an even integer/,
  );
  assert.throws(() => new TestPattern({ width: 0, height: 360 }), RangeError);
});
