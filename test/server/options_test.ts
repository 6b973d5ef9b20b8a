import assert from "node:assert/strict";
import { resolveOptions } from "../../src/server/options.ts";

Deno.test("resolveOptions() fills in the HARDENING.md defaults", () => {
  const o = resolveOptions();
  assert.equal(o.port, 8554);
  assert.equal(o.sessionTimeout, 60);
  assert.equal(o.headerTimeout, 10);
  assert.equal(o.writeTimeout, 10);
  assert.equal(o.maxPayloadSize, 1400);
  assert.equal(o.limits.body, 128 * 1024);
  assert.equal(o.limits.headerCount, 255);
});

Deno.test("resolveOptions() names the bad value in a full sentence", () => {
  assert.throws(
    () => resolveOptions({ port: -5 }),
    /port must be an integer from 0 to 65535, got -5/,
  );
  assert.throws(
    () => resolveOptions({ maxPayloadSize: 5 }),
    /maxPayloadSize must be an integer from 100 to 65000 bytes, got 5/,
  );
  assert.throws(() => resolveOptions({ rtpPort: 5001 }), /rtpPort must be even/);
  assert.throws(
    () => resolveOptions({ sessionTimeout: 0 }),
    /sessionTimeout must be a number of seconds above 0/,
  );
  assert.throws(() => resolveOptions({ limits: { body: -1 } }), /limits\.body must be an integer/);
  assert.throws(() => resolveOptions({ hostname: "" }), TypeError);
});
