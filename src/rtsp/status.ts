/**
 * RTSP status codes and the error type that carries one.
 *
 * @module
 */

/**
 * Reason phrases for every status code defined by RFC 2326 §7.1.1 (RTSP 1.0), spelled as in the
 * RFC's table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STATUS_TEXT } from "./status.ts";
 * assert.equal(STATUS_TEXT[454], "Session Not Found");
 * ```
 */
export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  100: "Continue",
  200: "OK",
  201: "Created",
  250: "Low on Storage Space",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Moved Temporarily",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Time-out",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  414: "Request-URI Too Large",
  415: "Unsupported Media Type",
  451: "Parameter Not Understood",
  452: "Conference Not Found",
  453: "Not Enough Bandwidth",
  454: "Session Not Found",
  455: "Method Not Valid in This State",
  456: "Header Field Not Valid for Resource",
  457: "Invalid Range",
  458: "Parameter Is Read-Only",
  459: "Aggregate operation not allowed",
  460: "Only aggregate operation allowed",
  461: "Unsupported transport",
  462: "Destination unreachable",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Time-out",
  505: "RTSP Version not supported",
  551: "Option not supported",
});

/**
 * A failure that the server answers with an RTSP status. Any layer may throw it; the connection
 * handler turns it into a response with `status`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RtspError } from "./status.ts";
 * const e = new RtspError(454);
 * assert.equal(e.status, 454);
 * assert.equal(e.message, "Session Not Found");
 * ```
 */
export class RtspError extends Error {
  /** The RTSP status code to answer with (100–999). */
  readonly status: number;

  /**
   * Creates the error.
   *
   * @param status RTSP status code, an integer in 100–999.
   * @param message Description; defaults to the reason phrase of `status`.
   * @throws {RangeError} when `status` is not a three-digit integer.
   */
  constructor(status: number, message?: string) {
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw new RangeError(`RTSP status must be an integer in 100-999, got ${status}`);
    }
    super(message ?? STATUS_TEXT[status] ?? `RTSP status ${status}`);
    this.name = "RtspError";
    this.status = status;
  }
}
