/**
 * RTSP message serialization (RFC 2326 §6 and §7).
 *
 * @module
 */

import type { RtspRequest, RtspResponse } from "./message.ts";
import { STATUS_TEXT } from "./status.ts";
import { isSafeFieldValue, isToken, isVisibleAscii, printable } from "./syntax.ts";
import type { RtspHeaders } from "./headers.ts";

const encoder = new TextEncoder();
const VERSION = /^RTSP\/\d+\.\d+$/;

/**
 * Serializes a request: request line, headers in order, `Content-Length` when the body is not
 * empty, an empty line, then the body.
 *
 * Content-Length is always computed from `body`; a Content-Length in `headers` is ignored, so a
 * stale value can never desynchronise the peer.
 *
 * @throws {TypeError} when the method is not a token, the URL holds white space or control
 * characters, or the version is not `RTSP/x.y` (header names and values were checked by
 * `RtspHeaders`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRequest } from "./serialize.ts";
 * import { RtspHeaders } from "./headers.ts";
 * const bytes = formatRequest({
 *   method: "OPTIONS",
 *   url: "*",
 *   version: "RTSP/1.0",
 *   headers: new RtspHeaders({ CSeq: "1" }),
 *   body: new Uint8Array(0),
 * });
 * assert.equal(new TextDecoder().decode(bytes), "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n");
 * ```
 */
export function formatRequest(req: RtspRequest): Uint8Array {
  if (!isToken(req.method)) {
    throw new TypeError(`request method must be a token, got ${printable(req.method)}`);
  }
  if (!isVisibleAscii(req.url)) {
    throw new TypeError(`request URL must be non-empty printable ASCII, got ${printable(req.url)}`);
  }
  return assemble(
    `${req.method} ${req.url} ${checkVersion(req.version)}\r\n`,
    req.headers,
    req.body,
  );
}

/**
 * Serializes a response. An empty `reason` is replaced by the RFC 2326 reason phrase for
 * `status` (nothing when the code is not in `STATUS_TEXT`). Content-Length as in `formatRequest`.
 *
 * @throws {TypeError} when the status is not a three-digit integer, the reason holds control
 * characters, or the version is not `RTSP/x.y`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatResponse } from "./serialize.ts";
 * import { RtspHeaders } from "./headers.ts";
 * const bytes = formatResponse({
 *   status: 200,
 *   reason: "",
 *   version: "RTSP/1.0",
 *   headers: new RtspHeaders({ CSeq: "1" }),
 *   body: new TextEncoder().encode("v=0\r\n"),
 * });
 * assert.equal(
 *   new TextDecoder().decode(bytes),
 *   "RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 5\r\n\r\nv=0\r\n",
 * );
 * ```
 */
export function formatResponse(res: RtspResponse): Uint8Array {
  if (!Number.isInteger(res.status) || res.status < 100 || res.status > 999) {
    throw new TypeError(`response status must be an integer in 100-999, got ${res.status}`);
  }
  const reason = res.reason === "" ? STATUS_TEXT[res.status] ?? "" : res.reason;
  if (!isSafeFieldValue(reason)) {
    throw new TypeError(`reason phrase must not hold control characters, got ${printable(reason)}`);
  }
  return assemble(
    `${checkVersion(res.version)} ${res.status} ${reason}\r\n`,
    res.headers,
    res.body,
  );
}

function checkVersion(version: string): string {
  if (!VERSION.test(version)) {
    throw new TypeError(`version must look like RTSP/1.0, got ${printable(version)}`);
  }
  return version;
}

function assemble(startLine: string, headers: RtspHeaders, body: Uint8Array): Uint8Array {
  let head = startLine;
  for (const [name, value] of headers.entries()) {
    if (name.toLowerCase() === "content-length") continue;
    head += `${name}: ${value}\r\n`;
  }
  if (body.length > 0) head += `Content-Length: ${body.length}\r\n`;
  head += "\r\n";
  const headBytes = encoder.encode(head);
  if (body.length === 0) return headBytes;
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes);
  out.set(body, headBytes.length);
  return out;
}
