import assert from "node:assert/strict";
import { HeaderError } from "../../src/rtsp/header_error.ts";
import { formatOptionTags, parseOptionTags } from "../../src/rtsp/option_tags.ts";

Deno.test("parseOptionTags() splits a Require list and skips empty elements", () => {
  assert.deepEqual(parseOptionTags("funky-feature"), ["funky-feature"]);
  assert.deepEqual(parseOptionTags(" play.basic ,, com.example.x,"), [
    "play.basic",
    "com.example.x",
  ]);
  assert.deepEqual(parseOptionTags(""), []);
});

Deno.test("parseOptionTags() rejects tags that are not tokens with 400", () => {
  for (const v of ["a b", "a;b", "é", 'a"b', "a/b"]) {
    assert.throws(
      () => parseOptionTags(v),
      (e) => e instanceof HeaderError && e.status === 400,
      v,
    );
  }
});

Deno.test("formatOptionTags() round-trips with parseOptionTags() and refuses non-tokens", () => {
  const tags = ["play.basic", "x-y"];
  assert.equal(formatOptionTags(tags), "play.basic, x-y");
  assert.deepEqual(parseOptionTags(formatOptionTags(tags)), tags);
  assert.throws(() => formatOptionTags(["a,b"]), TypeError);
});
