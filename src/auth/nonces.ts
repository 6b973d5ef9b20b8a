/**
 * Digest nonces of one RTSP connection: random, expiring, few. A nonce only counts on the
 * connection that was given it, so each connection holds its own {@link NonceList}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NonceList } from "./nonces.ts";
 *
 * let now = 0;
 * const nonces = new NonceList({ now: () => now, ttlMs: 1000 });
 * const nonce = nonces.issue();
 * assert.equal(nonces.check(nonce), "fresh");
 * now = 2000;
 * assert.equal(nonces.check(nonce), "stale");
 * assert.equal(nonces.check("guessed"), "unknown");
 * ```
 *
 * @module
 */

/** Default lifetime of a nonce: 5 minutes. */
export const NONCE_TTL_MS = 5 * 60_000;
/** Default number of nonces one connection may hold; the oldest goes first. */
export const MAX_NONCES = 4;

/** How a {@link NonceList} gets time and randomness. */
export interface NonceOptions {
  /** Monotonic milliseconds. */
  now: () => number;
  /** Fills `bytes` with random values; `crypto.getRandomValues` by default. */
  random?: (bytes: Uint8Array) => void;
  /** Lifetime in ms. Default {@link NONCE_TTL_MS}. */
  ttlMs?: number;
  /** Nonces kept. Default {@link MAX_NONCES}. */
  max?: number;
}

/** The nonces one connection was given. */
export class NonceList {
  #now: () => number;
  #random: (bytes: Uint8Array) => void;
  #ttlMs: number;
  #max: number;
  #issued = new Map<string, number>(); // nonce → issue time, oldest first

  /** An empty list. */
  constructor(options: NonceOptions) {
    this.#now = options.now;
    this.#random = options.random ?? ((b) => void crypto.getRandomValues(b));
    this.#ttlMs = options.ttlMs ?? NONCE_TTL_MS;
    this.#max = options.max ?? MAX_NONCES;
  }

  /** A new nonce of 128 random bits as 32 hex digits; the oldest is forgotten past the cap. */
  issue(): string {
    const bytes = new Uint8Array(16);
    this.#random(bytes);
    const nonce = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    this.#issued.set(nonce, this.#now());
    while (this.#issued.size > this.#max) {
      this.#issued.delete(this.#issued.keys().next().value!);
    }
    return nonce;
  }

  /** `fresh` when issued here and alive, `stale` when issued here but expired, else `unknown`. */
  check(nonce: string): "fresh" | "stale" | "unknown" {
    const at = this.#issued.get(nonce);
    if (at === undefined) return "unknown";
    return this.#now() - at <= this.#ttlMs ? "fresh" : "stale";
  }

  /** Nonces held. */
  get size(): number {
    return this.#issued.size;
  }
}
