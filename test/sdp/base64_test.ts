import assert from "node:assert/strict";
import { decodeBase64, encodeBase64 } from "../../src/sdp/base64.ts";

function reference(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

Deno.test("encodeBase64() matches btoa() on every length from 0 to 64 and all byte values", () => {
  let seed = 1;
  for (let len = 0; len <= 64; len++) {
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    assert.equal(encodeBase64(bytes), reference(bytes));
    assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
  }
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.equal(encodeBase64(all), reference(all));
  assert.deepEqual(decodeBase64(reference(all)), all);
});

Deno.test("decodeBase64() accepts missing padding", () => {
  assert.deepEqual(decodeBase64("Zm8"), new TextEncoder().encode("fo"));
  assert.deepEqual(decodeBase64("Zg"), new TextEncoder().encode("f"));
  assert.deepEqual(decodeBase64(""), new Uint8Array(0));
});

Deno.test("decodeBase64() rejects characters outside the alphabet, misplaced padding and bad lengths", () => {
  for (
    const bad of [
      "Z",
      "Zm9vY",
      "Zm9v!",
      "Zm 9v",
      "Zm9v\n",
      "Zg=a",
      "=Zm9",
      "Zg===",
      "Z===",
      "Zm9é",
      "====",
      "-_8=",
    ]
  ) {
    assert.equal(decodeBase64(bad), undefined, bad);
  }
});
