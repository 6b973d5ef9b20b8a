/**
 * Base64 (RFC 4648 §4) over bytes, without `btoa`/`atob`: those work on "binary strings" and are
 * easy to misuse with bytes above 0x7f, and they are globals the pure layers avoid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64, encodeBase64 } from "./base64.ts";
 *
 * const bytes = new Uint8Array([0x67, 0x42, 0xc0, 0x1e, 0xff]);
 * assert.equal(encodeBase64(bytes), "Z0LAHv8=");
 * assert.deepEqual(decodeBase64("Z0LAHv8="), bytes);
 * assert.equal(decodeBase64("Z0L@"), undefined);
 * ```
 *
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/**
 * Encodes bytes as padded base64 without line breaks.
 *
 * @param bytes Any bytes.
 * @returns The base64 text.
 */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] +
      ALPHABET[v & 63];
  }
  if (i + 1 === n) {
    const v = bytes[i] << 16;
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + "==";
  } else if (i + 2 === n) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + "=";
  }
  return out;
}

/**
 * Decodes base64 text. Padding may be omitted (some cameras drop it); anything else outside the
 * alphabet, misplaced `=`, or a length that cannot come from whole bytes makes it fail.
 *
 * @param text Base64 text without whitespace.
 * @returns The bytes, or undefined when `text` is not valid base64.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  let len = text.length;
  if (len % 4 === 0 && len > 0 && text.charCodeAt(len - 1) === 61) {
    len--;
    if (text.charCodeAt(len - 1) === 61) len--;
  }
  if (len % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUES[c] : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
