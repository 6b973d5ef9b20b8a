/**
 * Answering a server's `WWW-Authenticate` challenge as a client: Digest (RFC 2617 §3.2.2, RFC 7616
 * §3.4, MD5 only) and Basic (RFC 7617 §2), with the user and password taken from the URL.
 *
 * @module
 */

import { digestHa1, digestResponse } from "../auth/digest.ts";
import { encodeBase64 } from "../sdp/base64.ts";

/** A user and password, as written in `rtsp://user:pass@host/…` (percent-decoded). */
export interface Credentials {
  /** User name. */
  username: string;
  /** Password. */
  password: string;
}

/** One challenge from a `WWW-Authenticate` header. */
export interface Challenge {
  /** Lower-cased scheme. */
  scheme: "digest" | "basic";
  /** Parameters, names lower-cased, values unquoted. */
  params: Map<string, string>;
}

// A challenge longer than this is not a camera's: ignore it rather than scan it.
const MAX_CHALLENGE = 4096;
const PARAM = /\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*,?/y;

/**
 * Parses `WWW-Authenticate` values into the challenges this client can answer, best first:
 * Digest with MD5 (or no algorithm, which means MD5, RFC 7616 §3.3), then Basic. Anything else
 * (SHA-256 Digest, MD5-sess, NTLM, malformed text) is left out. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseChallenges } from "./auth.ts";
 * const [first, second] = parseChallenges([
 *   'Basic realm="cam"',
 *   'Digest realm="cam", nonce="abc", qop="auth"',
 * ]);
 * assert.equal(first.scheme, "digest");
 * assert.equal(first.params.get("nonce"), "abc");
 * assert.equal(second.scheme, "basic");
 * ```
 */
export function parseChallenges(values: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) {
    if (value.length > MAX_CHALLENGE) continue;
    const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(value);
    if (!m) continue;
    const scheme = m[1].toLowerCase();
    if (scheme !== "digest" && scheme !== "basic") continue;
    const params = new Map<string, string>();
    const rest = m[2];
    PARAM.lastIndex = 0;
    while (PARAM.lastIndex < rest.length) {
      const at = PARAM.lastIndex;
      const p = PARAM.exec(rest);
      if (!p || PARAM.lastIndex === at) break;
      const name = p[1].toLowerCase();
      if (!params.has(name)) params.set(name, p[2]?.replace(/\\(.)/g, "$1") ?? p[3]);
    }
    if (scheme === "digest") {
      const algorithm = (params.get("algorithm") ?? "MD5").toUpperCase();
      if (algorithm !== "MD5" || !params.has("nonce")) continue;
    }
    out.push({ scheme, params });
  }
  return out.sort((a, b) => (a.scheme === b.scheme ? 0 : a.scheme === "digest" ? -1 : 1));
}

/** Builds `Authorization` values for one challenge; Digest counts its nonce uses (`nc`). */
export class Authenticator {
  readonly #credentials: Credentials;
  readonly #challenge: Challenge;
  readonly #random: () => string;
  #nc = 0;

  /**
   * Answers `challenge` with `credentials`. `randomHex` makes the Digest client nonce; the default
   * draws 16 bytes from `crypto.getRandomValues`.
   */
  constructor(credentials: Credentials, challenge: Challenge, randomHex: () => string = cnonce) {
    this.#credentials = credentials;
    this.#challenge = challenge;
    this.#random = randomHex;
  }

  /** The challenge being answered. */
  get challenge(): Challenge {
    return this.#challenge;
  }

  /**
   * The `Authorization` value for `method` on `uri` (the Request-URI as sent, without credentials).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Authenticator, parseChallenges } from "./auth.ts";
   * const [challenge] = parseChallenges(['Digest realm="r", nonce="n"']);
   * const auth = new Authenticator({ username: "u", password: "p" }, challenge);
   * assert.match(auth.header("DESCRIBE", "rtsp://cam/live"), /^Digest username="u", realm="r"/);
   * ```
   */
  header(method: string, uri: string): string {
    const { username, password } = this.#credentials;
    const params = this.#challenge.params;
    if (this.#challenge.scheme === "basic") {
      return `Basic ${encodeBase64(new TextEncoder().encode(`${username}:${password}`))}`;
    }
    const realm = params.get("realm") ?? "";
    const nonce = params.get("nonce") ?? "";
    const ha1 = digestHa1(username, realm, password);
    // RFC 7616 §3.4: qop is optional; when the server offers "auth" (possibly among others), use
    // it. Servers that offer none (live555, most cameras) get the RFC 2069 form.
    const qops = (params.get("qop") ?? "").split(",").map((q) => q.trim().toLowerCase());
    let text = `Digest username="${quote(username)}", realm="${quote(realm)}", ` +
      `nonce="${quote(nonce)}", uri="${quote(uri)}"`;
    if (qops.includes("auth")) {
      const nc = (++this.#nc).toString(16).padStart(8, "0");
      const c = this.#random();
      const response = digestResponse({ ha1, method, uri, nonce, qop: "auth", nc, cnonce: c });
      text += `, response="${response}", qop=auth, nc=${nc}, cnonce="${c}"`;
    } else {
      text += `, response="${digestResponse({ ha1, method, uri, nonce })}"`;
    }
    if (params.has("algorithm")) text += `, algorithm=MD5`;
    const opaque = params.get("opaque");
    if (opaque !== undefined) text += `, opaque="${quote(opaque)}"`;
    return text;
  }
}

function quote(text: string): string {
  return text.replace(/["\\]/g, "\\$&");
}

function cnonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The user and password of `rtsp://user:pass@host/…`, percent-decoded; undefined when the URL has
 * none. Throws `TypeError` for a bad percent-escape (the message never holds the password).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { credentialsFromUrl } from "./auth.ts";
 * assert.deepEqual(credentialsFromUrl("rtsp://edge:p%40ss@central/cam"), {
 *   username: "edge",
 *   password: "p@ss",
 * });
 * assert.equal(credentialsFromUrl("rtsp://central/cam"), undefined);
 * ```
 */
export function credentialsFromUrl(url: string): Credentials | undefined {
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url)?.[1] ?? "";
  const at = authority.lastIndexOf("@");
  if (at < 0) return undefined;
  const info = authority.slice(0, at);
  const colon = info.indexOf(":");
  try {
    return {
      username: decodeURIComponent(colon < 0 ? info : info.slice(0, colon)),
      password: colon < 0 ? "" : decodeURIComponent(info.slice(colon + 1)),
    };
  } catch {
    throw new TypeError("the user or password in url holds a bad percent-escape");
  }
}
