/**
 * Shared helpers for the codec tests: test vectors, hex, a seeded PRNG and a bit writer.
 *
 * @module
 */

/** The committed clips in test/testdata/codec/. */
export const CLIP_HIGH = "x264_high_176x100_25fps_aud_slices3_bframes.h264";
/** Baseline clip without AUDs, one slice per picture. */
export const CLIP_BASELINE = "x264_baseline_160x90_29.97fps.h264";

/** Reads a file from test/testdata/codec/. */
export function readVector(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`../testdata/codec/${name}`, import.meta.url));
}

/** Hex text (spaces allowed) to bytes. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** Bytes to lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A small deterministic PRNG (xorshift32), so failures reproduce. */
export function prng(seed: number): (max: number) => number {
  let s = seed >>> 0 || 1;
  return (max: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % max;
  };
}

/** Writes H.264 syntax elements MSB-first, to build synthetic parameter sets. */
export class BitWriter {
  #bits: number[] = [];

  /** u(n) */
  u(n: number, value: number): this {
    for (let i = n - 1; i >= 0; i--) this.#bits.push(Math.floor(value / 2 ** i) % 2);
    return this;
  }

  /** ue(v) */
  ue(value: number): this {
    const len = Math.floor(Math.log2(value + 1));
    this.u(len, 0);
    return this.u(len + 1, value + 1);
  }

  /** se(v) */
  se(value: number): this {
    return this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** rbsp_trailing_bits, then the bytes with emulation prevention added. */
  nal(header: number): Uint8Array {
    const bits = [...this.#bits, 1];
    while (bits.length % 8 !== 0) bits.push(0);
    const rbsp: number[] = [];
    for (let i = 0; i < bits.length; i += 8) {
      rbsp.push(bits.slice(i, i + 8).reduce((a, b) => a * 2 + b, 0));
    }
    const out = [header];
    let zeros = 0;
    for (const b of rbsp) {
      if (zeros >= 2 && b <= 3) {
        out.push(3);
        zeros = 0;
      }
      out.push(b);
      zeros = b === 0 ? zeros + 1 : 0;
    }
    return Uint8Array.from(out);
  }
}
