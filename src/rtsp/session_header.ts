/**
 * The Session header (RFC 2326 §12.37).
 *
 * @module
 */

import { HeaderError } from "./header_error.ts";
import { printable } from "./syntax.ts";

// RFC 2326 §3.4: session-id = 1*( ALPHA | DIGIT | safe ), safe = "$" | "-" | "_" | "." | "+".
// The 256-character cap bounds what a peer can make the server store and compare.
const SESSION_ID = /^[A-Za-z0-9$\-_.+]{1,256}$/;
const MAX_TIMEOUT = 0xffffffff;

/** A parsed Session header. */
export interface SessionHeader {
  /** The session identifier, compared exactly (case-sensitive). */
  id: string;
  /** `timeout=` in seconds, when present. */
  timeout?: number;
}

/**
 * Parses a Session header: `id[;timeout=seconds]`.
 *
 * A client may echo back the `;timeout=` the server advertised (INTEROP.md), so the parameter
 * is accepted in requests too. White space around `;` and `=` is tolerated; other parameters are
 * ignored (RFC 2326 §12.37 defines only `timeout`).
 *
 * @throws {HeaderError} with status 400 when the id is empty, longer than 256 characters or
 * outside the RFC 2326 §3.4 safe set, or the timeout is not 1-10 decimal digits below 2^32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSessionHeader } from "./session_header.ts";
 * assert.deepEqual(parseSessionHeader("A1B2C3;timeout=60"), { id: "A1B2C3", timeout: 60 });
 * assert.deepEqual(parseSessionHeader("A1B2C3"), { id: "A1B2C3" });
 * ```
 */
export function parseSessionHeader(value: string): SessionHeader {
  const [idPart, ...params] = value.split(";");
  const id = idPart.trim();
  if (!SESSION_ID.test(id)) {
    throw new HeaderError(400, `bad session id ${printable(id)}`);
  }
  const result: SessionHeader = { id };
  for (const param of params) {
    const eq = param.indexOf("=");
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    if (name !== "timeout") continue;
    const v = eq < 0 ? "" : param.slice(eq + 1).trim();
    if (result.timeout !== undefined) throw new HeaderError(400, "Session timeout given twice");
    if (!/^[0-9]{1,10}$/.test(v) || Number(v) > MAX_TIMEOUT) {
      throw new HeaderError(400, `bad Session timeout ${printable(v)}`);
    }
    result.timeout = Number(v);
  }
  return result;
}

/**
 * Formats a Session header value, `id` or `id;timeout=seconds`.
 *
 * @throws {TypeError} when `id` is not 1..256 characters of the RFC 2326 §3.4 safe set.
 * @throws {RangeError} when `timeout` is not an integer in 0..2^32-1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSessionHeader } from "./session_header.ts";
 * assert.equal(formatSessionHeader("A1B2C3", 60), "A1B2C3;timeout=60");
 * ```
 */
export function formatSessionHeader(id: string, timeout?: number): string {
  if (!SESSION_ID.test(id)) throw new TypeError(`bad session id ${printable(id)}`);
  if (timeout === undefined) return id;
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_TIMEOUT) {
    throw new RangeError(`Session timeout must be an integer number of seconds, got ${timeout}`);
  }
  return `${id};timeout=${timeout}`;
}
