/**
 * Session identifiers: 128 random bits as 32 lowercase hex digits. No dashes (they confuse some
 * clients, INTEROP.md), and only characters from RFC 2326 §3.4's safe set.
 *
 * @module
 */

/** Bits of randomness in a session id (HARDENING.md asks for at least 128). */
export const SESSION_ID_BITS = 128;

/** Returns a fresh session id from `crypto.getRandomValues`. */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SESSION_ID_BITS / 8));
  let id = "";
  for (const b of bytes) id += b.toString(16).padStart(2, "0");
  return id;
}

/** A random unsigned 32-bit integer, for SSRCs and RTP sequence/timestamp bases (RFC 3550 §5.1). */
export function randomUint32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
