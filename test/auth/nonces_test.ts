import assert from "node:assert/strict";
import { NonceList } from "../../src/auth/nonces.ts";

Deno.test("NonceList.issue() gives 128 random bits as 32 hex digits, a new one each time", () => {
  const list = new NonceList({ now: () => 0 });
  const a = list.issue();
  const b = list.issue();
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.notEqual(a, b);
});

Deno.test("NonceList.check() says stale after the lifetime and unknown for another list's nonce", () => {
  let now = 0;
  const mine = new NonceList({ now: () => now, ttlMs: 300_000 });
  const other = new NonceList({ now: () => now });
  const nonce = mine.issue();
  now = 300_000;
  assert.equal(mine.check(nonce), "fresh");
  now = 300_001;
  assert.equal(mine.check(nonce), "stale");
  assert.equal(other.check(nonce), "unknown", "bound to the connection that got it");
});

Deno.test("NonceList keeps at most `max` nonces, forgetting the oldest", () => {
  const list = new NonceList({ now: () => 0, max: 3 });
  const first = list.issue();
  const rest = [list.issue(), list.issue(), list.issue()];
  assert.equal(list.size, 3);
  assert.equal(list.check(first), "unknown");
  for (const n of rest) assert.equal(list.check(n), "fresh");
});

Deno.test("NonceList draws from the injected randomness", () => {
  const list = new NonceList({ now: () => 0, random: (b) => b.fill(0xab) });
  assert.equal(list.issue(), "ab".repeat(16));
});
