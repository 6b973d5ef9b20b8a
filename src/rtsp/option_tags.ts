/**
 * Option-tag lists: Require, Proxy-Require, Supported, Unsupported (RFC 2326 §3.8, §12.32).
 *
 * @module
 */

import { HeaderError } from "./header_error.ts";
import { isToken, printable } from "./syntax.ts";

/**
 * Parses a comma-separated list of option tags. Empty list elements are skipped (RFC 2616 §2.1
 * `#rule`); each tag must be a token and keeps its case (tags are compared exactly).
 *
 * @throws {HeaderError} with status 400 when an element is not a token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseOptionTags } from "./option_tags.ts";
 * assert.deepEqual(parseOptionTags("play.basic, com.example.x"), ["play.basic", "com.example.x"]);
 * ```
 */
export function parseOptionTags(value: string): string[] {
  const tags: string[] = [];
  for (const element of value.split(",")) {
    const tag = element.trim();
    if (tag === "") continue;
    if (!isToken(tag)) throw new HeaderError(400, `bad option tag ${printable(tag)}`);
    tags.push(tag);
  }
  return tags;
}

/**
 * Formats option tags for Require, Supported or Unsupported (`a, b`).
 *
 * @throws {TypeError} when a tag is not a token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatOptionTags } from "./option_tags.ts";
 * assert.equal(formatOptionTags(["funky-feature", "x.y"]), "funky-feature, x.y");
 * ```
 */
export function formatOptionTags(tags: string[]): string {
  for (const tag of tags) {
    if (!isToken(tag)) throw new TypeError(`option tag must be a token, got ${printable(tag)}`);
  }
  return tags.join(", ");
}
