/**
 * The server a client session talks to, read from its `rtsp://` or `rtsps://` URL, and the checks
 * every session's options share. Pure.
 *
 * @module
 */

import { parseRtspUrl, type RtspUrl, stripCredentials } from "../rtsp/url.ts";
import { printable } from "../rtsp/syntax.ts";
import { type Credentials, credentialsFromUrl } from "./auth.ts";

/** Where a session connects, and as whom. */
export interface ServerUrl {
  /** The URL without credentials: what messages and requests show. */
  url: string;
  /** The URL taken apart. */
  parsed: RtspUrl;
  /** Host name or IP literal, without brackets. */
  hostname: string;
  /** The port: given, or RTSP's 554 (RFC 2326 §3.2), or RTSPS's 322 (IANA). */
  port: number;
  /** Whether it is `rtsps://`. */
  tls: boolean;
  /** The user and password in the URL, if any. */
  credentials: Credentials | undefined;
}

/**
 * Reads `url`. Throws `TypeError` naming the URL (without its password) when it is not an
 * `rtsp://` or `rtsps://` URL with a host.
 */
export function serverUrl(url: unknown): ServerUrl {
  if (typeof url !== "string") throw new TypeError(`url must be a string, got ${typeof url}`);
  let parsed: RtspUrl;
  try {
    const p = parseRtspUrl(url);
    if ("star" in p || p.scheme === "rtspu") throw new Error("not rtsp:// or rtsps://");
    parsed = p;
  } catch (e) {
    throw new TypeError(
      `url must be an rtsp:// or rtsps:// URL with a host, got ${
        printable(stripCredentials(url), 200)
      } (${(e as Error).message})`,
    );
  }
  const tls = parsed.scheme === "rtsps";
  return {
    url: stripCredentials(url),
    parsed,
    hostname: parsed.host.replace(/^\[|\]$/g, ""),
    port: parsed.port ?? (tls ? 322 : 554),
    tls,
    credentials: credentialsFromUrl(url),
  };
}

/** Checks the options every session takes: a positive `timeoutMs`, a boolean `tlsVerify`. */
export function checkSessionOptions(
  options: { timeoutMs?: unknown; tlsVerify?: unknown },
  defaultTimeoutMs: number,
): number {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  if (options.tlsVerify !== undefined && typeof options.tlsVerify !== "boolean") {
    throw new TypeError(`tlsVerify must be a boolean, got ${typeof options.tlsVerify}`);
  }
  return timeoutMs;
}
