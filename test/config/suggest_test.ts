import assert from "node:assert/strict";
import { closestName, editDistance } from "../../src/config/suggest.ts";

Deno.test("editDistance() counts insertions, deletions, substitutions and swaps, ignoring case", () => {
  assert.equal(editDistance("token", "token"), 0);
  assert.equal(editDistance("tokn", "token"), 1);
  assert.equal(editDistance("tokens", "token"), 1);
  assert.equal(editDistance("tokan", "token"), 1);
  assert.equal(editDistance("tkoen", "token"), 1);
  assert.equal(editDistance("RTSPPORT", "rtspPort"), 0);
  assert.equal(editDistance("", "gop"), 3);
});

Deno.test("closestName() gives every unknown name its nearest known one", () => {
  const known = ["source", "token", "jpeg", "replace", "bitrate", "gop", "maxFrameBytes"];
  assert.equal(closestName("tokn", known), "token");
  assert.equal(closestName("bitrat", known), "bitrate");
  assert.equal(closestName("maxframebytes", known), "maxFrameBytes");
  assert.equal(closestName("jpg", known), "jpeg");
  assert.equal(closestName("go", known), "gop");
  assert.equal(closestName("fps", known), "jpeg");
  assert.equal(closestName("quality", known), "replace");
  assert.equal(closestName("tokens", known), "token");
  assert.equal(closestName("frameBytes", known), "maxFrameBytes");
  assert.equal(closestName("port", ["rtspPort", "rtpPort", "ingestPort"]), "rtspPort");
  assert.equal(closestName("x", []), undefined);
});
