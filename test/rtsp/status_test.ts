import assert from "node:assert/strict";
import { RtspError, STATUS_TEXT } from "../../src/rtsp/status.ts";

Deno.test("STATUS_TEXT lists every RFC 2326 §7.1.1 status code", () => {
  const codes = [
    100,
    200,
    201,
    250,
    300,
    301,
    302,
    303,
    304,
    305,
    400,
    401,
    402,
    403,
    404,
    405,
    406,
    407,
    408,
    410,
    411,
    412,
    413,
    414,
    415,
    451,
    452,
    453,
    454,
    455,
    456,
    457,
    458,
    459,
    460,
    461,
    462,
    500,
    501,
    502,
    503,
    504,
    505,
    551,
  ];
  assert.deepEqual(Object.keys(STATUS_TEXT).map(Number).sort((a, b) => a - b), codes);
  assert.equal(STATUS_TEXT[461], "Unsupported transport");
  assert.equal(STATUS_TEXT[505], "RTSP Version not supported");
  assert.ok(Object.isFrozen(STATUS_TEXT));
});

Deno.test("RtspError defaults its message to the reason phrase", () => {
  const e = new RtspError(455);
  assert.equal(e.status, 455);
  assert.equal(e.message, "Method Not Valid in This State");
  assert.equal(e.name, "RtspError");
  assert.ok(e instanceof Error);
  assert.equal(new RtspError(454, "Session Not Found: 1234").message, "Session Not Found: 1234");
  assert.equal(new RtspError(299).message, "RTSP status 299");
});

Deno.test("RtspError refuses a status that is not a three-digit integer", () => {
  assert.throws(() => new RtspError(99), RangeError);
  assert.throws(() => new RtspError(1000), RangeError);
  assert.throws(() => new RtspError(400.5), RangeError);
});
