import assert from "node:assert/strict";
import {
  alawDecode,
  alawEncode,
  decodeG711,
  decodeG711ToL16,
  encodeG711,
  encodeG711FromL16,
  G711_SEGMENT_SEARCH,
  ulawDecode,
  ulawEncode,
} from "../../src/codec/g711.ts";

/** Every 16-bit sample, -32768..32767. */
const ALL = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

Deno.test("ulawEncode() and alawEncode() give G.711's codes for silence and full scale", () => {
  // G.711 Table 2a: µ-law codes are sent inverted, so +0 is 0xFF and -0 (one's complement) 0x7F.
  assert.equal(ulawEncode(0), 0xff);
  assert.equal(ulawEncode(-1), 0x7f);
  assert.equal(ulawEncode(32767), 0x80);
  assert.equal(ulawEncode(-32768), 0x00);
  // G.711 Table 1a: A-law inverts the even bits, so +0 is 0xD5 and -0 0x55.
  assert.equal(alawEncode(0), 0xd5);
  assert.equal(alawEncode(-1), 0x55);
  assert.equal(alawEncode(32767), 0xaa);
  assert.equal(alawEncode(-32768), 0x2a);
});

Deno.test("ulawDecode() and alawDecode() give each interval's midpoint, as G.191 does", () => {
  assert.equal(ulawDecode(0xff), 0);
  assert.equal(ulawDecode(0x7f), 0);
  assert.equal(ulawDecode(0x80), 32124);
  assert.equal(ulawDecode(0x00), -32124);
  assert.equal(ulawDecode(0xf0), 120); // segment 0, mantissa 15: 128 + 15·8 + 4 - 132
  assert.equal(ulawDecode(0xef), 132); // segment 1, mantissa 0: 256 + 8 - 132
  assert.equal(ulawDecode(0xce), 988);
  assert.equal(alawDecode(0xd5), 8);
  assert.equal(alawDecode(0x55), -8);
  assert.equal(alawDecode(0xd4), 24);
  assert.equal(alawDecode(0xaa), 32256);
  assert.equal(alawDecode(0x2a), -32256);
  assert.equal(ulawDecode(0x1ff), ulawDecode(0xff), "only the low 8 bits count");
});

Deno.test("the encoders' tables agree with the reference segment search for all 65536 samples", () => {
  for (const x of ALL) {
    if (ulawEncode(x) !== G711_SEGMENT_SEARCH.ulaw(x)) assert.fail(`µ-law of ${x}`);
    if (alawEncode(x) !== G711_SEGMENT_SEARCH.alaw(x)) assert.fail(`A-law of ${x}`);
  }
});

/** µ-law: the interval of a code is 8 << exponent wide (16-bit units). */
function ulawStep(code: number): number {
  return 8 << ((~code >> 4) & 7);
}

/** A-law: 16 in segments 0 and 1, doubling in each one above. */
function alawStep(code: number): number {
  const exponent = ((code ^ 0x55) >> 4) & 7;
  return exponent <= 1 ? 16 : 16 << (exponent - 1);
}

Deno.test("decode(encode(x)) is within half a step of x for every 16-bit sample", () => {
  for (const x of ALL) {
    const u = ulawEncode(x);
    const uError = Math.abs(ulawDecode(u) - x);
    // µ-law clips at 32635 (8159 in 14-bit units, G.711 Table 2a's last decision value).
    if (Math.abs(x) <= 32635 || (x < 0 && -x - 1 <= 32635)) {
      if (uError > ulawStep(u) / 2) assert.fail(`µ-law ${x} → ${ulawDecode(u)}`);
    } else if (u !== (x > 0 ? 0x80 : 0x00)) assert.fail(`µ-law ${x} clips to full scale`);
    const a = alawEncode(x);
    if (Math.abs(alawDecode(a) - x) > alawStep(a) / 2) assert.fail(`A-law ${x} → ${alawDecode(a)}`);
  }
});

Deno.test("encode(decode(c)) gives c back for every code but negative zero", () => {
  for (let c = 0; c < 256; c++) {
    // µ-law 0x7F (-0) decodes to 0, which encodes as +0 (0xFF); every other code is its own.
    assert.equal(ulawEncode(ulawDecode(c)), c === 0x7f ? 0xff : c, `µ-law ${c}`);
    assert.equal(alawEncode(alawDecode(c)), c, `A-law ${c}`);
  }
});

Deno.test("encodeG711() and decodeG711() convert arrays, into a fresh or a given array", () => {
  const samples = new Int16Array([0, 1000, -1000, 32767, -32768]);
  const mu = encodeG711("pcmu", samples);
  assert.deepEqual(Array.from(mu), [0xff, 0xce, 0x4e, 0x80, 0x00]);
  assert.deepEqual(Array.from(decodeG711("pcmu", mu)), [0, 988, -988, 32124, -32124]);
  const out = new Uint8Array(8).fill(7);
  const a = encodeG711("pcma", samples, out);
  assert.equal(a.buffer, out.buffer);
  assert.equal(a.length, 5);
  assert.equal(out[5], 7, "nothing past the samples is written");
  assert.deepEqual(Array.from(a), Array.from(samples, alawEncode));
  const pcm = new Int16Array(6);
  assert.deepEqual(Array.from(decodeG711("pcma", a, pcm)), Array.from(a, alawDecode));
  assert.throws(() => encodeG711("pcmu", samples, new Uint8Array(4)), RangeError);
  assert.throws(() => decodeG711("pcmu", mu, new Int16Array(4)), RangeError);
  assert.throws(() => encodeG711("g722" as "pcmu", samples), /law must be "pcmu" or "pcma"/);
  assert.throws(() => decodeG711ToL16("ulaw" as "pcmu", mu), TypeError);
});

Deno.test("encodeG711FromL16() reads big-endian samples like encodeG711() reads Int16Array", () => {
  const l16 = new Uint8Array(ALL.length * 2 + 1); // an odd last byte is ignored
  const view = new DataView(l16.buffer);
  ALL.forEach((x, i) => view.setInt16(2 * i, x));
  for (const law of ["pcmu", "pcma"] as const) {
    assert.deepEqual(encodeG711FromL16(law, l16), encodeG711(law, ALL), law);
  }
  assert.throws(() => encodeG711FromL16("pcma", l16, new Uint8Array(10)), RangeError);
});

Deno.test("decodeG711ToL16() writes big-endian samples", () => {
  const codes = new Uint8Array([0x80, 0x00, 0xff]);
  assert.deepEqual(
    Array.from(decodeG711ToL16("pcmu", codes)),
    [0x7d, 0x7c, 0x82, 0x84, 0x00, 0x00], // 32124, -32124, 0
  );
  const out = new Uint8Array(8);
  const bytes = decodeG711ToL16("pcma", new Uint8Array([0xaa]), out);
  assert.equal(bytes.length, 2);
  assert.deepEqual(Array.from(bytes), [0x7e, 0x00]); // 32256
  assert.throws(() => decodeG711ToL16("pcma", codes, new Uint8Array(5)), RangeError);
});

// The other classic implementation, Sun Microsystems' g711.c (public domain, 1988), written out
// independently of the reference's: a table search for the segment, two's complement for µ-law.
const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const SEG_AEND = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segment(value: number, ends: number[]): number {
  const i = ends.findIndex((end) => value <= end);
  return i < 0 ? 8 : i;
}

function sunLinearToUlaw(sample: number): number {
  let value = sample >> 2;
  const mask = value < 0 ? 0x7f : 0xff;
  if (value < 0) value = -value;
  value = Math.min(value, 8159) + 33;
  const seg = segment(value, SEG_UEND);
  return seg >= 8 ? 0x7f ^ mask : ((seg << 4) | ((value >> (seg + 1)) & 0x0f)) ^ mask;
}

function sunLinearToAlaw(sample: number): number {
  let value = sample >> 3;
  const mask = value >= 0 ? 0xd5 : 0x55;
  if (value < 0) value = -value - 1;
  const seg = segment(value, SEG_AEND);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((seg < 2 ? value >> 1 : value >> seg) & 0x0f)) ^ mask;
}

function sunUlawToLinear(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

function sunAlawToLinear(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

Deno.test("the decoders match Sun's g711.c for every code", () => {
  for (let c = 0; c < 256; c++) {
    assert.equal(ulawDecode(c), sunUlawToLinear(c), `µ-law ${c}`);
    assert.equal(alawDecode(c), sunAlawToLinear(c), `A-law ${c}`);
  }
});

Deno.test("the encoders match Sun's g711.c: A-law for every sample, µ-law for x ≥ 0", () => {
  // Sun negates negative µ-law samples in two's complement, the reference in one's complement:
  // they differ by one 14-bit unit below zero, so only the non-negative half is compared.
  for (const x of ALL) {
    if (alawEncode(x) !== sunLinearToAlaw(x)) assert.fail(`A-law of ${x}`);
    if (x >= 0 && ulawEncode(x) !== sunLinearToUlaw(x)) assert.fail(`µ-law of ${x}`);
  }
});
