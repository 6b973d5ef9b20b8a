import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { md5 } from "../../src/auth/md5.ts";
import { md5Hex } from "../../src/auth/digest.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("md5 gives RFC 1321's test suite (§A.5)", () => {
  const suite: [string, string][] = [
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
    ["a", "0cc175b9c0f1b6a831c399e269772661"],
    ["abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
    [
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
      "d174ab98d277d9f5a5611c2c9f419d9f",
    ],
    [
      "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "57edf4a22be3c955ac49da2e2107b67a",
    ],
  ];
  for (const [text, digest] of suite) {
    assert.equal(hex(md5(new TextEncoder().encode(text))), digest);
  }
});

Deno.test("md5 agrees with node:crypto at every length around the block edges, and on UTF-8", () => {
  const bytes = new Uint8Array(300);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
  for (let n = 0; n <= bytes.length; n++) {
    const input = bytes.subarray(0, n);
    assert.equal(hex(md5(input)), createHash("md5").update(input).digest("hex"), `length ${n}`);
  }
  const text = "Mufasa:testrealm@host.com:Circle Of Life — ünïcødé";
  assert.equal(md5Hex(text), createHash("md5").update(text, "utf8").digest("hex"));
});
