/**
 * The two RTSP message shapes (RFC 2326 §6 and §7).
 *
 * @module
 */

import type { RtspHeaders } from "./headers.ts";

/**
 * An RTSP request (RFC 2326 §6).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RtspRequest } from "./message.ts";
 * import { RtspHeaders } from "./headers.ts";
 * const req: RtspRequest = {
 *   method: "OPTIONS",
 *   url: "rtsp://127.0.0.1:8554/cam",
 *   version: "RTSP/1.0",
 *   headers: new RtspHeaders({ CSeq: "1" }),
 *   body: new Uint8Array(0),
 * };
 * assert.equal(req.headers.get("CSeq"), "1");
 * ```
 */
export interface RtspRequest {
  /** Method token exactly as sent; RFC 2326 §6.1 makes methods case-sensitive. */
  method: string;
  /** Request-URI exactly as sent: an absolute rtsp URL or `*`. */
  url: string;
  /** Protocol version, `RTSP/1.0`. */
  version: string;
  /** Header fields in wire order. */
  headers: RtspHeaders;
  /** Message body (RFC 2326 §4.3), empty when there is none. */
  body: Uint8Array;
}

/** An RTSP response (RFC 2326 §7). */
export interface RtspResponse {
  /** Three-digit status code. */
  status: number;
  /** Reason phrase; may be empty. */
  reason: string;
  /** Protocol version, `RTSP/1.0`. */
  version: string;
  /** Header fields in wire order. */
  headers: RtspHeaders;
  /** Message body, empty when there is none. */
  body: Uint8Array;
}
