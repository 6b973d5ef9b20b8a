/**
 * The single error type thrown by the header parse functions of src/rtsp.
 *
 * @module
 */

/**
 * A header value that cannot be accepted. `status` is what the server should answer: 400 for
 * malformed syntax unless the header's own module documents another (461 for Transport, 457 for
 * Range). Messages quote the offending text only through `printable()`, so they are safe to log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HeaderError } from "./header_error.ts";
 * const e = new HeaderError(461, "no supported transport");
 * assert.equal(e.status, 461);
 * assert.ok(e instanceof Error);
 * ```
 */
export class HeaderError extends Error {
  /** The RTSP status code the server should answer with. */
  readonly status: number;

  /**
   * Creates the error.
   *
   * @param status RTSP status to answer with (for example 400 or 461).
   * @param message What is wrong, in a full sentence.
   */
  constructor(status: number, message: string) {
    super(message);
    this.name = "HeaderError";
    this.status = status;
  }
}
