/**
 * The one rule for a path name, shared by the flags, the config file, the server's mount points and
 * ingest: segments of letters, digits and `. _ ~ -` joined by `/` (the characters mediamtx takes,
 * all of them unreserved in RFC 3986 §2.3, so a name never needs percent-encoding in a URL).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizePathName } from "./path_name.ts";
 *
 * assert.equal(normalizePathName("cam1"), "/cam1");
 * assert.equal(normalizePathName("/garden/cam.2"), "/garden/cam.2");
 * assert.equal(normalizePathName("/cam:1"), undefined);
 * ```
 *
 * @module
 */

const SEGMENT = /^[A-Za-z0-9._~-]+$/;

/** The rule in words, for messages: what a path name may hold. */
export const PATH_NAME_RULE = 'letters, digits, ".", "_", "~" and "-", with "/" between segments';

/**
 * A path name with its leading slash (`"cam1"` and `"/cam1"` both give `"/cam1"`), or undefined
 * when it breaks the rule. `.` and `..` are refused as segments: URL resolution would remove them
 * (RFC 3986 §5.2.4), so a client could never ask for such a path.
 */
export function normalizePathName(name: string): string | undefined {
  if (typeof name !== "string") return undefined;
  const bare = name.startsWith("/") ? name.slice(1) : name;
  const segments = bare.split("/");
  const ok = segments.every((s) => SEGMENT.test(s) && s !== "." && s !== "..");
  return ok ? `/${bare}` : undefined;
}
