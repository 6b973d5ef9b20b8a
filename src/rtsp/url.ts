/**
 * Strict parsing of RTSP Request-URIs (RFC 2326 §3.2 with RFC 3986 syntax).
 *
 * @module
 */

import { HeaderError } from "./header_error.ts";
import { isVisibleAscii, printable } from "./syntax.ts";

/** A parsed absolute RTSP URL. */
export interface RtspUrl {
  /** Lower-cased scheme. */
  scheme: "rtsp" | "rtsps" | "rtspu";
  /** Host as written (letter case kept); an IPv6 literal keeps its brackets, e.g. `[::1]`. */
  host: string;
  /** Port, when the URL names one. */
  port?: number;
  /** Raw path, never empty (`/` when the URL has none); not percent-decoded nor normalised. */
  path: string;
  /** Raw query without the `?`; empty when there is none. */
  query: string;
  /** Whether the URL carried `user[:password]@`. The credentials themselves are never returned. */
  hasCredentials: boolean;
}

/** The `*` Request-URI (RFC 2326 §6.1: the request applies to the server, e.g. OPTIONS). */
export interface StarUrl {
  /** Always true. */
  star: true;
}

// RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@", plus "/" between
// segments; §3.4: the query also allows "?". The "%" is checked separately for two hex digits.
const PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@\/%]*$/;
const QUERY = /^[A-Za-z0-9\-._~!$&'()*+,;=:@\/?%]*$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
// RFC 3986 §3.2.2 reg-name, restricted to what DNS names and IPv4 addresses use.
const REG_NAME = /^[A-Za-z0-9\-._~]+$/;
// IPv6 literal body, with an optional RFC 6874 zone (`%25eth0`).
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%25[A-Za-z0-9\-._~]+)?$/;

/**
 * Parses a Request-URI: `*` or an absolute `rtsp:`, `rtsps:` or `rtspu:` URL with a host.
 *
 * The path and query are returned raw: no percent-decoding and no removal of `.`/`..`
 * segments, so `/a/%2e%2e/b` is not silently turned into another path. Match mount paths
 * literally. A fragment (`#`) is rejected: it is never part of a Request-URI.
 * Error messages never contain the password.
 *
 * @throws {HeaderError} with status 400 for anything else; never any other exception.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRtspUrl } from "./url.ts";
 * assert.deepEqual(parseRtspUrl("rtsp://user:secret@[::1]:8554/cam?x=1"), {
 *   scheme: "rtsp",
 *   host: "[::1]",
 *   port: 8554,
 *   path: "/cam",
 *   query: "x=1",
 *   hasCredentials: true,
 * });
 * assert.deepEqual(parseRtspUrl("*"), { star: true });
 * ```
 */
export function parseRtspUrl(url: string): RtspUrl | StarUrl {
  if (url === "*") return { star: true };
  // A password with a raw "/" or "?" defeats stripCredentials(); so quote no URL holding "@".
  const shown = String(url).includes("@") ? "(not shown: holds '@')" : printable(String(url), 128);
  const bad = (why: string) => new HeaderError(400, `bad RTSP URL ${shown}: ${why}`);
  if (typeof url !== "string" || !isVisibleAscii(url)) {
    throw bad("empty, or holds white space, control or non-ASCII characters");
  }
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(url);
  if (!m) throw bad("not an absolute URL with a host");
  const scheme = m[1].toLowerCase();
  if (scheme !== "rtsp" && scheme !== "rtsps" && scheme !== "rtspu") {
    throw bad("not an RTSP scheme");
  }
  const rest = m[3];
  if (rest.includes("#")) throw bad("fragments are not allowed");

  const authority = m[2];
  const at = authority.lastIndexOf("@");
  const hostPort = authority.slice(at + 1);
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]");
    if (close < 0 || !IPV6.test(hostPort.slice(1, close))) throw bad("bad IPv6 literal");
    host = hostPort.slice(0, close + 1);
    const after = hostPort.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) throw bad("junk after IPv6 literal");
    if (after !== "") portText = after.slice(1);
  } else {
    const colon = hostPort.indexOf(":");
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    if (colon >= 0) portText = hostPort.slice(colon + 1);
    if (!REG_NAME.test(host)) throw bad("bad host");
  }
  let port: number | undefined;
  if (portText !== undefined && portText !== "") { // RFC 3986 §3.2.3: an empty port is allowed
    if (!/^[0-9]{1,5}$/.test(portText)) throw bad("bad port");
    port = Number(portText);
    if (port < 1 || port > 65535) throw bad("port outside 1-65535");
  }

  const q = rest.indexOf("?");
  const path = (q < 0 ? rest : rest.slice(0, q)) || "/";
  const query = q < 0 ? "" : rest.slice(q + 1);
  if (!PATH.test(path) || !QUERY.test(query) || BAD_PERCENT.test(rest)) {
    throw bad("character not allowed in path or query");
  }
  const result: RtspUrl = { scheme, host, path, query, hasCredentials: at >= 0 };
  if (port !== undefined) result.port = port;
  return result;
}

/**
 * Removes `user[:password]@` from a URL, for Content-Base and log lines. Anything that does not
 * look like `scheme://authority...` is returned unchanged. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripCredentials } from "./url.ts";
 * assert.equal(stripCredentials("rtsp://admin:hunter2@cam:554/live"), "rtsp://cam:554/live");
 * ```
 */
export function stripCredentials(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)([\s\S]*)$/.exec(url);
  if (!m) return url;
  const at = m[2].lastIndexOf("@");
  return at < 0 ? url : m[1] + m[2].slice(at + 1) + m[3];
}
