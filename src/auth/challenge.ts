/**
 * `WWW-Authenticate` values for a 401 (RFC 2326 §12.44): a Digest MD5 challenge (RFC 7616 §3.3)
 * and a Basic one (RFC 7617 §2). Pure.
 *
 * No `algorithm` parameter is sent: MD5 is the default, and live555 (VLC) and GStreamer 1.22
 * take a challenge without it, as mediamtx sends it. `qop="auth"` is optional: ffmpeg 5.1 answers
 * it with qop, GStreamer 1.22 and live555 ignore it and answer without (RFC 2069 style), which the
 * verifier accepts too, so offering it gains nothing for them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { basicChallenge, digestChallenge } from "./challenge.ts";
 *
 * assert.equal(
 *   digestChallenge({ realm: "rtsp-edge", nonce: "00ff" }),
 *   'Digest realm="rtsp-edge", nonce="00ff"',
 * );
 * assert.equal(basicChallenge("rtsp-edge"), 'Basic realm="rtsp-edge"');
 * ```
 *
 * @module
 */

/** What a Digest challenge says. */
export interface DigestChallenge {
  /** Protection space shown to users; also salts stored hashes (`ha1`). */
  realm: string;
  /** A fresh server nonce. */
  nonce: string;
  /** Opaque value the client must echo, if any. */
  opaque?: string;
  /** Offer `qop="auth"` (RFC 7616 §3.3). */
  qop?: boolean;
  /** The previous nonce was right but expired: retry without asking the user (RFC 7616 §3.3). */
  stale?: boolean;
}

/**
 * Whether `text` can go inside a quoted-string as it is: printable ASCII without `"` or `\`.
 * Realms, nonces and opaque values are checked with this, so nothing needs escaping.
 */
export function isQuotable(text: string): boolean {
  return /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(text);
}

function quoted(name: string, value: string): string {
  if (!isQuotable(value)) throw new RangeError(`${name} cannot be sent in a challenge`);
  return `${name}="${value}"`;
}

/**
 * The Digest challenge.
 *
 * @throws {RangeError} when a value holds `"`, `\` or a character outside printable ASCII.
 */
export function digestChallenge(challenge: DigestChallenge): string {
  const parts = [quoted("realm", challenge.realm), quoted("nonce", challenge.nonce)];
  if (challenge.opaque !== undefined) parts.push(quoted("opaque", challenge.opaque));
  if (challenge.qop) parts.push('qop="auth"');
  if (challenge.stale) parts.push("stale=TRUE");
  return `Digest ${parts.join(", ")}`;
}

/**
 * The Basic challenge. RFC 7617 §2.1 `charset="UTF-8"` is left out: GStreamer 1.22 and ffmpeg
 * send UTF-8 anyway.
 *
 * @throws {RangeError} when the realm holds `"`, `\` or a character outside printable ASCII.
 */
export function basicChallenge(realm: string): string {
  return `Basic ${quoted("realm", realm)}`;
}
