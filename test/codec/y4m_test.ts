import assert from "node:assert/strict";
import { CodecError } from "../../src/codec/h264.ts";
import { parseY4mHeader, Y4mParser } from "../../src/codec/y4m.ts";

const enc = new TextEncoder();

function stream(
  frames: number,
  w = 16,
  h = 16,
  header = `YUV4MPEG2 W${w} H${h} F30000:1001 Ip A1:1 C420jpeg XYSCSS=420JPEG`,
) {
  const size = (w * h * 3) / 2;
  const parts = [enc.encode(header + "\n")];
  for (let i = 0; i < frames; i++) {
    parts.push(enc.encode(i % 2 ? "FRAME Ixyz\n" : "FRAME\n"), new Uint8Array(size).fill(i + 1));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("parseY4mHeader() reads size, rate and colour space as ffmpeg writes them", () => {
  const h = parseY4mHeader("YUV4MPEG2 W1280 H720 F30000:1001 Ip A1:1 C420jpeg XYSCSS=420JPEG");
  assert.deepEqual(h, {
    width: 1280,
    height: 720,
    fps: 30000 / 1001,
    colorspace: "420",
    frameBytes: 1280 * 720 * 1.5,
  });
  assert.equal(parseY4mHeader("YUV4MPEG2 W64 H32 Cmono").frameBytes, 64 * 32);
  assert.equal(parseY4mHeader("YUV4MPEG2 W64 H32").fps, 30);
});

Deno.test("parseY4mHeader() refuses what the encoder cannot take, saying how to convert", () => {
  assert.throws(() => parseY4mHeader("YUV4MPEG2 W64 H32 C444"), /C444 is not supported; use 4:2:0/);
  assert.throws(() => parseY4mHeader("YUV4MPEG2 W64 H32 It"), /interlaced/);
  assert.throws(() => parseY4mHeader("YUV4MPEG2 W63 H32"), /width must be an even number/);
  assert.throws(() => parseY4mHeader("YUV4MPEG2 H32"), CodecError);
  assert.throws(() => parseY4mHeader("GIF89a"), /not a YUV4MPEG2 stream/);
});

Deno.test("Y4mParser gives the same frames whatever the chunk boundaries", () => {
  const bytes = stream(3);
  const whole = new Y4mParser().push(bytes);
  assert.equal(whole.length, 3);
  assert.deepEqual(whole.map((f) => f[0]), [1, 2, 3]);
  for (let cut = 1; cut < bytes.length; cut += 7) {
    const p = new Y4mParser();
    const got = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut))];
    assert.deepEqual(got, whole, `cut at ${cut}`);
  }
  const p = new Y4mParser();
  const byByte = [];
  for (let i = 0; i < bytes.length; i++) byByte.push(...p.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(byByte, whole);
});

Deno.test("Y4mParser fails on a frame without FRAME and on an endless header line", () => {
  const bad = enc.encode("YUV4MPEG2 W16 H16\nJUNK\n");
  assert.throws(() => new Y4mParser().push(bad), /does not start with FRAME/);
  assert.throws(
    () => new Y4mParser().push(new Uint8Array(5000).fill(0x41)),
    /header line too long/,
  );
});
