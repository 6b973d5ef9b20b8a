/**
 * Users and what they are known by: a plain password, the realm-salted Digest hash `ha1`
 * (MD5(user:realm:password), the only stored form Digest can verify), or a salted
 * PBKDF2-SHA256 string for Basic (`pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashPassword, verifyPassword } from "./credentials.ts";
 *
 * const hash = await hashPassword("s3cret", { iterations: 1000 });
 * assert.match(hash, /^pbkdf2-sha256\$1000\$/);
 * assert.equal(await verifyPassword({ hash }, "alice", "rtsp-edge", "s3cret"), true);
 * assert.equal(await verifyPassword({ hash }, "alice", "rtsp-edge", "wrong"), false);
 * ```
 *
 * @module
 */

import { constantTimeEqual, digestHa1 } from "./digest.ts";

/** How one user is known. Exactly one field. */
export type UserCredential =
  | { password: string }
  | { ha1: string }
  | { hash: string };

/** Default PBKDF2 iterations of {@link hashPassword}. */
export const PBKDF2_ITERATIONS = 210_000;
const MAX_ITERATIONS = 10_000_000;

/** A PBKDF2 string taken apart. */
export interface Pbkdf2Hash {
  /** Iteration count. */
  iterations: number;
  /** The salt. */
  salt: Uint8Array;
  /** The derived key. */
  hash: Uint8Array;
}

function fromBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** Parses `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`; undefined when malformed. */
export function parsePbkdf2Hash(text: string): Pbkdf2Hash | undefined {
  const m = /^pbkdf2-sha256\$(\d{1,8})\$([^$]+)\$([^$]+)$/.exec(text);
  if (!m) return undefined;
  const iterations = Number(m[1]);
  const salt = fromBase64(m[2]);
  const hash = fromBase64(m[3]);
  if (iterations < 1 || iterations > MAX_ITERATIONS || !salt || !hash) return undefined;
  if (salt.length < 8 || hash.length < 16) return undefined;
  return { iterations, salt, hash };
}

async function pbkdf2(
  password: string,
  salt: Uint8Array,
  iterations: number,
  bytes: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

/**
 * A PBKDF2-SHA256 string for `password`, with a 16-byte random salt, for the `hash` field.
 *
 * @param options `iterations` (default {@link PBKDF2_ITERATIONS}); `salt` for reproducible tests.
 */
export async function hashPassword(
  password: string,
  options: { iterations?: number; salt?: Uint8Array } = {},
): Promise<string> {
  const iterations = options.iterations ?? PBKDF2_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new RangeError(`iterations must be a whole number from 1 to ${MAX_ITERATIONS}`);
  }
  const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2(password, salt, iterations, 32);
  return `pbkdf2-sha256$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * The Digest HA1 of a user in `realm`, or undefined when only a PBKDF2 hash is stored (such a user
 * can use Basic only).
 */
export function userHa1(user: UserCredential, username: string, realm: string): string | undefined {
  if ("password" in user) return digestHa1(username, realm, user.password);
  if ("ha1" in user) return user.ha1.toLowerCase();
  return undefined;
}

/** Whether `password` (from Basic) is the user's, in constant time per stored form. */
export async function verifyPassword(
  user: UserCredential,
  username: string,
  realm: string,
  password: string,
): Promise<boolean> {
  if ("password" in user) return constantTimeEqual(user.password, password);
  if ("ha1" in user) {
    return constantTimeEqual(user.ha1.toLowerCase(), digestHa1(username, realm, password));
  }
  const parsed = parsePbkdf2Hash(user.hash);
  if (!parsed) return false;
  const got = await pbkdf2(password, parsed.salt, parsed.iterations, parsed.hash.length);
  let diff = 0;
  for (let i = 0; i < got.length; i++) diff |= got[i] ^ parsed.hash[i];
  return diff === 0;
}

/**
 * Why a stored credential cannot be used, or undefined when it can: one field of `password`,
 * `ha1` (32 hex digits) or `hash` (a PBKDF2 string).
 */
export function credentialProblem(user: unknown): string | undefined {
  if (typeof user !== "object" || user === null) return "must be an object";
  const keys = Object.keys(user);
  if (keys.length !== 1 || !["password", "ha1", "hash"].includes(keys[0])) {
    return 'must have exactly one of "password", "ha1" or "hash"';
  }
  const value = (user as Record<string, unknown>)[keys[0]];
  if (typeof value !== "string") return `${keys[0]} must be a string`;
  if (keys[0] === "password" && value === "") return "password must not be empty";
  if (keys[0] === "ha1" && !/^[0-9a-fA-F]{32}$/.test(value)) {
    return "ha1 must be 32 hex digits: MD5(user:realm:password)";
  }
  if (keys[0] === "hash" && !parsePbkdf2Hash(value)) {
    return "hash must be pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>";
  }
  return undefined;
}
