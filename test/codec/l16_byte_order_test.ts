// The L16 byte order heuristic on generated signals in both byte orders: tones from 100 Hz to
// 3 kHz at 8 to 48 kHz, mono and stereo, quiet and loud, speech-like noise (low-passed random),
// and what must stay "unknown": silence, near-silence, white noise and too few samples.
import assert from "node:assert/strict";
import { detectL16ByteOrder, swapL16ByteOrder } from "../../src/codec/l16_byte_order.ts";
import { seededRandom } from "../support/bytes.ts";
import { sineL16 } from "../rtp/audio_cases.ts";

/** Big-endian 16-bit PCM from sample values. */
function l16(samples: number[]): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  samples.forEach((s, i) => view.setInt16(2 * i, Math.max(-32768, Math.min(32767, Math.round(s)))));
  return out;
}

/** Random noise through a one-pole low-pass: roughly the spectrum of speech and room noise. */
function brownish(n: number, seed: number, amplitude: number): number[] {
  const random = seededRandom(seed);
  let y = 0;
  return Array.from({ length: n }, () => (y = 0.9 * y + 0.1 * (random() * 2 - 1) * amplitude * 3));
}

function white(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => (random() * 2 - 1) * 32000);
}

Deno.test("detectL16ByteOrder() tells the order of tones, mono and stereo", () => {
  for (const rate of [8000, 16000, 44100, 48000]) {
    for (const channels of [1, 2]) {
      for (const [frequency, amplitude] of [[97, 300], [441, 10000], [997, 12000]]) {
        const big = sineL16(rate, channels, 0.05, frequency, amplitude);
        const what = `${frequency} Hz at ${rate} Hz, ${channels} ch, amplitude ${amplitude}`;
        assert.equal(detectL16ByteOrder(big, { channels }), "big", what);
        assert.equal(detectL16ByteOrder(swapL16ByteOrder(big), { channels }), "little", what);
      }
    }
  }
  // (Tones at frequencies that divide the rate repeat a few sample values, low bytes included,
  // so their swapped form is periodic too: real audio never is, and the tests avoid them.)
  // A loud 1 kHz tone at 8 kHz is rough: only 1.5 times smoother than its swapped bytes, which
  // the default ratio does not trust; a 3 kHz one even less. A lower ratio decides them.
  const loud = sineL16(8000, 1, 0.1, 997, 30000);
  assert.equal(detectL16ByteOrder(loud), "unknown");
  assert.equal(detectL16ByteOrder(loud, { ratio: 1.4 }), "big");
  const harsh = sineL16(8000, 1, 0.1, 2999, 12000);
  assert.equal(detectL16ByteOrder(harsh), "unknown");
  assert.equal(detectL16ByteOrder(harsh, { ratio: 1.2 }), "big");
});

Deno.test("detectL16ByteOrder() tells the order of speech-like noise", () => {
  for (const [seed, amplitude] of [[1, 200], [2, 3000], [3, 20000]]) {
    const big = l16(brownish(4000, seed, amplitude));
    assert.equal(detectL16ByteOrder(big), "big", `amplitude ${amplitude}`);
    assert.equal(detectL16ByteOrder(swapL16ByteOrder(big)), "little", `amplitude ${amplitude}`);
  }
});

Deno.test("detectL16ByteOrder() says unknown for silence, white noise and short windows", () => {
  assert.equal(detectL16ByteOrder(new Uint8Array(4000)), "unknown", "digital silence");
  const dither = l16(Array.from({ length: 2000 }, (_, i) => [0, 1, -1, 0, 2][i % 5]));
  assert.equal(detectL16ByteOrder(dither), "unknown", "near-silence");
  assert.equal(detectL16ByteOrder(l16(white(4000, 7))), "unknown", "white noise");
  const short = sineL16(16000, 1, 0.01);
  assert.equal(detectL16ByteOrder(short), "unknown", "160 frames < 256");
  assert.equal(detectL16ByteOrder(short, { minFrames: 100 }), "big");
  assert.equal(detectL16ByteOrder(new Uint8Array(0)), "unknown");
  assert.equal(detectL16ByteOrder(new Uint8Array(3)), "unknown");
  assert.equal(detectL16ByteOrder(sineL16(16000, 1, 0.1), { channels: 0 }), "unknown");
});

Deno.test("swapL16ByteOrder() is its own inverse and leaves its input alone", () => {
  const big = sineL16(16000, 2, 0.02);
  const before = big.slice();
  const swapped = swapL16ByteOrder(big);
  assert.deepEqual(big, before);
  assert.notDeepEqual(swapped, big);
  assert.deepEqual(swapL16ByteOrder(swapped), big);
  assert.deepEqual([...swapL16ByteOrder(Uint8Array.of(9))], [9]);
});
