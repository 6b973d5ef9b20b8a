/**
 * The error classes of the ingest parsers. Every parser in src/ingest throws only
 * {@linkcode IngestError} (or one of its subclasses below) for bad bytes, so a connection handler
 * needs one `instanceof` check to turn any refusal into an HTTP status or a WebSocket close code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpError, IngestError } from "./errors.ts";
 * const e = new HttpError(411, "a POST needs Content-Length or chunked Transfer-Encoding.");
 * assert.ok(e instanceof IngestError);
 * assert.equal(e.status, 411);
 * ```
 *
 * @module
 */

/**
 * Input that the ingest endpoint refuses. `status` is the HTTP status to answer; `message` is one
 * sentence fit for the text/plain body of that answer (peer text in it is quoted and escaped).
 */
export class IngestError extends Error {
  /** HTTP status to answer, e.g. 400, 413 or 415. */
  readonly status: number;
  /** Stream offset of the offending byte, when the parser knows it. */
  readonly offset?: number;

  /**
   * Creates the error.
   *
   * @param status HTTP status to answer.
   * @param message One sentence saying what was wrong.
   * @param offset Stream offset (bytes pushed before it) of the offending byte, if known.
   */
  constructor(status: number, message: string, offset?: number) {
    super(message);
    this.name = "IngestError";
    this.status = status;
    if (offset !== undefined) this.offset = offset;
  }
}

/** An HTTP request the ingest port refuses (thrown by `HttpRequestParser`). */
export class HttpError extends IngestError {
  /**
   * Creates the error.
   *
   * @param status 400, 411, 413, 414, 431, 501 or 505.
   * @param message One sentence saying what was wrong.
   * @param offset Stream offset of the offending byte, if known.
   */
  constructor(status: number, message: string, offset?: number) {
    super(status, message, offset);
    this.name = "HttpError";
  }
}

/** A Content-Type the ingest port cannot take: 415 unsupported, or 400 malformed. */
export class IngestFormatError extends IngestError {
  /**
   * Creates the error.
   *
   * @param status 415 (unsupported type) or 400 (malformed or incomplete parameters).
   * @param message One sentence saying what was wrong and what would work.
   */
  constructor(status: number, message: string) {
    super(status, message);
    this.name = "IngestFormatError";
  }
}

/**
 * A WebSocket protocol violation (RFC 6455 §7.4.1 status codes): the server sends a Close frame
 * with `closeCode` and closes. `status` is 400 (or 413 for 1009) for logs and for failures during
 * the handshake, before any close frame can be sent.
 */
export class WebSocketError extends IngestError {
  /** RFC 6455 §7.4.1 close code: 1002 protocol error, 1007 bad UTF-8, 1009 too big, ... */
  readonly closeCode: number;

  /**
   * Creates the error.
   *
   * @param closeCode RFC 6455 close code to send.
   * @param message One sentence saying what was wrong (short: it goes into the close reason).
   */
  constructor(closeCode: number, message: string) {
    super(closeCode === 1009 ? 413 : 400, message);
    this.name = "WebSocketError";
    this.closeCode = closeCode;
  }
}
