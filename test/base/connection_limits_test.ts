import assert from "node:assert/strict";
import { ConnectionCounter, reapReason } from "../../src/base/connection_limits.ts";

Deno.test("ConnectionCounter refuses past the total cap and counts nothing it refused", () => {
  const counter = new ConnectionCounter({ maxConnections: 2, maxConnectionsPerIp: 5 });
  assert.equal(counter.admit("10.0.0.1"), undefined);
  assert.equal(counter.admit("10.0.0.2"), undefined);
  assert.equal(counter.admit("10.0.0.3"), "too many connections");
  assert.equal(counter.open, 2);
  assert.equal(counter.openFrom("10.0.0.3"), 0);
  counter.release("10.0.0.1");
  assert.equal(counter.admit("10.0.0.3"), undefined);
  assert.equal(counter.open, 2);
});

Deno.test("ConnectionCounter caps one address while others still get in", () => {
  const counter = new ConnectionCounter({ maxConnections: 10, maxConnectionsPerIp: 2 });
  assert.equal(counter.admit("10.0.0.7"), undefined);
  assert.equal(counter.admit("10.0.0.7"), undefined);
  assert.equal(counter.admit("10.0.0.7"), "too many connections from this address");
  assert.equal(counter.admit("10.0.0.8"), undefined);
  assert.equal(counter.openFrom("10.0.0.7"), 2);
  assert.equal(counter.open, 3);
  counter.release("10.0.0.7");
  assert.equal(counter.openFrom("10.0.0.7"), 1);
  assert.equal(counter.admit("10.0.0.7"), undefined);
});

Deno.test("ConnectionCounter ignores a release it never admitted (no negative counts)", () => {
  const counter = new ConnectionCounter({ maxConnections: 1, maxConnectionsPerIp: 1 });
  counter.release("10.0.0.9");
  assert.equal(counter.open, 0);
  assert.equal(counter.admit("10.0.0.1"), undefined);
  counter.release("10.0.0.1");
  counter.release("10.0.0.1");
  assert.equal(counter.open, 0);
  assert.equal(counter.openFrom("10.0.0.1"), 0);
  assert.equal(counter.admit("10.0.0.2"), undefined);
  assert.equal(counter.admit("10.0.0.3"), "too many connections");
});

Deno.test("reapReason() closes idle connections only past the idle time and never busy ones", () => {
  const idle = { lastActivityAt: 1000, idleMs: 30_000 };
  assert.equal(reapReason({ ...idle, now: 31_000 }), undefined, "exactly the idle time is kept");
  assert.equal(reapReason({ ...idle, now: 31_001 }), "idle");
  assert.equal(reapReason({ ...idle, now: 99_000, busy: true }), undefined);
});

Deno.test("reapReason() holds a request to a deadline from its first byte, bytes or not", () => {
  const t = { lastActivityAt: 9_900, idleMs: 60_000, partialSince: 0, requestTimeoutMs: 10_000 };
  assert.equal(reapReason({ ...t, now: 10_000 }), undefined);
  // The last byte came 100 ms ago, yet the request as a whole is too slow (slowloris).
  assert.equal(reapReason({ ...t, now: 10_001 }), "request too slow");
  assert.equal(reapReason({ ...t, now: 10_001, partialSince: undefined }), undefined);
  // Busy connections are exempt from idleness only, not from the request deadline.
  assert.equal(reapReason({ ...t, now: 10_001, busy: true }), "request too slow");
});

Deno.test("reapReason() puts a stalled reader before every other reason", () => {
  const t = {
    now: 100_000,
    lastActivityAt: 0,
    idleMs: 1000,
    partialSince: 0,
    requestTimeoutMs: 1000,
    writeProgressAt: 0,
    writeTimeoutMs: 20_000,
  };
  assert.equal(reapReason(t), "write stalled");
  assert.equal(reapReason({ ...t, writeProgressAt: 90_000 }), "request too slow");
  assert.equal(
    reapReason({ ...t, writeProgressAt: 90_000, partialSince: undefined }),
    "idle",
  );
  assert.equal(reapReason({ ...t, writeTimeoutMs: undefined }), "request too slow");
});
