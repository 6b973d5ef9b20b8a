/** Shared helpers for the ingest parser tests. */

export { concat, seededRandom } from "../support/bytes.ts";

/** UTF-8 (for ASCII text: byte-for-byte) encoding of `text`. */
export function enc(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Latin-1 decoding: one character per byte. */
export function dec(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** `bytes` cut into pieces of `size` bytes (the last may be shorter). */
export function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** `bytes` cut into two at every position, 0 to length. */
export function* everySplit(bytes: Uint8Array): Generator<[Uint8Array, Uint8Array]> {
  for (let i = 0; i <= bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
}

/** What a function threw, or undefined when it returned. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
