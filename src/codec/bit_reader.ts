/**
 * A bounded MSB-first bit reader for H.264 RBSP syntax (H.264 §7.2: u(n), ue(v), se(v)).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BitReader } from "./bit_reader.ts";
 *
 * const r = new BitReader(new Uint8Array([0b1010_0110, 0b0101_0000]));
 * assert.equal(r.u(1), 1); // "1"
 * assert.equal(r.ue(), 1); // "010"
 * assert.equal(r.ue(), 2); // "011"
 * assert.equal(r.se(), -2); // "00101"
 * ```
 *
 * @module
 */

import { CodecError } from "./h264.ts";

/** Reads bits from a byte array; throws {@linkcode CodecError} rather than read past its end. */
export class BitReader {
  #bytes: Uint8Array;
  #pos = 0;
  #end: number;

  /**
   * Starts reading at the first bit of `bytes`.
   *
   * @param bytes RBSP bytes (emulation prevention already removed). Not copied, not modified.
   */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#end = bytes.length * 8;
  }

  /** Bits left to read. */
  get remaining(): number {
    return this.#end - this.#pos;
  }

  /**
   * Reads an unsigned integer of `n` bits, u(n).
   *
   * @param n Number of bits, 0..32.
   * @returns The value, 0 .. 2^n - 1.
   */
  u(n: number): number {
    if (n > this.#end - this.#pos) {
      throw new CodecError(`bitstream ended: wanted ${n} bits at bit ${this.#pos}`);
    }
    let v = 0;
    for (let i = 0; i < n; i++) {
      const p = this.#pos++;
      // Multiplication instead of << keeps 32-bit values positive.
      v = v * 2 + ((this.#bytes[p >> 3] >> (7 - (p & 7))) & 1);
    }
    return v;
  }

  /**
   * Reads one bit as a boolean, u(1).
   *
   * @returns True for 1.
   */
  flag(): boolean {
    return this.u(1) === 1;
  }

  /**
   * Skips `n` bits.
   *
   * @param n Number of bits to skip.
   */
  skip(n: number): void {
    if (n > this.#end - this.#pos) {
      throw new CodecError(`bitstream ended: skipping ${n} bits at bit ${this.#pos}`);
    }
    this.#pos += n;
  }

  /**
   * Reads an unsigned Exp-Golomb code, ue(v) (H.264 §9.1). Codes longer than 32 bits of prefix are
   * rejected, which also bounds the work done on garbage.
   *
   * @returns The value, 0 .. 2^32 - 2.
   */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      if (++zeros > 31) throw new CodecError(`Exp-Golomb code too long at bit ${this.#pos}`);
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /**
   * Reads a signed Exp-Golomb code, se(v) (H.264 §9.1.1).
   *
   * @returns The value.
   */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : 0 - k / 2; // "0 -" avoids -0
  }
}
