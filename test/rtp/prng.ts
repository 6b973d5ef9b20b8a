/**
 * A tiny seeded PRNG (xorshift32, Marsaglia 2003) for property tests: same seed, same run.
 *
 * @module
 */

/** Deterministic pseudo-random source. */
export class Xorshift32 {
  #state: number;

  /** Starts from `seed` (any non-zero 32-bit integer). */
  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }

  /** Next unsigned 32-bit value. */
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }

  /** A copy of `input` with a few random bytes changed, cut short, or extended. */
  mutate(input: Uint8Array): Uint8Array {
    let out = input.slice();
    const edits = 1 + this.below(4);
    for (let e = 0; e < edits; e++) {
      const kind = this.below(5);
      if (kind === 0 && out.length > 0) {
        out = out.subarray(0, this.below(out.length)).slice();
      } else if (kind === 1) {
        const grown = new Uint8Array(out.length + 1 + this.below(8));
        grown.set(out);
        grown.set(this.bytes(grown.length - out.length), out.length);
        out = grown;
      } else if (out.length > 0) {
        const at = this.below(out.length);
        out[at] = kind === 2 ? this.next() & 0xff : out[at] ^ (1 << this.below(8));
      }
    }
    return out;
  }
}

/** `bytes` copied into the middle of a larger buffer, so views past its ends would be visible. */
export function embedded(bytes: Uint8Array): Uint8Array {
  const outer = new Uint8Array(bytes.length + 32).fill(0xee);
  outer.set(bytes, 16);
  return outer.subarray(16, 16 + bytes.length);
}

/** Whether `view` lies within `input` (same buffer, inside its byte range). */
export function within(view: Uint8Array, input: Uint8Array): boolean {
  return view.buffer === input.buffer && view.byteOffset >= input.byteOffset &&
    view.byteOffset + view.byteLength <= input.byteOffset + input.byteLength;
}
