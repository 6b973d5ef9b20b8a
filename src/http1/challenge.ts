/**
 * `WWW-Authenticate` parsing (RFC 9110 §11.6.1): the challenges a camera offers, each a scheme
 * with its parameters, several possibly in one field value (`Digest realm="a", nonce="b", Basic
 * realm="a"`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseChallenges } from "./challenge.ts";
 *
 * const [digest, basic] = parseChallenges(
 *   'Digest realm="cam", qop="auth", nonce="n1", Basic realm="cam"',
 * );
 * assert.equal(digest.scheme, "digest");
 * assert.equal(digest.params.nonce, "n1");
 * assert.equal(basic.scheme, "basic");
 * ```
 *
 * @module
 */

import { isTokenCode } from "../rtsp/syntax.ts";

/** One challenge. */
export interface Challenge {
  /** The auth scheme, lower-cased: "basic", "digest", … */
  scheme: string;
  /** Parameters by lower-cased name, quotes and escapes removed; a record without prototype. */
  params: Record<string, string>;
  /** A token68 instead of parameters (`Negotiate abc==`), if given. */
  token68?: string;
}

const MAX_VALUE = 4096;

/**
 * The challenges of one or more `WWW-Authenticate` values (joined with ", "). Never throws:
 * whatever cannot be read ends the list, so a camera's odd extra challenge does not hide a good one
 * before it.
 */
export function parseChallenges(value: string): Challenge[] {
  const out: Challenge[] = [];
  const text = value.length > MAX_VALUE ? value.slice(0, MAX_VALUE) : value;
  const n = text.length;
  let i = 0;
  const ows = () => {
    while (i < n && (text[i] === " " || text[i] === "\t")) i++;
  };
  const token = (): string => {
    const from = i;
    while (i < n && isTokenCode(text.charCodeAt(i))) i++;
    return text.slice(from, i);
  };
  let current: Challenge | undefined;
  while (i < n) {
    ows();
    if (text[i] === ",") {
      i++;
      continue;
    }
    const from = i;
    const name = token();
    if (name === "") break;
    ows();
    if (text[i] === "=" && current !== undefined) {
      // An auth-param of the current challenge (BWS "=" BWS value).
      i++;
      ows();
      let v = "";
      if (text[i] === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === "\\" && i + 1 < n) i++;
          v += text[i++];
        }
        if (i >= n) break; // unterminated
        i++;
      } else {
        v = token();
      }
      current.params[name.toLowerCase()] = v;
      continue;
    }
    // A new challenge: scheme, then a token68 or parameters.
    current = { scheme: name.toLowerCase(), params: Object.create(null) };
    out.push(current);
    const rest = /^[A-Za-z0-9\-._~+/]+=*/.exec(text.slice(i));
    if (
      rest && i > from + name.length && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*=[^=]/.test(text.slice(i))
    ) {
      const after = text.slice(i + rest[0].length).trimStart();
      if (after === "" || after.startsWith(",")) {
        current.token68 = rest[0];
        i += rest[0].length;
      }
    }
  }
  return out;
}
