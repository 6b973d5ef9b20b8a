/**
 * Character classes shared by the RTSP parsers (RFC 2616 §2.2, which RFC 2326 §15 adopts) and a
 * helper that makes untrusted text safe to put in error messages and logs.
 *
 * @module
 */

// RFC 2616 §2.2: token = 1*<any CHAR except CTLs or separators>.
const TOKEN_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(128);
  const separators = '()<>@,;:\\"/[]?={} \t';
  for (let c = 0x21; c < 0x7f; c++) {
    if (!separators.includes(String.fromCharCode(c))) table[c] = 1;
  }
  return table;
})();

/**
 * Whether the byte or UTF-16 code unit `code` may appear in an RFC 2616 token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTokenCode } from "./syntax.ts";
 * assert.equal(isTokenCode("A".charCodeAt(0)), true);
 * assert.equal(isTokenCode(":".charCodeAt(0)), false);
 * ```
 */
export function isTokenCode(code: number): boolean {
  return code < 128 && TOKEN_TABLE[code] === 1;
}

/**
 * Whether `s` is a non-empty RFC 2616 token (header names, methods, option tags).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isToken } from "./syntax.ts";
 * assert.equal(isToken("GET_PARAMETER"), true);
 * assert.equal(isToken("bad name"), false);
 * ```
 */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    if (!isTokenCode(s.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * Whether the byte `b` may not appear in a header line on the wire: RFC 2616 §2.2 CTL
 * (0x00–0x1F and 0x7F) except horizontal tab, which is linear white space.
 */
export function isForbiddenByte(b: number): boolean {
  return (b < 0x20 && b !== 0x09) || b === 0x7f;
}

/**
 * Whether the character `code` may not appear in a header value: the bytes refused by
 * `isForbiddenByte` plus the C1 controls U+0080–U+009F (NEL, CSI...), which some terminals and
 * log viewers act on.
 */
export function isForbiddenControl(code: number): boolean {
  return isForbiddenByte(code) || (code >= 0x80 && code <= 0x9f);
}

/** Whether the string holds no CR, LF, NUL or other C0/C1 control character except HTAB. */
export function isSafeFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (isForbiddenControl(s.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * Quotes untrusted text for an error message or a log line: at most `max` characters, every
 * character outside printable ASCII escaped, so a peer can never inject CR/LF or terminal escapes
 * into a response or a log (HARDENING item 5).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printable } from "./syntax.ts";
 * assert.equal(printable("a\r\nb"), '"a\\r\\nb"');
 * ```
 */
export function printable(text: string, max = 64): string {
  let out = '"';
  const n = Math.min(text.length, max);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += "\\" + text[i];
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x09) out += "\\t";
    else if (c >= 0x20 && c < 0x7f) out += text[i];
    else if (c < 0x100) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += "\\u" + c.toString(16).padStart(4, "0");
  }
  out += '"';
  return text.length > max ? out + "..." : out;
}

/** Whether `s` is non-empty and made only of visible ASCII (0x21–0x7E): no space, no controls. */
export function isVisibleAscii(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}
