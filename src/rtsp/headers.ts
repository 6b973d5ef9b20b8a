/**
 * An ordered, case-insensitive, multi-valued RTSP header map.
 *
 * @module
 */

import { isSafeFieldValue, isToken, printable } from "./syntax.ts";

interface Entry {
  name: string;
  lower: string;
  value: string;
}

/**
 * RTSP header fields in the order they were added. Names compare case-insensitively (RFC 2326
 * §4.2 / RFC 2616 §4.2) but keep the casing they were given, because some clients and cameras
 * compare names exactly (e.g. `CSeq`).
 *
 * `set` and `append` refuse names that are not RFC 2616 tokens and values containing CR, LF, NUL
 * or any other control character except HTAB, so nothing built with this class can inject a
 * header or a response (HARDENING item 5).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RtspHeaders } from "./headers.ts";
 * const h = new RtspHeaders({ CSeq: "1" });
 * h.append("Public", "OPTIONS, DESCRIBE");
 * assert.equal(h.get("cseq"), "1");
 * assert.deepEqual([...h.entries()], [["CSeq", "1"], ["Public", "OPTIONS, DESCRIBE"]]);
 * assert.throws(() => h.set("X-Evil", "a\r\nInjected: 1"), TypeError);
 * ```
 */
export class RtspHeaders {
  #entries: Entry[] = [];

  /**
   * Creates a header map, optionally filled from `init`.
   *
   * @param init Initial fields: `[name, value]` pairs (kept in order, repeats allowed) or a record.
   * @throws {TypeError} when a name or a value is not acceptable (see `append`).
   */
  constructor(init?: Iterable<[string, string]> | Record<string, string>) {
    if (init === undefined) return;
    const pairs: Iterable<[string, string]> =
      typeof (init as Iterable<[string, string]>)[Symbol.iterator] === "function"
        ? init as Iterable<[string, string]>
        : Object.entries(init as Record<string, string>);
    for (const [name, value] of pairs) this.append(name, value);
  }

  /** Number of fields (a name given twice counts twice). */
  get count(): number {
    return this.#entries.length;
  }

  /** First value of `name`, or undefined when absent. */
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (const e of this.#entries) if (e.lower === lower) return e.value;
    return undefined;
  }

  /** All values of `name` in order; an empty array when absent. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (const e of this.#entries) if (e.lower === lower) out.push(e.value);
    return out;
  }

  /** Whether at least one field is called `name`. */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /**
   * Replaces every field called `name` with one field holding `value`, at the position of the
   * first one (or at the end when absent).
   *
   * @throws {TypeError} when the name is not a token or the value holds control characters.
   */
  set(name: string, value: string): void {
    check(name, value);
    const lower = name.toLowerCase();
    const i = this.#entries.findIndex((e) => e.lower === lower);
    if (i < 0) {
      this.#entries.push({ name, lower, value });
      return;
    }
    this.#entries[i] = { name, lower, value };
    this.#entries = this.#entries.filter((e, j) => j <= i || e.lower !== lower);
  }

  /**
   * Adds a field at the end, keeping earlier fields with the same name.
   *
   * @throws {TypeError} when the name is not a token or the value holds control characters.
   */
  append(name: string, value: string): void {
    check(name, value);
    this.#entries.push({ name, lower: name.toLowerCase(), value });
  }

  /** Removes every field called `name`. */
  delete(name: string): void {
    const lower = name.toLowerCase();
    this.#entries = this.#entries.filter((e) => e.lower !== lower);
  }

  /** `[name, value]` pairs in order, names cased as they were set or appended. */
  *entries(): IterableIterator<[string, string]> {
    for (const e of this.#entries) yield [e.name, e.value];
  }

  /** Same as `entries()`. */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

function check(name: string, value: string): void {
  if (typeof name !== "string" || !isToken(name)) {
    throw new TypeError(`header name must be an RFC 2616 token, got ${printable(String(name))}`);
  }
  if (typeof value !== "string" || !isSafeFieldValue(value)) {
    throw new TypeError(
      `value of header ${name} must be a string without control characters, got ${
        printable(String(value))
      }`,
    );
  }
}
