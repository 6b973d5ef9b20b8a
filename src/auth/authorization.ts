/**
 * The `Authorization` request header (RFC 2326 §12.5): `Digest` credentials (RFC 7616 §3.4) and
 * `Basic` credentials (RFC 7617 §2), parsed strictly. Pure: a header value in, typed credentials or
 * an {@link AuthError} out; never any other exception (HARDENING item 18: the server answers 401).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuthError, parseAuthorization } from "./authorization.ts";
 *
 * const digest = parseAuthorization(
 *   'Digest username="alice", realm="rtsp-edge", nonce="abc", uri="rtsp://cam/live", ' +
 *     'response="0123456789abcdef0123456789abcdef"',
 * );
 * assert.equal(digest.scheme, "digest");
 * assert.equal(digest.scheme === "digest" && digest.username, "alice");
 * assert.deepEqual(parseAuthorization("Basic YWxpY2U6czNjcmV0"), {
 *   scheme: "basic",
 *   username: "alice",
 *   password: "s3cret",
 * });
 * assert.throws(() => parseAuthorization('Digest username="a", username="b"'), AuthError);
 * ```
 *
 * @module
 */

/** A malformed or unsupported `Authorization` value. The message never quotes the value. */
export class AuthError extends Error {
  /** Builds the error. */
  constructor(message: string) {
    super(message);
    this.name = "AuthError";
  }
}

/** Longest parameter value taken, in characters; a Digest response is 32 hex digits. */
export const MAX_AUTH_VALUE = 512;

/** Digest credentials (RFC 7616 §3.4). Only MD5 is taken (INTEROP.md: ffmpeg cannot do SHA-256). */
export interface DigestCredentials {
  /** Discriminant. */
  scheme: "digest";
  /** The user name, unescaped. */
  username: string;
  /** The realm the client answers. */
  realm: string;
  /** The server's nonce the client answers. */
  nonce: string;
  /** The `uri` parameter: the request URI the response was computed over. */
  uri: string;
  /** The response: 32 lower-case hex digits. */
  response: string;
  /** The opaque value echoed back, if any. */
  opaque?: string;
  /** `auth` when the client used qop (then `nc` and `cnonce` are present). */
  qop?: "auth";
  /** Nonce count: 8 hex digits, with qop. */
  nc?: string;
  /** Client nonce, with qop. */
  cnonce?: string;
}

/** Basic credentials (RFC 7617 §2). */
export interface BasicCredentials {
  /** Discriminant. */
  scheme: "basic";
  /** The user id (no colon). */
  username: string;
  /** The password. */
  password: string;
}

/** What an `Authorization` header carries. */
export type Credentials = DigestCredentials | BasicCredentials;

// RFC 7616 §3.4: a sender MUST quote these; an unquoted one is refused.
const MUST_QUOTE = new Set(["username", "realm", "nonce", "uri", "response", "cnonce", "opaque"]);
// RFC 7616 §3.4: a sender MUST NOT quote these, but ffmpeg 5.1 quotes algorithm and qop
// (httpauth.c: `algorithm="MD5"`, `qop="auth"`): both forms are taken.
const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
const HEX32 = /^[0-9a-f]{32}$/i;

/**
 * Parses an `Authorization` value.
 *
 * @param value The header value as received.
 * @returns Digest or Basic credentials.
 * @throws {AuthError} for another scheme, a repeated or missing parameter, an unquoted value that
 *   must be quoted, a value over {@link MAX_AUTH_VALUE}, an algorithm other than MD5, a qop other
 *   than `auth`, or Basic credentials that are not base64 of `user:password`.
 */
export function parseAuthorization(value: string): Credentials {
  if (typeof value !== "string") throw new AuthError("Authorization must be text");
  const m = /^[ \t]*([A-Za-z]+)(?:[ \t]+([\s\S]*))?$/.exec(value);
  if (!m) throw new AuthError("Authorization has no scheme");
  const scheme = m[1].toLowerCase(); // RFC 7235 §2.1: schemes are case-insensitive
  const rest = m[2] ?? "";
  if (scheme === "basic") return parseBasic(rest.trim());
  if (scheme === "digest") return parseDigest(rest);
  throw new AuthError("Authorization scheme is neither Digest nor Basic");
}

function parseBasic(token: string): BasicCredentials {
  // RFC 7617 §2: token68 holding base64 of user-id ":" password.
  if (token.length === 0 || token.length > MAX_AUTH_VALUE * 2) {
    throw new AuthError("Basic credentials are empty or too long");
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) {
    throw new AuthError("Basic credentials are not base64");
  }
  let text: string;
  try {
    const binary = atob(token);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AuthError("Basic credentials are not base64 of UTF-8 text");
  }
  const colon = text.indexOf(":");
  // RFC 7617 §2: the user-id holds no colon; control characters are refused in both parts.
  // deno-lint-ignore no-control-regex
  if (colon < 0 || /[\x00-\x1f\x7f]/.test(text)) {
    throw new AuthError("Basic credentials are not user:password");
  }
  return { scheme: "basic", username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Splits `name=value, name="value", ...` into a map; every rule of RFC 7235 §2.1 auth-param. */
function parseParams(text: string): Map<string, { value: string; quoted: boolean }> {
  const params = new Map<string, { value: string; quoted: boolean }>();
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && (text[i] === " " || text[i] === "\t")) i++;
  };
  for (;;) {
    skipSpace();
    while (i < n && text[i] === ",") { // RFC 7230 §7: empty list elements are tolerated
      i++;
      skipSpace();
    }
    if (i >= n) break;
    const start = i;
    while (i < n && TOKEN_CHAR.test(text[i])) i++;
    const name = text.slice(start, i).toLowerCase();
    if (name === "" || name.length > 32) throw new AuthError("Digest has a malformed parameter");
    skipSpace();
    if (text[i] !== "=") throw new AuthError("Digest parameter without a value");
    i++;
    skipSpace();
    let value = "";
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= n) throw new AuthError("Digest has an unterminated quoted value");
        const c = text[i];
        if (c === '"') break;
        if (c === "\\") { // RFC 7230 §3.2.6 quoted-pair
          i++;
          if (i >= n) throw new AuthError("Digest has an unterminated quoted value");
        }
        const code = text.charCodeAt(i);
        if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
          throw new AuthError("Digest value holds a control character");
        }
        value += text[i];
        if (value.length > MAX_AUTH_VALUE) throw new AuthError("Digest value is too long");
        i++;
      }
      i++; // closing quote
    } else {
      const s = i;
      while (i < n && TOKEN_CHAR.test(text[i])) i++;
      value = text.slice(s, i);
      if (value === "") throw new AuthError("Digest parameter without a value");
      if (value.length > MAX_AUTH_VALUE) throw new AuthError("Digest value is too long");
    }
    // RFC 7616 §3.4: "Each parameter MUST NOT appear more than once."
    if (params.has(name)) throw new AuthError(`Digest parameter ${name} is repeated`);
    if (params.size >= 32) throw new AuthError("Digest has too many parameters");
    params.set(name, { value, quoted });
    skipSpace();
    if (i < n && text[i] !== ",") throw new AuthError("Digest parameters must be comma-separated");
  }
  return params;
}

function parseDigest(text: string): DigestCredentials {
  const params = parseParams(text);
  for (const [name, { quoted }] of params) {
    if (MUST_QUOTE.has(name) && !quoted) throw new AuthError(`Digest ${name} must be quoted`);
  }
  const need = (name: string): string => {
    const p = params.get(name);
    if (p === undefined) throw new AuthError(`Digest ${name} is missing`);
    return p.value;
  };
  const out: DigestCredentials = {
    scheme: "digest",
    username: need("username"),
    realm: need("realm"),
    nonce: need("nonce"),
    uri: need("uri"),
    response: need("response").toLowerCase(),
  };
  if (!HEX32.test(out.response)) throw new AuthError("Digest response is not 32 hex digits");
  const algorithm = params.get("algorithm")?.value;
  // RFC 7616 §3.4: MD5 is the default; SHA-256 and the -sess variants are not offered.
  if (algorithm !== undefined && algorithm.toUpperCase() !== "MD5") {
    throw new AuthError("Digest algorithm is not MD5");
  }
  if (params.has("userhash") && params.get("userhash")!.value.toLowerCase() !== "false") {
    throw new AuthError("Digest userhash is not supported");
  }
  const opaque = params.get("opaque")?.value;
  if (opaque !== undefined) out.opaque = opaque;
  const qop = params.get("qop")?.value;
  if (qop !== undefined) {
    if (qop.toLowerCase() !== "auth") throw new AuthError("Digest qop is not auth");
    const nc = need("nc");
    if (!/^[0-9a-f]{8}$/i.test(nc)) throw new AuthError("Digest nc is not 8 hex digits");
    out.qop = "auth";
    out.nc = nc;
    out.cnonce = need("cnonce");
  } else if (params.has("nc") || params.has("cnonce")) {
    throw new AuthError("Digest nc and cnonce come only with qop");
  }
  return out;
}
