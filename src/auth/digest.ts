/**
 * Digest MD5 response verification (RFC 7616 §3.4.1, RFC 2617 §3.2.2), with constant-time
 * comparison, and the check of the `uri` parameter against the request (RFC 2617 §3.2.2.5).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digestHa1, digestResponse, verifyDigest } from "./digest.ts";
 *
 * const ha1 = digestHa1("alice", "rtsp-edge", "s3cret");
 * const response = digestResponse({ ha1, method: "DESCRIBE", uri: "rtsp://cam/live", nonce: "n1" });
 * assert.ok(verifyDigest(
 *   { username: "alice", realm: "rtsp-edge", nonce: "n1", uri: "rtsp://cam/live", response },
 *   ha1,
 *   "DESCRIBE",
 * ));
 * ```
 *
 * @module
 */

import { md5 } from "./md5.ts";
import { stripCredentials } from "../rtsp/url.ts";
import type { DigestCredentials } from "./authorization.ts";

/** MD5 of UTF-8 text, lower-case hex. */
export function md5Hex(text: string): string {
  let hex = "";
  for (const byte of md5(new TextEncoder().encode(text))) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** RFC 7616 §3.4.2: HA1 = MD5(username ":" realm ":" password), hex. */
export function digestHa1(username: string, realm: string, password: string): string {
  return md5Hex(`${username}:${realm}:${password}`);
}

/** What a Digest response is computed from. */
export interface DigestInput {
  /** HA1 of the user, hex. */
  ha1: string;
  /** The request method. */
  method: string;
  /** The `uri` parameter as the client sent it. */
  uri: string;
  /** The server nonce. */
  nonce: string;
  /** `auth` when qop is used. */
  qop?: "auth";
  /** Nonce count, with qop. */
  nc?: string;
  /** Client nonce, with qop. */
  cnonce?: string;
}

/**
 * The expected response: MD5(HA1:nonce:HA2) without qop (RFC 2069, what GStreamer 1.22 and
 * live555 send), MD5(HA1:nonce:nc:cnonce:auth:HA2) with qop=auth (RFC 7616 §3.4.1, ffmpeg).
 * HA2 = MD5(method:uri).
 */
export function digestResponse(input: DigestInput): string {
  const ha2 = md5Hex(`${input.method}:${input.uri}`);
  const ha1 = input.ha1.toLowerCase();
  return input.qop === "auth"
    ? md5Hex(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:auth:${ha2}`)
    : md5Hex(`${ha1}:${input.nonce}:${ha2}`);
}

/** Compares two strings in time that depends on their lengths only. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  const n = Math.max(x.length, 1);
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i % Math.max(y.length, 1)] ?? 0);
  return diff === 0;
}

/**
 * Whether the client's response proves it knows the password behind `ha1`. The caller checks the
 * realm, the nonce and the uri.
 */
export function verifyDigest(
  credentials: Pick<
    DigestCredentials,
    "nonce" | "uri" | "response" | "qop" | "nc" | "cnonce" | "username" | "realm"
  >,
  ha1: string,
  method: string,
): boolean {
  const expected = digestResponse({
    ha1,
    method,
    uri: credentials.uri,
    nonce: credentials.nonce,
    qop: credentials.qop,
    nc: credentials.nc,
    cnonce: credentials.cnonce,
  });
  return constantTimeEqual(expected, credentials.response.toLowerCase());
}

/** A URL without credentials, without a trailing `/` (an empty path stays `/`). */
function canonical(url: string): string {
  const stripped = stripCredentials(url);
  return stripped.length > 1 && stripped.endsWith("/") ? stripped.slice(0, -1) : stripped;
}

/** The path and query of an absolute URL (`/cam?x=1`), for clients that send only those. */
function pathOf(url: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^#]*)$/.exec(url);
  return m ? (m[1] === "" ? "/" : m[1]) : undefined;
}

/**
 * RFC 2617 §3.2.2.5: the `uri` parameter must name the request URI. Taken: the request URI
 * itself, or `aggregate` (the URL of the stream a track URL belongs to), each with or without a
 * trailing `/` and credentials (INTEROP.md: VLC's SETUP carries the base URL with a trailing
 * slash), as an absolute URL or as its path (RFC 2617 allows abs_path).
 */
export function digestUriMatches(uri: string, requestUrl: string, aggregate?: string): boolean {
  const candidates = [requestUrl, ...(aggregate === undefined ? [] : [aggregate])];
  const given = canonical(uri);
  for (const c of candidates) {
    const full = canonical(c);
    if (given === full) return true;
    const path = pathOf(full);
    if (path !== undefined && uri.startsWith("/") && given === path) return true;
  }
  return false;
}
