/**
 * The error of the HTTP/1.1 parsers in this folder (response heads, chunked bodies, multipart
 * streams). They are shared by the ingest port (a server, which answers `status`) and the camera
 * client (which names the URL and gives up), so the error carries the status a server would answer
 * and the byte offset, and each side words it for its own log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpParseError } from "./errors.ts";
 * const e = new HttpParseError(413, "a part of 9000000 bytes is above the 8388608-byte cap", 120);
 * assert.equal(e.status, 413);
 * assert.equal(e.offset, 120);
 * ```
 *
 * @module
 */

/** Bytes that an HTTP/1.1 parser refuses: malformed (400), too large (413), head too large (431). */
export class HttpParseError extends Error {
  /** The HTTP status a server would answer: 400, 413 or 431. */
  readonly status: number;
  /** Stream offset of the offending byte, when the parser knows it. */
  readonly offset?: number;

  /**
   * Creates the error.
   *
   * @param status 400 malformed, 413 too large, 431 header section too large.
   * @param message One sentence saying what was wrong (peer text in it quoted and escaped).
   * @param offset Stream offset (bytes pushed before it) of the offending byte, if known.
   */
  constructor(status: number, message: string, offset?: number) {
    super(message);
    this.name = "HttpParseError";
    this.status = status;
    if (offset !== undefined) this.offset = offset;
  }
}
