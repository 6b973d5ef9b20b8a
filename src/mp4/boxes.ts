/**
 * The two shapes every ISO base media file box takes (ISO/IEC 14496-12 §4.2): `Box` (32-bit size,
 * four-character type, payload) and `FullBox` (the same with an 8-bit version and 24-bit flags),
 * and a growable big-endian writer for their payloads. Used for the init segment, written once per
 * viewer; the per-frame fragment is written straight into one buffer by fragment.ts.
 *
 * @module
 */

/** Big-endian fields appended to a growing buffer. */
export class ByteWriter {
  #buffer = new Uint8Array(64);
  #view = new DataView(this.#buffer.buffer);
  #length = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** An unsigned 8-bit field. */
  u8(value: number): this {
    this.#room(1).setUint8(this.#length, value);
    this.#length += 1;
    return this;
  }

  /** An unsigned 16-bit field. */
  u16(value: number): this {
    this.#room(2).setUint16(this.#length, value);
    this.#length += 2;
    return this;
  }

  /** An unsigned (or two's complement) 32-bit field. */
  u32(value: number): this {
    this.#room(4).setUint32(this.#length, value >>> 0);
    this.#length += 4;
    return this;
  }

  /** An unsigned 64-bit field, from a safe integer. */
  u64(value: number): this {
    this.u32(Math.floor(value / 2 ** 32));
    return this.u32(value % 2 ** 32);
  }

  /** A four-character code such as `moov`. */
  fourcc(code: string): this {
    if (code.length !== 4) throw new RangeError(`a box type has 4 characters, got "${code}"`);
    for (let i = 0; i < 4; i++) this.u8(code.charCodeAt(i));
    return this;
  }

  /** `n` zero bytes (reserved and pre_defined fields). */
  zeros(n: number): this {
    this.#room(n);
    this.#buffer.fill(0, this.#length, this.#length + n);
    this.#length += n;
    return this;
  }

  /** Bytes as they are (child boxes, parameter sets). */
  bytes(...parts: Uint8Array[]): this {
    for (const part of parts) {
      this.#room(part.length);
      this.#buffer.set(part, this.#length);
      this.#length += part.length;
    }
    return this;
  }

  /** What was written, as a new array. */
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  #room(n: number): DataView {
    if (this.#length + n > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + n));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    return this.#view;
  }
}

/** A `Box` (ISO/IEC 14496-12 §4.2): size, type, then the payload parts in order. */
export function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const size = 8 + payload.reduce((sum, part) => sum + part.length, 0);
  return new ByteWriter().u32(size).fourcc(type).bytes(...payload).finish();
}

/** A `FullBox` (ISO/IEC 14496-12 §4.2): a box whose payload starts with version and flags. */
export function fullBox(
  type: string,
  version: number,
  flags: number,
  ...payload: Uint8Array[]
): Uint8Array {
  const header = new ByteWriter().u8(version).u8(flags >>> 16).u16(flags & 0xffff).finish();
  return box(type, header, ...payload);
}
